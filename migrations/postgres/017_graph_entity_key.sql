-- 017_graph_entity_key: the index a traversal's visibility checks descend.
--
-- A traversal asks, for every entity it would reach, whether a version is visible at its as-of
-- point: a thousand index probes for a 1000-entity walk, each a B-tree descent. On
-- graph_entities_lookup every step of a descent compares two text values (tenant_id, then
-- entity_id). This index leads with one int8, the hash of the pair, and covers what the check
-- reads, so the probes are index-only. The hash is not unique: a reader compares tenant_id and
-- entity_id too (the graph functions do). tenant_id is the first input of the key, so the index
-- stays tenant-scoped like every other one.
CREATE INDEX IF NOT EXISTS graph_entities_key ON llmspell.graph_entities
  (hashtextextended(tenant_id || ':' || entity_id, 0))
  INCLUDE (tenant_id, entity_id, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
