-- 017_graph_traversal_keys: the indexes a traversal descends, keyed by one int8.
--
-- A traversal makes about a thousand index probes for a 1000-entity walk: one per entity reached
-- (is a version visible at the as-of point?) and one per entity expanded (its edges). Each probe
-- is a B-tree descent, and on the indexes of 016 every step of one compares two text values
-- (tenant_id, then the id). These indexes lead with one int8 instead, the hash of the pair,
-- hashtextextended(tenant_id || ':' || id, 0), and cover what the traversal reads, so the probes
-- are index-only. The hash is not unique: a reader compares tenant_id and the id too (the graph
-- functions do). tenant_id is the first input of every key, so the indexes stay tenant-scoped.
CREATE INDEX IF NOT EXISTS graph_entities_key ON llmspell.graph_entities
  (hashtextextended(tenant_id || ':' || entity_id, 0))
  INCLUDE (tenant_id, entity_id, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
-- A source's edges in (neighbour, relationship id) order, bytewise, as in 016. The type comes
-- last: a walk that follows one type has the index skip the source's other edges.
CREATE INDEX IF NOT EXISTS graph_relationships_out_key ON llmspell.graph_relationships
  (hashtextextended(tenant_id || ':' || from_entity, 0), to_entity COLLATE "C",
   relationship_id COLLATE "C", relationship_type)
  INCLUDE (tenant_id, from_entity, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
CREATE INDEX IF NOT EXISTS graph_relationships_in_key ON llmspell.graph_relationships
  (hashtextextended(tenant_id || ':' || to_entity, 0), from_entity COLLATE "C",
   relationship_id COLLATE "C", relationship_type)
  INCLUDE (tenant_id, to_entity, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
-- The covering indexes of 016 become plain ones: the keyed ones above serve the traversal, these
-- the neighbour reads, the writes that end an entity's edges and queries by endpoint.
DROP INDEX IF EXISTS llmspell.graph_relationships_out;
CREATE INDEX graph_relationships_out ON llmspell.graph_relationships (tenant_id, from_entity);
DROP INDEX IF EXISTS llmspell.graph_relationships_in;
CREATE INDEX graph_relationships_in ON llmspell.graph_relationships (tenant_id, to_entity);
