#include "migrations.h"

#include <gtest/gtest.h>

#include <fstream>

#include "errors.h"
#include "migrator.h"
#include "sha256.h"

namespace llmspell::cli {
namespace {
namespace fs = std::filesystem;

TEST(Migrations, Versions) {
  EXPECT_EQ(migration_version("001_initial.sql"), 1);
  EXPECT_EQ(migration_version("15_x_y.sql"), 15);
  EXPECT_FALSE(migration_version("initial.sql"));
  EXPECT_FALSE(migration_version("001initial.sql"));
  EXPECT_FALSE(migration_version("001_.sql"));
  EXPECT_FALSE(migration_version("001_a-b.sql"));
  EXPECT_FALSE(migration_version("001_a.txt"));
}

TEST(Migrations, BuiltInSets) {
  auto pg = load_migrations(Backend::kPostgres, std::nullopt);
  ASSERT_EQ(pg.size(), 17u);
  EXPECT_EQ(pg.front().name, "001_initial.sql");
  for (std::size_t i = 0; i < pg.size(); ++i) {
    EXPECT_EQ(pg[i].version, static_cast<int>(i) + 1);
    EXPECT_EQ(pg[i].checksum, sha256_hex(pg[i].sql));
  }
  auto sqlite = load_migrations(Backend::kSqlite, std::nullopt);
  EXPECT_GE(sqlite.size(), 14u);
  EXPECT_EQ(load_migrations(Backend::kMemory, std::nullopt).size(), sqlite.size());
}

TEST(Migrations, Sha256) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Migrations, Directory) {
  fs::path dir = fs::temp_directory_path() / ("llmspell-mig-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "002_b.sql") << "SELECT 2;";
  std::ofstream(dir / "001_a.sql") << "SELECT 1;";
  std::ofstream(dir / "README.md") << "not a migration";
  auto list = load_migrations(Backend::kSqlite, dir);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "001_a.sql");
  EXPECT_EQ(list[0].origin, (dir / "001_a.sql").string());
  EXPECT_EQ(find_migration(list, "001_a.sql"), &list[0]);
  EXPECT_EQ(find_migration(list, "002_b"), &list[1]);
  EXPECT_EQ(find_migration(list, "2"), &list[1]);
  EXPECT_EQ(find_migration(list, "002"), &list[1]);
  EXPECT_EQ(find_migration(list, "003"), nullptr);
  std::ofstream(dir / "001_dup.sql") << "SELECT 1;";
  EXPECT_THROW(load_migrations(Backend::kSqlite, dir), CliError);
  fs::remove(dir / "001_dup.sql");
  std::ofstream(dir / "bad name.sql") << "SELECT 1;";
  EXPECT_THROW(load_migrations(Backend::kSqlite, dir), CliError);
  fs::remove_all(dir);
  EXPECT_THROW(load_migrations(Backend::kSqlite, dir), CliError);
}

TEST(Migrations, Status) {
  std::vector<Migration> files(3);
  for (int i = 0; i < 3; ++i) {
    files[i].name = "00" + std::to_string(i + 1) + "_m.sql";
    files[i].version = i + 1;
    files[i].checksum = "sum" + std::to_string(i + 1);
  }
  std::vector<AppliedMigration> applied = {{"001_m.sql", 1, "sum1", "t", 1},
                                           {"002_m.sql", 2, "old", "t", 1},
                                           {"009_gone.sql", 9, "x", "t", 1}};
  auto status = migration_status(files, applied);
  ASSERT_EQ(status.size(), 4u);
  EXPECT_EQ(status[0].state, MigrationState::kApplied);
  EXPECT_EQ(status[1].state, MigrationState::kChanged);
  EXPECT_EQ(status[2].state, MigrationState::kPending);
  EXPECT_EQ(status[3].state, MigrationState::kMissing);
  StatusCounts c = count_states(status);
  EXPECT_EQ(c.applied, 1);
  EXPECT_EQ(c.changed, 1);
  EXPECT_EQ(c.pending, 1);
  EXPECT_EQ(c.missing, 1);
}

}  // namespace
}  // namespace llmspell::cli
