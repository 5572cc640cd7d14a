-- 004_graph_entities: bi-temporal entities of the knowledge graph.
--
-- A row is one version of an entity: true in the world during [valid_time_start, valid_time_end)
-- and known to the database during [transaction_time_start, transaction_time_end), in
-- microseconds since the epoch; 9223372036854775807 (INT64 max) is an open end. Versions are
-- immutable: a write closes the current version (its one allowed change: transaction_time_end,
-- from the open end to the write's time) and inserts the new one. The insert trigger refuses two
-- versions of one entity whose (valid time x transaction time) rectangles overlap, as the
-- exclusion constraint does in PostgreSQL (the graph functions check it too, inside the write).
-- The graph functions' DDL reference: sqlite_extension/graph_schema.sql.

CREATE TABLE IF NOT EXISTS graph_entities (
  tenant_id               TEXT NOT NULL CHECK (tenant_id <> ''),
  entity_id               TEXT NOT NULL CHECK (entity_id <> ''),
  entity_type             TEXT NOT NULL,
  name                    TEXT NOT NULL DEFAULT '',
  properties              TEXT NOT NULL DEFAULT '{}',
  valid_time_start        INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  valid_time_end          INTEGER NOT NULL DEFAULT 9223372036854775807,
  transaction_time_start  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  transaction_time_end    INTEGER NOT NULL DEFAULT 9223372036854775807,
  created_at              INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, entity_id, transaction_time_start, valid_time_start),
  CONSTRAINT graph_entities_valid_time_check CHECK (valid_time_start < valid_time_end),
  CONSTRAINT graph_entities_transaction_time_check
    CHECK (transaction_time_start < transaction_time_end),
  CONSTRAINT graph_entities_properties_check
    CHECK (json_valid(properties) AND json_type(properties) = 'object')
) STRICT;
-- Visibility checks during traversal read this index only.
CREATE INDEX IF NOT EXISTS graph_entities_lookup ON graph_entities
  (tenant_id, entity_id, valid_time_start, valid_time_end, transaction_time_start, transaction_time_end);
CREATE INDEX IF NOT EXISTS graph_entities_type ON graph_entities (tenant_id, entity_type, entity_id);
-- The tenant's latest transaction time (a new write transaction comes after it).
CREATE INDEX IF NOT EXISTS graph_entities_tx_start ON graph_entities (tenant_id, transaction_time_start);
CREATE INDEX IF NOT EXISTS graph_entities_tx_end ON graph_entities (tenant_id, transaction_time_end);

CREATE TRIGGER IF NOT EXISTS graph_entities_no_overlap BEFORE INSERT ON graph_entities
BEGIN
  SELECT RAISE(ABORT, 'graph_entities: overlapping versions of one entity (graph_entities_no_overlap)')
  WHERE EXISTS (
    SELECT 1 FROM graph_entities g
     WHERE g.tenant_id = NEW.tenant_id AND g.entity_id = NEW.entity_id
       AND g.valid_time_start < NEW.valid_time_end AND NEW.valid_time_start < g.valid_time_end
       AND g.transaction_time_start < NEW.transaction_time_end
       AND NEW.transaction_time_start < g.transaction_time_end);
END;
-- Versions are immutable: only an open transaction_time_end may be set, once (and only lowered,
-- which cannot make two versions overlap).
CREATE TRIGGER IF NOT EXISTS graph_entities_immutable BEFORE UPDATE ON graph_entities
WHEN OLD.transaction_time_end <> 9223372036854775807
  OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.entity_id IS NOT OLD.entity_id
  OR NEW.entity_type IS NOT OLD.entity_type OR NEW.name IS NOT OLD.name
  OR NEW.properties IS NOT OLD.properties
  OR NEW.valid_time_start IS NOT OLD.valid_time_start OR NEW.valid_time_end IS NOT OLD.valid_time_end
  OR NEW.transaction_time_start IS NOT OLD.transaction_time_start
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'graph_entities: versions are immutable; only an open transaction_time_end can be closed');
END;
