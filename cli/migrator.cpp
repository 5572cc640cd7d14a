#include "migrator.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "errors.h"
#include "json_writer.h"
#include "output.h"

namespace llmspell::cli {

const char* state_name(MigrationState s) {
  switch (s) {
    case MigrationState::kApplied:
      return "applied";
    case MigrationState::kPending:
      return "pending";
    case MigrationState::kChanged:
      return "changed";
    case MigrationState::kMissing:
      return "missing";
  }
  return "?";
}

std::vector<MigrationStatus> migration_status(const std::vector<Migration>& files,
                                              const std::vector<AppliedMigration>& applied) {
  std::map<std::string, const AppliedMigration*> by_name;
  for (const AppliedMigration& a : applied) by_name[a.name] = &a;
  std::vector<MigrationStatus> out;
  for (const Migration& f : files) {
    MigrationStatus s;
    s.name = f.name;
    s.version = f.version;
    s.file = &f;
    auto it = by_name.find(f.name);
    if (it == by_name.end()) {
      s.state = MigrationState::kPending;
    } else {
      s.record = *it->second;
      s.state =
          it->second->checksum == f.checksum ? MigrationState::kApplied : MigrationState::kChanged;
      by_name.erase(it);
    }
    out.push_back(std::move(s));
  }
  for (const auto& [name, record] : by_name) {
    MigrationStatus s;
    s.name = name;
    s.version = record->version;
    s.state = MigrationState::kMissing;
    s.record = *record;
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const MigrationStatus& a, const MigrationStatus& b) {
    return a.version != b.version ? a.version < b.version : a.name < b.name;
  });
  return out;
}

StatusCounts count_states(const std::vector<MigrationStatus>& status) {
  StatusCounts c;
  for (const MigrationStatus& s : status) {
    switch (s.state) {
      case MigrationState::kApplied:
        ++c.applied;
        break;
      case MigrationState::kPending:
        ++c.pending;
        break;
      case MigrationState::kChanged:
        ++c.changed;
        break;
      case MigrationState::kMissing:
        ++c.missing;
        break;
    }
  }
  return c;
}

