#include "hnsw_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

#include "statement.h"

namespace llmspell::sqlite::hnsw_vtab {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// "a = b" -> "a=b", so that options and column settings may be written with or without spaces.
std::string tighten_equals(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=') {
      while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
      out.push_back('=');
      while (i + 1 < s.size() && std::isspace(static_cast<unsigned char>(s[i + 1]))) ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) words.emplace_back(s.substr(start, i - start));
  }
  return words;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

class Parser {
 public:
  Parser(const std::string& schema, const std::string& table) {
    config_.schema = schema;
    config_.table = table;
  }

  void argument(std::string_view raw) {
    std::string arg = tighten_equals(trim(raw));
    if (arg.empty()) fail("empty argument");
    std::size_t eq = arg.find('=');
    if (eq != std::string::npos && is_identifier(arg.substr(0, eq)) &&
        arg.find_first_of(" \t\r\n") == std::string::npos) {
      option(lower(arg.substr(0, eq)), arg.substr(eq + 1));
    } else {
      column(arg);
    }
  }

  TableConfig finish() {
    if (config_.vector_column < 0)
      fail("no vector column: declare one as \"name float[N]\", for example embedding float[768]");
    return std::move(config_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw SqlError(SQLITE_ERROR, config_.table + ": " + message);
  }
  [[noreturn]] void fail_column(const std::string& column, const std::string& message) const {
    throw SqlError(SQLITE_ERROR, config_.table + "." + column + ": " + message);
  }

  std::uint64_t number(const std::string& key, std::string_view value, std::uint64_t min,
                       std::uint64_t max) const {
    auto v = parse_unsigned(value);
    if (!v || *v < min || *v > max) {
      fail("option " + key + " must be an integer between " + std::to_string(min) + " and " +
           std::to_string(max) + ", not \"" + std::string(value) + "\"");
    }
    return *v;
  }

  void option(const std::string& key, std::string_view value) {
    if (std::find(seen_options_.begin(), seen_options_.end(), key) != seen_options_.end())
      fail("option " + key + " given twice");
    seen_options_.push_back(key);
    if (key == "m") {
      config_.params.m = static_cast<std::uint32_t>(number(key, value, hnsw::kMinM, hnsw::kMaxM));
    } else if (key == "ef_construction") {
      config_.params.ef_construction = static_cast<std::uint32_t>(
          number(key, value, hnsw::kMinEfConstruction, hnsw::kMaxEfConstruction));
    } else if (key == "ef_search") {
      config_.ef_search = static_cast<std::uint32_t>(number(key, value, 1, hnsw::kMaxEfSearch));
    } else if (key == "cache_mb") {
      config_.cache_mb = static_cast<std::size_t>(number(key, value, 1, kMaxCacheMb));
    } else {
      fail("unknown option \"" + key + "\" (options: m, ef_construction, ef_search, cache_mb)");
    }
  }

  void check_name(const std::string& name) const {
    if (!is_identifier(name))
      fail("invalid column name \"" + name + "\" (letters, digits and _ only)");
    static constexpr const char* kReserved[] = {"rowid", "oid",       "_rowid_", "distance",
                                                "k",     "ef_search", "exact"};
    std::string l = lower(name);
    for (const char* r : kReserved) {
      if (l == r) fail("column name \"" + name + "\" is reserved");
    }
    for (const ColumnSpec& c : config_.columns) {
      if (lower(c.name) == l) fail("column \"" + name + "\" declared twice");
    }
  }

  void column(const std::string& arg) {
    std::vector<std::string> words = split_words(arg);
    ColumnSpec spec;
    if (words[0][0] == '+') {
      spec.kind = ColumnKind::kAux;
      spec.name = words[0].substr(1);
      std::size_t first_type = 1;
      if (spec.name.empty() && words.size() > 1) {
        spec.name = words[1];
        first_type = 2;
      }
      check_name(spec.name);
      for (std::size_t i = first_type; i < words.size(); ++i) {
        if (!spec.declared_type.empty()) spec.declared_type += ' ';
        spec.declared_type += words[i];
      }
      bool plain = std::all_of(spec.declared_type.begin(), spec.declared_type.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ' || c == '(' ||
               c == ')' || c == ',';
      });
      if (!plain) fail_column(spec.name, "invalid type \"" + spec.declared_type + "\"");
      if (lower(spec.name) == kTenantColumn)
        fail_column(spec.name, "the tenant column must be a filter column (text or integer)");
      config_.columns.push_back(std::move(spec));
      return;
    }
    spec.name = words[0];
    check_name(spec.name);
    if (words.size() < 2) {
      fail_column(spec.name,
                  "missing type: float[N] for the vector, text or integer for a filter column "
                  "(prefix auxiliary columns with +)");
    }
    std::string type = lower(words[1]);
    if (type.rfind("float[", 0) == 0 && type.back() == ']') {
      vector_column(spec, type, words);
      return;
    }
    if (type == "text") {
      spec.filter_type = FilterType::kText;
    } else if (type == "integer" || type == "int") {
      spec.filter_type = FilterType::kInteger;
    } else {
      fail_column(spec.name, "unsupported type \"" + words[1] +
                                 "\": float[N] for the vector, text or integer for a filter "
                                 "column (prefix auxiliary columns with +)");
    }
    if (words.size() > 2) fail_column(spec.name, "unexpected \"" + words[2] + "\" after the type");
    spec.kind = ColumnKind::kFilter;
    spec.filter_ordinal = static_cast<int>(config_.filter_columns.size());
    int index = config_.column_count();
    config_.filter_columns.push_back(index);
    if (lower(spec.name) == kTenantColumn) config_.tenant_column = index;
    config_.columns.push_back(std::move(spec));
  }

  void vector_column(ColumnSpec& spec, const std::string& type,
                     const std::vector<std::string>& words) {
    if (config_.vector_column >= 0)
      fail_column(spec.name, "a table has one vector column, and " +
                                 config_.columns[config_.vector_column].name + " is already one");
    std::string digits = type.substr(6, type.size() - 7);
    auto dims = parse_unsigned(digits);
    if (!dims || *dims < 1 || *dims > kMaxDims) {
      fail_column(spec.name, "dimensions must be between 1 and " + std::to_string(kMaxDims) +
                                 ", not \"" + digits + "\"");
    }
    config_.params.dims = static_cast<std::uint32_t>(*dims);
    for (std::size_t i = 2; i < words.size(); ++i) {
      std::size_t eq = words[i].find('=');
      std::string key = lower(words[i].substr(0, eq));
      if (eq == std::string::npos || key != "distance") {
        fail_column(spec.name, "unknown setting \"" + words[i] +
                                   "\" (the vector column takes distance=l2|cosine|ip)");
      }
      std::string value = lower(words[i].substr(eq + 1));
      if (value == "l2" || value == "euclidean") {
        config_.params.metric = hnsw::Metric::kL2;
      } else if (value == "cosine") {
        config_.params.metric = hnsw::Metric::kCosine;
      } else if (value == "ip" || value == "inner_product" || value == "dot") {
        config_.params.metric = hnsw::Metric::kInnerProduct;
      } else {
        fail_column(spec.name,
                    "unknown distance \"" + words[i].substr(eq + 1) + "\" (l2, cosine or ip)");
      }
    }
    spec.kind = ColumnKind::kVector;
    config_.vector_column = config_.column_count();
    config_.columns.push_back(std::move(spec));
  }

  TableConfig config_;
  std::vector<std::string> seen_options_;
};

}  // namespace

