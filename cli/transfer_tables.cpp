#include "transfer_tables.h"

#include <array>

namespace llmspell::cli {
namespace {

using K = ColumnKind;
using Key = std::string_view;

constexpr Column kEmbeddingColumns[] = {{"tenant_id", K::kText},      {"id", K::kText},
                                        {"scope", K::kText},          {"embedding", K::kVector},
                                        {"metadata", K::kJson},       {"created_at", K::kTimestamp},
                                        {"updated_at", K::kTimestamp}};
constexpr Key kEmbeddingKey[] = {"tenant_id", "id"};

constexpr Column kEntityColumns[] = {{"tenant_id", K::kText},
                                     {"entity_id", K::kText},
                                     {"entity_type", K::kText},
                                     {"name", K::kText},
                                     {"properties", K::kJson},
                                     {"valid_time_start", K::kTimestamp},
                                     {"valid_time_end", K::kTimestamp},
                                     {"transaction_time_start", K::kTimestamp},
                                     {"transaction_time_end", K::kTimestamp},
                                     {"created_at", K::kTimestamp}};
constexpr Key kEntityKey[] = {"tenant_id", "entity_id", "transaction_time_start",
                              "valid_time_start"};

constexpr Column kRelationshipColumns[] = {{"tenant_id", K::kText},
                                           {"relationship_id", K::kText},
                                           {"from_entity", K::kText},
                                           {"to_entity", K::kText},
                                           {"relationship_type", K::kText},
                                           {"properties", K::kJson},
                                           {"valid_time_start", K::kTimestamp},
                                           {"valid_time_end", K::kTimestamp},
                                           {"transaction_time_start", K::kTimestamp},
                                           {"transaction_time_end", K::kTimestamp},
                                           {"created_at", K::kTimestamp}};
constexpr Key kRelationshipKey[] = {"tenant_id", "relationship_id", "transaction_time_start",
                                    "valid_time_start"};

constexpr Column kPatternColumns[] = {
    {"tenant_id", K::kText},      {"scope", K::kText},           {"key", K::kText},
    {"value", K::kText},          {"frequency", K::kInt32},      {"first_seen", K::kTimestamp},
    {"last_seen", K::kTimestamp}, {"created_at", K::kTimestamp}, {"updated_at", K::kTimestamp}};
constexpr Key kPatternKey[] = {"tenant_id", "scope", "key", "value"};

constexpr Column kAgentColumns[] = {
    {"tenant_id", K::kText},     {"agent_id", K::kText},        {"agent_type", K::kText},
    {"state", K::kJson},         {"checksum", K::kText},        {"schema_version", K::kInt32},
    {"data_version", K::kInt64}, {"created_at", K::kTimestamp}, {"updated_at", K::kTimestamp}};
constexpr Key kAgentKey[] = {"tenant_id", "agent_id"};

constexpr Column kKvColumns[] = {{"tenant_id", K::kText},       {"key", K::kText},
                                 {"value", K::kBytes},          {"metadata", K::kJson},
                                 {"created_at", K::kTimestamp}, {"updated_at", K::kTimestamp}};
constexpr Key kKvKey[] = {"tenant_id", "key"};

constexpr Column kWorkflowColumns[] = {{"tenant_id", K::kText},
                                       {"workflow_id", K::kText},
                                       {"workflow_name", K::kText},
                                       {"status", K::kText},
                                       {"current_step", K::kInt32},
                                       {"state", K::kJson},
                                       {"error_message", K::kText, true},
                                       {"started_at", K::kTimestamp, true},
                                       {"completed_at", K::kTimestamp, true},
                                       {"created_at", K::kTimestamp},
                                       {"updated_at", K::kTimestamp}};
constexpr Key kWorkflowKey[] = {"tenant_id", "workflow_id"};

constexpr Column kSessionColumns[] = {{"tenant_id", K::kText},
                                      {"session_id", K::kText},
                                      {"status", K::kText},
                                      {"name", K::kText, true},
                                      {"metadata", K::kJson},
                                      {"state", K::kJson},
                                      {"artifact_count", K::kInt32},
                                      {"expires_at", K::kTimestamp, true},
                                      {"last_accessed_at", K::kTimestamp},
                                      {"created_at", K::kTimestamp},
                                      {"updated_at", K::kTimestamp}};
constexpr Key kSessionKey[] = {"tenant_id", "session_id"};

constexpr Column kContentColumns[] = {{"tenant_id", K::kText},      {"content_hash", K::kText},
                                      {"content", K::kBytes},       {"size_bytes", K::kInt64},
                                      {"is_compressed", K::kBool},  {"reference_count", K::kInt32},
                                      {"created_at", K::kTimestamp}};
constexpr Key kContentKey[] = {"tenant_id", "content_hash"};

constexpr Column kArtifactColumns[] = {{"tenant_id", K::kText},      {"artifact_id", K::kText},
                                       {"session_id", K::kText},     {"name", K::kText},
                                       {"artifact_type", K::kText},  {"mime_type", K::kText},
                                       {"content_hash", K::kText},   {"size_bytes", K::kInt64},
                                       {"metadata", K::kJson},       {"created_at", K::kTimestamp},
                                       {"updated_at", K::kTimestamp}};
constexpr Key kArtifactKey[] = {"tenant_id", "artifact_id"};

constexpr Column kEventColumns[] = {
    {"tenant_id", K::kText},        {"event_id", K::kText},
    {"event_type", K::kText},       {"correlation_id", K::kText, true},
    {"occurred_at", K::kTimestamp}, {"sequence", K::kInt64},
    {"source", K::kText, true},     {"payload", K::kJson},
    {"created_at", K::kTimestamp}};
constexpr Key kEventKey[] = {"tenant_id", "event_id", "occurred_at"};

constexpr Column kHookColumns[] = {{"tenant_id", K::kText},
                                   {"execution_id", K::kText},
                                   {"hook_id", K::kText},
                                   {"hook_type", K::kText},
                                   {"correlation_id", K::kText, true},
                                   {"hook_context", K::kBytes},
                                   {"context_compressed", K::kBool},
                                   {"context_size", K::kInt64},
                                   {"result_data", K::kJson},
                                   {"executed_at", K::kTimestamp},
                                   {"duration_ms", K::kInt64},
                                   {"triggering_component", K::kText, true},
                                   {"component_id", K::kText, true},
                                   {"modified_operation", K::kBool},
                                   {"tags", K::kJson},
                                   {"retention_priority", K::kInt32},
                                   {"created_at", K::kTimestamp}};
constexpr Key kHookKey[] = {"tenant_id", "execution_id"};

constexpr std::array<TableSpec, 15> kTables = {{
    {"embeddings_384", "Vectors", kEmbeddingColumns, kEmbeddingKey, 384},
    {"embeddings_768", "Vectors", kEmbeddingColumns, kEmbeddingKey, 768},
    {"embeddings_1536", "Vectors", kEmbeddingColumns, kEmbeddingKey, 1536},
    {"embeddings_3072", "Vectors", kEmbeddingColumns, kEmbeddingKey, 3072},
    {"graph_entities", "Entities", kEntityColumns, kEntityKey},
    {"graph_relationships", "Relationships", kRelationshipColumns, kRelationshipKey},
    {"procedural_patterns", "Procedural patterns", kPatternColumns, kPatternKey},
    {"agent_states", "Agent states", kAgentColumns, kAgentKey},
    {"kv_store", "Key-value entries", kKvColumns, kKvKey},
    {"workflow_states", "Workflow states", kWorkflowColumns, kWorkflowKey},
    {"sessions", "Sessions", kSessionColumns, kSessionKey},
    {"artifact_content", "Artifact contents", kContentColumns, kContentKey},
    {"artifacts", "Artifacts", kArtifactColumns, kArtifactKey},
    {"event_log", "Events", kEventColumns, kEventKey},
    {"hook_history", "Hook executions", kHookColumns, kHookKey},
}};

}  // namespace

std::span<const TableSpec> transfer_tables() { return kTables; }

const TableSpec* find_transfer_table(std::string_view name) {
  for (const TableSpec& t : kTables)
    if (t.name == name) return &t;
  return nullptr;
}

int column_index(const TableSpec& spec, std::string_view name) {
  for (std::size_t i = 0; i < spec.columns.size(); ++i)
    if (spec.columns[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace llmspell::cli
