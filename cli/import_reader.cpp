#include "import_reader.h"

#include <cmath>
#include <cstring>
#include <unordered_set>

#include "base64.h"
#include "errors.h"
#include "temporal/json.h"
#include "temporal/types.h"
#include "timestamp_text.h"

namespace llmspell::cli {
namespace {

namespace od = simdjson::ondemand;
using od::json_type;

// Where the reader is, for error messages.
struct Position {
  std::string table;
  std::int64_t row = -1;
  std::string field;
};

// A refusal of one value: message without the position (added by the reader).
struct ValueError {
  std::string message;
};

const char* type_name(json_type t) {
  switch (t) {
    case json_type::array:
      return "an array";
    case json_type::object:
      return "an object";
    case json_type::number:
      return "a number";
    case json_type::string:
      return "a string";
    case json_type::boolean:
      return "a boolean";
    case json_type::null:
      return "null";
  }
  return "?";
}

std::string_view expected_type(ColumnKind k) {
  switch (k) {
    case ColumnKind::kText:
      return "a string";
    case ColumnKind::kVector:
      return "a string (base64 of little-endian float32)";
    case ColumnKind::kBytes:
      return "a string (base64)";
    case ColumnKind::kTimestamp:
      return "a string (YYYY-MM-DDTHH:MM:SS.ffffffZ, infinity or -infinity)";
    case ColumnKind::kInt32:
    case ColumnKind::kInt64:
      return "an integer";
    case ColumnKind::kBool:
      return "a boolean";
    case ColumnKind::kJson:
      return "JSON";
  }
  return "?";
}

void read_value(const Column& col, int dimension, od::value v, ImportValue& out) {
  out.null = false;
  out.i = 0;
  out.s.clear();
  json_type t = v.type();
  if (t == json_type::null && col.kind != ColumnKind::kJson) {
    if (!col.nullable) throw ValueError{"null, expected " + std::string(expected_type(col.kind))};
    out.null = true;
    return;
  }
  auto want = [&](json_type w) {
    if (t != w)
      throw ValueError{std::string(type_name(t)) + ", expected " +
                       std::string(expected_type(col.kind))};
  };
  switch (col.kind) {
    case ColumnKind::kText: {
      want(json_type::string);
      std::string_view s = v.get_string();
      out.s.assign(s);
      break;
    }
    case ColumnKind::kJson: {
      std::string_view raw;
      if (t == json_type::object) {
        od::object o = v.get_object();
        raw = o.raw_json();
      } else if (t == json_type::array) {
        od::array a = v.get_array();
        raw = a.raw_json();
      } else {
        raw = v.raw_json_token();
      }
      try {
        out.s = temporal::json::canonical(raw, "the value", false);
      } catch (const temporal::GraphError& e) {
        throw ValueError{e.what()};
      }
      break;
    }
    case ColumnKind::kVector:
    case ColumnKind::kBytes: {
      want(json_type::string);
      std::string_view s = v.get_string();
      if (auto bad = base64::decode(s, out.s))
        throw ValueError{"invalid base64 at character " + std::to_string(*bad)};
      if (col.kind == ColumnKind::kVector) {
        if (out.s.size() != static_cast<std::size_t>(dimension) * 4)
          throw ValueError{"a vector of " +
                           (out.s.size() % 4 ? std::to_string(out.s.size()) + " bytes"
                                             : std::to_string(out.s.size() / 4) + " dimensions") +
                           ", expected " + std::to_string(dimension) + " dimensions"};
        for (std::size_t i = 0; i < out.s.size(); i += 4) {
          float f;
          std::memcpy(&f, out.s.data() + i, 4);
          if (!std::isfinite(f))
            throw ValueError{"element " + std::to_string(i / 4) + " of the vector is not finite"};
        }
      }
      break;
    }
    case ColumnKind::kTimestamp: {
      want(json_type::string);
      std::string_view s = v.get_string();
      auto micros = timestamp_text::parse(s);
      if (!micros)
        throw ValueError{"'" + std::string(s) +
                         "' is not a timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ in UTC, infinity or "
                         "-infinity)"};
      out.i = *micros;
      break;
    }
    case ColumnKind::kInt32:
    case ColumnKind::kInt64: {
      want(json_type::number);
      std::int64_t n;
      if (v.get_int64().get(n) != simdjson::SUCCESS)
        throw ValueError{std::string(v.raw_json_token()) + " is not a 64-bit integer"};
      if (col.kind == ColumnKind::kInt32 && (n < INT32_MIN || n > INT32_MAX))
        throw ValueError{std::to_string(n) + " does not fit a 32-bit integer"};
      out.i = n;
      break;
    }
    case ColumnKind::kBool:
      want(json_type::boolean);
      out.i = v.get_bool() ? 1 : 0;
      break;
  }
}

std::string entity_key(std::string_view tenant, std::string_view entity) {
  std::string k(tenant);
  k.push_back('\0');
  k += entity;
  return k;
}

class Reader {
 public:
  Reader(ImportSink& sink, const std::optional<std::string>& tenant)
      : sink_(sink), tenant_(tenant) {}

