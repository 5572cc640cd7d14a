// The properties of entities and relationships: JSON objects, kept in one canonical text form so
// that both hosts store and return identical text and compare values the same way.
//
// The canonical form is PostgreSQL jsonb's text output: object keys ordered by length, then by
// bytes, the last of duplicate keys kept, ", " and ": " as separators, numbers as `numeric`
// prints them ("1.50e1" -> "15.0"), strings with jsonb's escapes. Containment follows jsonb's @>.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmspell::temporal::json {

// The canonical text of a JSON document; throws GraphError(kInvalidArgument) naming `what` when
// the text is not JSON (or, with require_object, not a JSON object).
std::string canonical(std::string_view text, const char* what, bool require_object);

// jsonb's `container @> filter` on two JSON texts (any valid JSON; both are parsed).
bool contains(std::string_view container, std::string_view filter);

// Appends `s` as a JSON string literal (quotes included) with jsonb's escapes: \" \\ \b \f \n \r
// \t, other control characters as \u00XX, everything else (UTF-8 included) as is. The one JSON
// string escaper of the project: the CLI's JSON output uses it too.
void append_string(std::string& out, std::string_view s);

// A JSON array of strings, e.g. for binding a list as one SQL parameter.
std::string string_array(const std::vector<std::string>& items);
// Appends the same to `out`.
void append_string_array(std::string& out, const std::vector<std::string>& items);

}  // namespace llmspell::temporal::json