namespace {

std::string short_sum(const std::string& checksum) { return checksum.substr(0, 12); }

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string backend_title(Backend backend, const std::string& target) {
  switch (backend) {
    case Backend::kPostgres:
      return "PostgreSQL " + target;
    case Backend::kSqlite:
      return "SQLite " + target;
    case Backend::kMemory:
      return "the memory database (SQLite :memory:, gone when the command ends)";
  }
  return target;
}

std::string backend_title(const Database& db) { return backend_title(db.backend(), db.target()); }

class MigrationLock {
 public:
  explicit MigrationLock(Database& db) : db_(db) { db_.lock_migrations(); }
  ~MigrationLock() {
    try {
      db_.unlock_migrations();
    } catch (...) {
      // The connection is closed next anyway, which releases the lock.
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Database& db_;
};

std::string format_ms(std::int64_t ms) {
  if (ms < 1000) return std::to_string(ms) + " ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

void report_changed(const std::vector<MigrationStatus>& status) {
  int changed = count_states(status).changed;
  print_error(
      "migrate refused: " + plural(changed, "applied migration has", "applied migrations have") +
      " changed since " + (changed == 1 ? "it was" : "they were") + " applied; nothing was run");
  for (const MigrationStatus& s : status) {
    if (s.state != MigrationState::kChanged) continue;
    print_note("  " + s.name + ": applied " + s.record->applied_at + " with checksum " +
               short_sum(s.record->checksum) + ", the file now has " + short_sum(s.file->checksum));
  }
  for (const MigrationStatus& s : status) {
    if (s.state != MigrationState::kChanged) continue;
    print_note(
        "  restore the file, or re-apply it deliberately: llmspell database migrations apply "
        "--migration " +
        s.name + " --force");
    break;
  }
}

}  // namespace

int apply_pending(Database& db, const std::vector<Migration>& files) {
  // The lock first: two processes creating the history table at once would collide.
  MigrationLock lock(db);
  db.prepare_history();
  int applied = 0;
  for (const MigrationStatus& s : migration_status(files, db.applied_migrations())) {
    if (s.state != MigrationState::kPending) continue;
    db.apply(*s.file);
    ++applied;
  }
  return applied;
}

int run_migrate(Database& db, const std::vector<Migration>& files, bool json) {
  // The lock first: two processes creating the history table at once would collide.
  MigrationLock lock(db);
  db.prepare_history();
  std::vector<MigrationStatus> status = migration_status(files, db.applied_migrations());
  StatusCounts counts = count_states(status);
  JsonWriter out;
  out.begin_object()
      .key("backend")
      .value(backend_name(db.backend()))
      .key("target")
      .value(db.target());

  if (counts.missing > 0) {
    for (const MigrationStatus& s : status) {
      if (s.state == MigrationState::kMissing) {
        print_warning(s.name +
                      " is applied in the database but unknown to this llmspell (a newer version "
                      "applied it?)");
      }
    }
  }
  if (counts.changed > 0) {
    report_changed(status);
    if (json) {
      out.key("status").value("blocked").key("changed").begin_array();
      for (const MigrationStatus& s : status) {
        if (s.state == MigrationState::kChanged) out.value(s.name);
      }
      out.end_array().end_object();
      print_line(out.str());
    }
    return kExitFailure;
  }

  const int total = static_cast<int>(files.size());
  if (counts.pending == 0) {
    std::vector<std::string> notes = db.after_migrate();
    if (json) {
      out.key("status").value("ok").key("applied").begin_array().end_array();
      out.key("total").value(total).end_object();
      print_line(out.str());
    } else {
      print_line("Nothing to migrate: " + std::to_string(counts.applied) + "/" +
                 std::to_string(total) + " migrations applied (" + backend_title(db) + ").");
      for (const std::string& n : notes) print_line(n);
    }
    return kExitOk;
  }

  if (!json) {
    print_line("Migrating " + backend_title(db) + ": " +
               plural(counts.pending, "pending migration", "pending migrations") + " of " +
               std::to_string(total));
  }
  out.key("applied").begin_array();
  std::int64_t total_ms = 0;
  int done = 0;
  for (const MigrationStatus& s : status) {
    if (s.state != MigrationState::kPending) continue;
    std::int64_t ms = 0;
    try {
      ms = db.apply(*s.file);
    } catch (const CliError& e) {
      out.end_array().key("status").value("failed").key("failed").value(s.name);
      out.key("error").value(e.what()).end_object();
      if (json) print_line(out.str());
      print_error(e.what());
      if (!e.detail().empty()) print_note(e.detail());
      print_note("  nothing of " + s.name + " was applied; " +
                 plural(counts.applied + done, "migration remains", "migrations remain") +
                 " applied, " + plural(counts.pending - done, "is", "are") + " pending");
      return kExitFailure;
    }
    total_ms += ms;
    ++done;
    out.begin_object().key("name").value(s.name).key("duration_ms").value(ms).end_object();
    if (!json) {
      std::string dots(std::max<std::size_t>(3, 34 - std::min<std::size_t>(34, s.name.size())),
                       '.');
      print_line("  " + s.name + " " + dots + " ok (" + format_ms(ms) + ")");
    }
  }
  std::vector<std::string> notes = db.after_migrate();
  out.end_array().key("status").value("ok").key("total").value(total).end_object();
  if (json) {
    print_line(out.str());
  } else {
    print_line("Applied " + plural(done, "migration", "migrations") + " in " + format_ms(total_ms) +
               "; " + std::to_string(counts.applied + done) + "/" + std::to_string(total) +
               " applied.");
    for (const std::string& n : notes) print_line(n);
  }
  return kExitOk;
}

int run_list(Backend backend, const std::string& target, const std::vector<Migration>& files,
             const std::optional<std::vector<AppliedMigration>>& applied, bool json) {
  const bool database_exists = applied.has_value();
  std::vector<MigrationStatus> status =
      migration_status(files, applied ? *applied : std::vector<AppliedMigration>{});
  StatusCounts c = count_states(status);
  if (json) {
    JsonWriter out;
    out.begin_object().key("backend").value(backend_name(backend)).key("target").value(target);
    out.key("database_exists").value(database_exists).key("migrations").begin_array();
    for (const MigrationStatus& s : status) {
      out.begin_object().key("name").value(s.name).key("version").value(s.version);
      out.key("status").value(state_name(s.state));
      out.key("applied_at");
      if (s.record) {
        out.value(s.record->applied_at);
      } else {
        out.null();
      }
      out.key("duration_ms");
      if (s.record) {
        out.value(s.record->duration_ms);
      } else {
        out.null();
      }
      out.key("checksum");
      if (s.file) {
        out.value(s.file->checksum);
      } else {
        out.null();
      }
      out.key("applied_checksum");
      if (s.record) {
        out.value(s.record->checksum);
      } else {
        out.null();
      }
      out.end_object();
    }
    out.end_array().key("applied").value(c.applied).key("pending").value(c.pending);
    out.key("changed").value(c.changed).key("missing").value(c.missing).end_object();
    print_line(out.str());
    return kExitOk;
  }
  print_line("Migrations of " + backend_title(backend, target) +
             (database_exists ? "" : " (the database does not exist yet)"));
  std::size_t width = 9;
  for (const MigrationStatus& s : status) width = std::max(width, s.name.size());
  auto pad = [](std::string s, std::size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  print_line(pad("MIGRATION", width) + "  " + pad("STATUS", 8) + "  " + pad("APPLIED AT", 23) +
             "  CHECKSUM");
  for (const MigrationStatus& s : status) {
    std::string when = s.record ? s.record->applied_at : "";
    std::string sum;
    switch (s.state) {
      case MigrationState::kApplied:
      case MigrationState::kPending:
        sum = short_sum(s.file->checksum);
        break;
      case MigrationState::kChanged:
        sum = "applied " + short_sum(s.record->checksum) + ", file now " +
              short_sum(s.file->checksum);
        break;
      case MigrationState::kMissing:
        sum = short_sum(s.record->checksum) + " (no such file here)";
        break;
    }
    print_line(pad(s.name, width) + "  " + pad(state_name(s.state), 8) + "  " + pad(when, 23) +
               "  " + sum);
  }
  std::string summary = plural(static_cast<int>(files.size()), "migration", "migrations") + ": " +
                        std::to_string(c.applied) + " applied, " + std::to_string(c.pending) +
                        " pending";
  if (c.changed > 0) summary += ", " + std::to_string(c.changed) + " changed since applied";
  if (c.missing > 0) summary += ", " + std::to_string(c.missing) + " applied but unknown here";
  print_line(summary);
  return kExitOk;
}

int run_apply(Database& db, const std::vector<Migration>& files, const std::string& name,
              bool force, bool json) {
  const Migration* m = find_migration(files, name);
  if (m == nullptr) {
    throw CliError("unknown migration '" + name +
                   "' (`llmspell database migrations list` shows them)");
  }
  // The lock first: two processes creating the history table at once would collide.
  MigrationLock lock(db);
  db.prepare_history();
  std::vector<MigrationStatus> status = migration_status(files, db.applied_migrations());
  const MigrationStatus* mine = nullptr;
  std::vector<std::string> earlier_pending;
  for (const MigrationStatus& s : status) {
    if (s.file == m) mine = &s;
    if (s.state == MigrationState::kPending && s.file != m && s.version < m->version) {
      earlier_pending.push_back(s.name);
    }
  }
  if (!force) {
    if (mine->state == MigrationState::kApplied) {
      throw CliError(m->name + " is already applied (" + mine->record->applied_at +
                     "); --force re-applies it");
    }
    if (mine->state == MigrationState::kChanged) {
      throw CliError(m->name + " changed since it was applied (" + mine->record->applied_at +
                     ", checksum " + short_sum(mine->record->checksum) + ", now " +
                     short_sum(m->checksum) + "); --force re-applies it");
    }
    if (!earlier_pending.empty()) {
      std::string list;
      for (const std::string& e : earlier_pending) list += (list.empty() ? "" : ", ") + e;
      throw CliError(m->name + " comes after pending migrations (" + list +
                     "): run `llmspell database migrate`, or --force to apply it alone");
    }
  }
  const bool reapply = mine->state != MigrationState::kPending;
  std::int64_t ms = db.apply(*m);
  if (json) {
    JsonWriter out;
    out.begin_object()
        .key("backend")
        .value(backend_name(db.backend()))
        .key("target")
        .value(db.target());
    out.key("status").value("ok").key("name").value(m->name).key("reapplied").value(reapply);
    out.key("checksum").value(m->checksum).key("duration_ms").value(ms).end_object();
    print_line(out.str());
  } else if (reapply) {
    std::string sums =
        mine->record->checksum == m->checksum
            ? "checksum " + short_sum(m->checksum) + " unchanged"
            : "checksum " + short_sum(mine->record->checksum) + " -> " + short_sum(m->checksum);
    print_line("Re-applied " + m->name + " (" + format_ms(ms) + "; " + sums + ").");
  } else {
    print_line("Applied " + m->name + " (" + format_ms(ms) + ").");
  }
  return kExitOk;
}

}  // namespace llmspell::cli
