#include "sql_script.h"

#include <algorithm>
#include <cctype>

namespace llmspell::cli {
namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
}
bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// End (offset after) of a /* */ comment starting at `i`, nested comments included.
std::size_t block_comment_end(std::string_view s, std::size_t i) {
  int depth = 0;
  while (i < s.size()) {
    if (s.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (s.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return s.size();
}

// The dollar-quote tag starting at `i` ("$$" or "$tag$"), or empty when `i` starts no tag
// ($1 is a parameter, not a quote).
std::string_view dollar_tag(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && s[j] == '$') return s.substr(i, 2);
  if (j >= s.size() || !ident_start(s[j])) return {};
  while (j < s.size() && ident_char(s[j]) && s[j] != '$') ++j;
  if (j < s.size() && s[j] == '$') return s.substr(i, j - i + 1);
  return {};
}

}  // namespace

std::size_t skip_blank(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      std::size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (s.compare(i, 2, "/*") == 0) {
      i = block_comment_end(s, i);
    } else {
      break;
    }
  }
  return i;
}

int line_of(std::string_view script, std::size_t offset) {
  offset = std::min(offset, script.size());
  return 1 + static_cast<int>(
                 std::count(script.begin(), script.begin() + static_cast<long>(offset), '\n'));
}

std::size_t byte_offset_of_character(std::string_view text, int position) {
  std::size_t i = 0;
  for (int chars = 1; chars < position && i < text.size(); ++chars) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  }
  return std::min(i, text.size());
}

std::vector<Statement> split_statements(std::string_view s) {
  std::vector<Statement> out;
  std::size_t start = skip_blank(s, 0);
  std::size_t i = start;
  // BEGIN ATOMIC bodies contain semicolons; inside them CASE ... END pairs must be told apart
  // from the END closing the body.
  int atomic_depth = 0;
  int case_depth = 0;
  std::string previous_word;
  auto finish = [&](std::size_t end) {
    std::string_view text = s.substr(start, end - start);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
      text.remove_suffix(1);
    if (!text.empty()) out.push_back({text, start, line_of(s, start)});
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '-' && s.compare(i, 2, "--") == 0) {
      std::size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (c == '/' && s.compare(i, 2, "/*") == 0) {
      i = block_comment_end(s, i);
    } else if (c == '\'') {
      // E'...' strings take backslash escapes; standard strings only ''.
      bool escapes =
          i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !ident_char(s[i - 2]));
      ++i;
      while (i < s.size()) {
        if (escapes && s[i] == '\\') {
          i += 2;
        } else if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      previous_word.clear();
    } else if (c == '"') {
      ++i;
      while (i < s.size()) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      previous_word.clear();
    } else if (c == '$' && !(i > 0 && ident_char(s[i - 1])) && !dollar_tag(s, i).empty()) {
      std::string_view tag = dollar_tag(s, i);
      std::size_t close = s.find(tag, i + tag.size());
      i = close == std::string_view::npos ? s.size() : close + tag.size();
      previous_word.clear();
    } else if (ident_start(c)) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      std::string word = upper(s.substr(i, j - i));
      if (word == "ATOMIC" && previous_word == "BEGIN") {
        ++atomic_depth;
      } else if (atomic_depth > 0 && word == "CASE") {
        ++case_depth;
      } else if (atomic_depth > 0 && word == "END") {
        if (case_depth > 0) {
          --case_depth;
        } else {
          --atomic_depth;
        }
      }
      previous_word = std::move(word);
      i = j;
    } else if (c == ';' && atomic_depth == 0) {
      finish(i);
      start = skip_blank(s, i + 1);
      i = start;
      previous_word.clear();
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) previous_word.clear();
      ++i;
    }
  }
  if (start < s.size()) finish(s.size());
  return out;
}

std::string transaction_keyword(std::string_view statement) {
  std::size_t i = skip_blank(statement, 0);
  std::size_t j = i;
  while (j < statement.size() && ident_char(statement[j])) ++j;
  std::string first = upper(statement.substr(i, j - i));
  static const char* kKeywords[] = {"BEGIN", "COMMIT", "ROLLBACK",  "END",
                                    "START", "ABORT",  "SAVEPOINT", "RELEASE"};
  for (const char* k : kKeywords) {
    if (first == k) return first;
  }
  if (first == "PREPARE") {
    std::size_t k = skip_blank(statement, j);
    std::size_t e = k;
    while (e < statement.size() && ident_char(statement[e])) ++e;
    if (upper(statement.substr(k, e - k)) == "TRANSACTION") return "PREPARE TRANSACTION";
  }
  return {};
}

}  // namespace llmspell::cli