  ImportResult run(simdjson::padded_string_view json) {
    try {
      return read(json);
    } catch (const simdjson::simdjson_error& e) {
      std::string where;
      if (!at_.table.empty()) {
        where = " (in data." + at_.table;
        if (at_.row >= 0) where += "[" + std::to_string(at_.row) + "]";
        if (!at_.field.empty()) where += "." + at_.field;
        where += ")";
      }
      std::string what = e.error() != simdjson::INCORRECT_TYPE ? simdjson::error_message(e.error())
                         : at_.table.empty()                   ? "the document is not a JSON object"
                                                               : "a value of the wrong type";
      throw CliError("the input is not a valid export document: " + what + where);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message) {
    if (at_.table.empty()) throw CliError("the input is not a valid export document: " + message);
    throw CliError(record_error(at_.table, at_.row, at_.field, message));
  }

  ImportResult read(simdjson::padded_string_view json) {
    od::parser parser;
    od::document doc = parser.iterate(json);
    od::object top = doc.get_object();
    ImportResult result;
    bool has_version = false, has_data = false, has_source = false, has_migrations = false,
         has_exported = false;
    // The header first, wherever "data" is (jq -S puts it first).
    for (auto field : top) {
      std::string_view key = field.unescaped_key();
      od::value v = field.value();
      if (key == "data") {
        has_data = true;
      } else if (key == "version") {
        has_version = true;
        std::string_view version;
        if (v.type() != json_type::string || v.get_string().get(version) != simdjson::SUCCESS ||
            version != "1.0")
          fail("version " + std::string(v.raw_json_token()) +
               " is not supported (this llmspell reads version \"1.0\")");
      } else if (key == "exported_at") {
        has_exported = true;
        if (v.type() != json_type::string) fail("exported_at must be a string");
      } else if (key == "source_backend") {
        has_source = true;
        std::string_view s;
        if (v.type() != json_type::string) fail("source_backend must be a string");
        s = v.get_string();
        if (s != "sqlite" && s != "postgresql" && s != "memory")
          fail("source_backend '" + std::string(s) + "' is not sqlite, postgresql or memory");
        result.source_backend = s;
      } else if (key == "migrations") {
        has_migrations = true;
        if (v.type() != json_type::array) fail("migrations must be an array of names");
        for (auto m : v.get_array())
          if (m.type() != json_type::string) fail("migrations must be an array of names");
      } else if (key == "tenant") {
        if (v.type() != json_type::null && v.type() != json_type::string)
          fail("tenant must be null or a string");
      } else {
        fail("unknown member '" + std::string(key) + "'");
      }
    }
    if (!has_version) fail("no version");
    if (!has_exported) fail("no exported_at");
    if (!has_source) fail("no source_backend");
    if (!has_migrations) fail("no migrations");
    if (!has_data) fail("no data");
    top.reset();
    od::object data = top.find_field_unordered("data").get_object();
    std::vector<bool> present(transfer_tables().size(), false);
    for (auto field : data) {
      std::string_view key = field.unescaped_key();
      const TableSpec* spec = find_transfer_table(key);
      if (spec == nullptr) fail("data has an unknown table '" + std::string(key) + "'");
      auto i = static_cast<std::size_t>(spec - transfer_tables().data());
      if (present[i]) fail("data has the table '" + std::string(key) + "' twice");
      present[i] = true;
    }
    for (std::size_t i = 0; i < present.size(); ++i)
      if (!present[i])
        fail("data has no section '" + std::string(transfer_tables()[i].name) +
             "' (an export has all 15, empty ones as [])");

    sink_.begin(tenant_);
    data.reset();
    for (const TableSpec& spec : transfer_tables()) {
      at_ = Position{std::string(spec.name), -1, ""};
      od::value section = data.find_field_unordered(spec.name);
      if (section.type() != json_type::array) fail("must be an array of rows");
      std::int64_t written = import_table(spec, section.get_array());
      result.rows.push_back(written);
      result.total += written;
    }
    at_ = Position{};
    sink_.commit();
    return result;
  }

  std::int64_t import_table(const TableSpec& spec, od::array rows) {
    const std::size_t n = spec.columns.size();
    std::vector<ImportValue> values(n);
    std::vector<bool> seen(n);
    const auto tenant_col = static_cast<std::size_t>(column_index(spec, "tenant_id"));
    const bool entities = spec.name == "graph_entities";
    const bool relationships = spec.name == "graph_relationships";
    int from_col = column_index(spec, "from_entity"), to_col = column_index(spec, "to_entity");
    int id_col = entities ? column_index(spec, "entity_id") : -1;
    struct Endpoint {
      std::int64_t row;
      std::string field, tenant, entity;
    };
    std::vector<Endpoint> unresolved;

    sink_.begin_table(spec);
    std::int64_t position = 0;
    for (auto element : rows) {
      at_.row = position;
      at_.field.clear();
      if (element.type() != json_type::object) fail("a row must be an object");
      std::fill(seen.begin(), seen.end(), false);
      for (auto field : element.get_object()) {
        std::string_view key = field.unescaped_key();
        int idx = column_index(spec, key);
        at_.field.assign(key);
        if (idx < 0) fail("unknown field");
        auto i = static_cast<std::size_t>(idx);
        if (seen[i]) fail("the field appears twice");
        seen[i] = true;
        try {
          read_value(spec.columns[i], spec.dimension, field.value(), values[i]);
        } catch (const ValueError& e) {
          fail(e.message);
        }
      }
      for (std::size_t i = 0; i < n; ++i) {
        if (!seen[i]) {
          at_.field.assign(spec.columns[i].name);
          fail("missing");
        }
      }
      at_.field.clear();
      if (!tenant_ || values[tenant_col].s == *tenant_) {
        if (entities)
          entities_.insert(
              entity_key(values[tenant_col].s, values[static_cast<std::size_t>(id_col)].s));
        if (relationships) {
          for (int c : {from_col, to_col}) {
            const std::string& e = values[static_cast<std::size_t>(c)].s;
            if (!entities_.count(entity_key(values[tenant_col].s, e)))
              unresolved.push_back({position,
                                    std::string(spec.columns[static_cast<std::size_t>(c)].name),
                                    values[tenant_col].s, e});
          }
        }
        sink_.row(values.data(), position);
      }
      ++position;
    }
    at_.row = -1;
    std::int64_t written = sink_.end_table();
    // Endpoints that are not in the file may already be in the database.
    for (const Endpoint& u : unresolved) {
      if (!sink_.entity_exists(u.tenant, u.entity)) {
        at_.row = u.row;
        at_.field = u.field;
        fail("the entity '" + u.entity + "' of tenant '" + u.tenant +
             "' exists neither in graph_entities nor in the database");
      }
    }
    return written;
  }

  ImportSink& sink_;
  const std::optional<std::string>& tenant_;
  Position at_;
  std::unordered_set<std::string> entities_;
};

}  // namespace

std::string record_error(std::string_view table, std::int64_t position, std::string_view field,
                         std::string_view message) {
  std::string out = "data." + std::string(table);
  if (position >= 0) out += "[" + std::to_string(position) + "]";
  if (!field.empty()) out += "." + std::string(field);
  out += ": ";
  out += message;
  return out;
}

ImportResult import_document(simdjson::padded_string_view json, ImportSink& sink,
                             const std::optional<std::string>& tenant) {
  return Reader(sink, tenant).run(json);
}

}  // namespace llmspell::cli
