-- 014_graph_traversal_indexes: the graph indexes the traversal reads (PostgreSQL's 016).
--
-- graph_relationships_out/_in now hold one source's edges in (neighbour, relationship id) order,
-- with the type and the times after them: the graph functions read a hub's first edges in that
-- order and stop, instead of reading all of them. Replaces the indexes of 005 under the same names.

DROP INDEX IF EXISTS graph_relationships_out;
CREATE INDEX graph_relationships_out ON graph_relationships
  (tenant_id, from_entity, to_entity, relationship_id, relationship_type, valid_time_start,
   valid_time_end, transaction_time_start, transaction_time_end);
DROP INDEX IF EXISTS graph_relationships_in;
CREATE INDEX graph_relationships_in ON graph_relationships
  (tenant_id, to_entity, from_entity, relationship_id, relationship_type, valid_time_start,
   valid_time_end, transaction_time_start, transaction_time_end);
