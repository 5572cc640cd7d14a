-- 016_graph_traversal_indexes: the graph indexes the traversal and neighbour reads need.
--
-- graph_relationships_out/_in now hold one source's edges in (neighbour, relationship id) order,
-- bytewise (COLLATE "C"), with the other columns a traversal step reads: the graph functions read
-- a hub's first edges in that order and stop, instead of reading all of them. graph_entities_lookup
-- also carries entity_type and name, so that the neighbour reads check and describe an endpoint
-- from the index alone. Replaces the indexes of 004 and 005 under the same names.

DROP INDEX IF EXISTS llmspell.graph_relationships_out;
CREATE INDEX graph_relationships_out ON llmspell.graph_relationships
  (tenant_id, from_entity, to_entity COLLATE "C", relationship_id COLLATE "C")
  INCLUDE (relationship_type, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
DROP INDEX IF EXISTS llmspell.graph_relationships_in;
CREATE INDEX graph_relationships_in ON llmspell.graph_relationships
  (tenant_id, to_entity, from_entity COLLATE "C", relationship_id COLLATE "C")
  INCLUDE (relationship_type, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
DROP INDEX IF EXISTS llmspell.graph_entities_lookup;
CREATE INDEX graph_entities_lookup ON llmspell.graph_entities (tenant_id, entity_id)
  INCLUDE (valid_time_start, valid_time_end, transaction_time_start, transaction_time_end,
           entity_type, name);
