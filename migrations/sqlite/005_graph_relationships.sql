-- 005_graph_relationships: bi-temporal edges between entities, versioned and immutable like
-- graph_entities. from_entity and to_entity name entity_ids of the same tenant.

CREATE TABLE IF NOT EXISTS graph_relationships (
  tenant_id               TEXT NOT NULL CHECK (tenant_id <> ''),
  relationship_id         TEXT NOT NULL CHECK (relationship_id <> ''),
  from_entity             TEXT NOT NULL,
  to_entity               TEXT NOT NULL,
  relationship_type       TEXT NOT NULL,
  properties              TEXT NOT NULL DEFAULT '{}',
  valid_time_start        INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  valid_time_end          INTEGER NOT NULL DEFAULT 9223372036854775807,
  transaction_time_start  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  transaction_time_end    INTEGER NOT NULL DEFAULT 9223372036854775807,
  created_at              INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, relationship_id, transaction_time_start, valid_time_start),
  CONSTRAINT graph_relationships_valid_time_check CHECK (valid_time_start < valid_time_end),
  CONSTRAINT graph_relationships_transaction_time_check
    CHECK (transaction_time_start < transaction_time_end),
  CONSTRAINT graph_relationships_properties_check
    CHECK (json_valid(properties) AND json_type(properties) = 'object')
) STRICT;
-- Traversal in each direction reads these covering indexes only (the graph functions' DDL
-- reference: sqlite_extension/graph_schema.sql).
CREATE INDEX IF NOT EXISTS graph_relationships_out ON graph_relationships
  (tenant_id, from_entity, relationship_type, valid_time_start, valid_time_end,
   transaction_time_start, transaction_time_end, to_entity, relationship_id);
CREATE INDEX IF NOT EXISTS graph_relationships_in ON graph_relationships
  (tenant_id, to_entity, relationship_type, valid_time_start, valid_time_end,
   transaction_time_start, transaction_time_end, from_entity, relationship_id);
CREATE INDEX IF NOT EXISTS graph_relationships_tx_start ON graph_relationships
  (tenant_id, transaction_time_start);
CREATE INDEX IF NOT EXISTS graph_relationships_tx_end ON graph_relationships
  (tenant_id, transaction_time_end);

CREATE TRIGGER IF NOT EXISTS graph_relationships_no_overlap BEFORE INSERT ON graph_relationships
BEGIN
  SELECT RAISE(ABORT, 'graph_relationships: overlapping versions of one relationship (graph_relationships_no_overlap)')
  WHERE EXISTS (
    SELECT 1 FROM graph_relationships g
     WHERE g.tenant_id = NEW.tenant_id AND g.relationship_id = NEW.relationship_id
       AND g.valid_time_start < NEW.valid_time_end AND NEW.valid_time_start < g.valid_time_end
       AND g.transaction_time_start < NEW.transaction_time_end
       AND NEW.transaction_time_start < g.transaction_time_end);
END;
CREATE TRIGGER IF NOT EXISTS graph_relationships_immutable BEFORE UPDATE ON graph_relationships
WHEN OLD.transaction_time_end <> 9223372036854775807
  OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.relationship_id IS NOT OLD.relationship_id
  OR NEW.from_entity IS NOT OLD.from_entity OR NEW.to_entity IS NOT OLD.to_entity
  OR NEW.relationship_type IS NOT OLD.relationship_type OR NEW.properties IS NOT OLD.properties
  OR NEW.valid_time_start IS NOT OLD.valid_time_start OR NEW.valid_time_end IS NOT OLD.valid_time_end
  OR NEW.transaction_time_start IS NOT OLD.transaction_time_start
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'graph_relationships: versions are immutable; only an open transaction_time_end can be closed');
END;
