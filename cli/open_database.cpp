#include "open_database.h"

#include <filesystem>

#include "migrator.h"
#include "postgres_database.h"
#include "sqlite_database.h"

namespace llmspell::cli {

std::unique_ptr<Database> open_database(const Config& config, OpenPurpose purpose,
                                        const std::vector<Migration>& files) {
  switch (config.backend) {
    case Backend::kPostgres:
      return std::make_unique<PostgresDatabase>(config.postgresql);
    case Backend::kMemory: {
      auto db = std::make_unique<SqliteDatabase>(config, true);
      if (purpose == OpenPurpose::kInspect) apply_pending(*db, files);
      return db;
    }
    case Backend::kSqlite: {
      std::error_code ec;
      if (purpose == OpenPurpose::kInspect && !std::filesystem::exists(config.sqlite.path, ec)) {
        return nullptr;
      }
      return std::make_unique<SqliteDatabase>(config, purpose == OpenPurpose::kMigrate);
    }
  }
  return nullptr;
}

}  // namespace llmspell::cli
