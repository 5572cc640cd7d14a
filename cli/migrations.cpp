#include "migrations.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "errors.h"
#include "sha256.h"

namespace llmspell::cli {
namespace fs = std::filesystem;

std::string_view migrations_subdir(Backend backend) {
  return backend == Backend::kPostgres ? "postgres" : "sqlite";
}

std::optional<int> migration_version(std::string_view name) {
  constexpr std::string_view kSuffix = ".sql";
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string_view stem = name.substr(0, name.size() - kSuffix.size());
  std::size_t digits = 0;
  while (digits < stem.size() && std::isdigit(static_cast<unsigned char>(stem[digits]))) ++digits;
  if (digits == 0 || digits > 9 || digits + 1 >= stem.size() || stem[digits] != '_') {
    return std::nullopt;
  }
  for (char c : stem.substr(digits + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
  }
  return std::stoi(std::string(stem.substr(0, digits)));
}

namespace {

Migration make_migration(std::string name, std::string sql, std::string origin) {
  Migration m;
  m.version = *migration_version(name);
  m.name = std::move(name);
  m.checksum = sha256_hex(sql);
  m.sql = std::move(sql);
  m.origin = std::move(origin);
  return m;
}

void sort_and_check(std::vector<Migration>& list, const std::string& where) {
  std::sort(list.begin(), list.end(), [](const Migration& a, const Migration& b) {
    return a.version != b.version ? a.version < b.version : a.name < b.name;
  });
  for (std::size_t i = 1; i < list.size(); ++i) {
    if (list[i].version == list[i - 1].version) {
      throw CliError(where + ": " + list[i - 1].name + " and " + list[i].name +
                     " have the same version " + std::to_string(list[i].version));
    }
  }
}

}  // namespace

std::vector<Migration> load_migrations(Backend backend, const std::optional<fs::path>& dir) {
  std::vector<Migration> list;
  if (!dir) {
    std::string prefix = std::string(migrations_subdir(backend)) + "/";
    for (const EmbeddedFile& f : embedded_migration_files()) {
      std::string_view path(f.path);
      if (path.rfind(prefix, 0) != 0) continue;
      list.push_back(make_migration(std::string(path.substr(prefix.size())),
                                    std::string(reinterpret_cast<const char*>(f.data), f.size),
                                    "built-in"));
    }
    sort_and_check(list, "built-in migrations");
    return list;
  }
  std::error_code ec;
  if (!fs::is_directory(*dir, ec)) {
    throw CliError("migrations directory " + dir->string() + ": " +
                   (fs::exists(*dir, ec) ? "not a directory" : "no such directory"));
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(*dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;  // READMEs and the like
    if (!migration_version(name)) {
      throw CliError("migrations directory " + dir->string() + ": " + name +
                     " is not named NNN_name.sql (digits, underscore, letters/digits/underscores)");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) throw CliError(entry.path().string() + ": cannot be read");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    list.push_back(make_migration(name, bytes.str(), entry.path().string()));
  }
  sort_and_check(list, "migrations directory " + dir->string());
  return list;
}

const Migration* find_migration(const std::vector<Migration>& migrations, std::string_view query) {
  for (const Migration& m : migrations) {
    if (m.name == query) return &m;
  }
  for (const Migration& m : migrations) {
    if (m.name.substr(0, m.name.size() - 4) == query) return &m;
  }
  bool numeric = !query.empty() && std::all_of(query.begin(), query.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (numeric && query.size() <= 9) {
    int version = std::stoi(std::string(query));
    for (const Migration& m : migrations) {
      if (m.version == version) return &m;
    }
  }
  return nullptr;
}

}  // namespace llmspell::cli
