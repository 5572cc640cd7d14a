#include "schema_manifest.h"

namespace llmspell::cli {
namespace {

std::vector<TableManifest> build(bool postgres) {
  std::vector<TableManifest> t;
  for (const char* d : {"384", "768", "1536", "3072"}) {
    std::string e = std::string("embeddings_") + d;
    if (postgres) {
      t.push_back({e, {e + "_pkey", e + "_scope_idx", e + "_hnsw"}, {e + "_updated_at"}});
    } else {
      t.push_back(
          {e,
           {e + "_key", e + "_scope_idx", e + "_hnsw"},
           {e + "_updated_at", e + "_hnsw_insert", e + "_hnsw_update", e + "_hnsw_delete"}});
    }
  }
  auto idx = [&](const std::string& table, std::vector<std::string> suffixes) {
    std::vector<std::string> out;
    for (const std::string& s : suffixes) out.push_back(table + "_" + s);
    return out;
  };
  // The graph tables follow the graph functions' reference DDL (pg_extension/sql/graph_schema.sql).
  if (postgres) {
    t.push_back({"graph_entities",
                 idx("graph_entities", {"pkey", "no_overlap", "lookup", "key", "type", "properties",
                                        "tx_start", "tx_end"}),
                 {"graph_entities_immutable"}});
    t.push_back({"graph_relationships",
                 idx("graph_relationships", {"pkey", "no_overlap", "out", "in", "out_key", "in_key",
                                             "tx_start", "tx_end"}),
                 {"graph_relationships_immutable"}});
  } else {
    t.push_back({"graph_entities",
                 idx("graph_entities", {"pkey", "lookup", "type", "tx_start", "tx_end"}),
                 idx("graph_entities", {"no_overlap", "immutable"})});
    t.push_back({"graph_relationships",
                 idx("graph_relationships", {"pkey", "out", "in", "tx_start", "tx_end"}),
                 idx("graph_relationships", {"no_overlap", "immutable"})});
  }
  t.push_back({"procedural_patterns",
               idx("procedural_patterns", {"pkey", "learned_idx", "last_seen_idx"}),
               {"procedural_patterns_updated_at"}});
  t.push_back({"agent_states", idx("agent_states", {"pkey", "type_idx", "updated_idx"}),
               postgres ? idx("agent_states", {"data_version", "updated_at"})
                        : idx("agent_states", {"after_update"})});
  t.push_back({"kv_store", idx("kv_store", {"pkey", "updated_idx"}), {"kv_store_updated_at"}});
  t.push_back({"workflow_states", idx("workflow_states", {"pkey", "status_idx", "name_idx"}),
               postgres ? idx("workflow_states", {"lifecycle", "updated_at"})
                        : idx("workflow_states", {"transition", "after_insert", "after_update"})});
  t.push_back({"sessions", idx("sessions", {"pkey", "status_idx", "expiry_idx"}),
               postgres ? idx("sessions", {"before_update"})
                        : idx("sessions", {"touch_throttle", "updated_at"})});
  t.push_back({"artifact_content", idx("artifact_content", {"pkey"}), {}});
  t.push_back({"artifacts", idx("artifacts", {"pkey", "session_idx", "content_idx"}),
               postgres ? idx("artifacts", {"updated_at", "references"})
                        : idx("artifacts", {"after_insert", "after_update_references",
                                            "after_delete", "updated_at"})});
  t.push_back(
      {"event_log",
       idx("event_log", {"pkey", "sequence_idx", "correlation_idx", "type_idx", "time_idx"}),
       postgres ? std::vector<std::string>{}
                : idx("event_log", {"sequence_next", "sequence_keep"})});
  t.push_back({"hook_history",
               idx("hook_history", {"pkey", "hook_idx", "correlation_idx", "retention_idx"}),
               {}});
  return t;
}

}  // namespace

const std::vector<TableManifest>& schema_manifest(Backend backend) {
  static const std::vector<TableManifest> postgres = build(true);
  static const std::vector<TableManifest> sqlite = build(false);
  return backend == Backend::kPostgres ? postgres : sqlite;
}

}  // namespace llmspell::cli