int TableConfig::row_column(int column) const {
  int c = 0;
  for (int i = 0; i < column; ++i) {
    if (columns[i].kind != ColumnKind::kVector) ++c;
  }
  return c;
}

std::string TableConfig::declaration() const {
  std::string sql = "CREATE TABLE x(";
  for (const ColumnSpec& c : columns) {
    sql += quote_identifier(c.name);
    switch (c.kind) {
      case ColumnKind::kVector:
        sql += " BLOB";
        break;
      case ColumnKind::kFilter:
        sql += c.filter_type == FilterType::kText ? " TEXT" : " INTEGER";
        break;
      case ColumnKind::kAux:
        if (!c.declared_type.empty()) sql += " " + c.declared_type;
        break;
    }
    sql += ", ";
  }
  sql += "distance REAL HIDDEN, k INTEGER HIDDEN, ef_search INTEGER HIDDEN, exact INTEGER HIDDEN)";
  return sql;
}

const char* TableConfig::metric_name() const {
  switch (params.metric) {
    case hnsw::Metric::kL2:
      return "l2";
    case hnsw::Metric::kCosine:
      return "cosine";
    case hnsw::Metric::kInnerProduct:
      return "ip";
  }
  return "l2";
}

TableConfig parse_config(const std::string& schema, const std::string& table, int argc,
                         const char* const* argv) {
  Parser parser(schema, table);
  for (int i = 0; i < argc; ++i) parser.argument(argv[i]);
  return parser.finish();
}

}  // namespace llmspell::sqlite::hnsw_vtab
