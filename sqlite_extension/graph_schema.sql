-- The graph tables the SQLite graph functions work on, for the migrations to carry and for the
-- tests: the same columns and rules as PostgreSQL (pg_extension/sql/graph_schema.sql), with times
-- as INTEGER microseconds since 1970-01-01 UTC and 9223372036854775807 for an open end.
-- No two versions of one (tenant, id) overlap in valid x transaction time: the module's core
-- checks it inside the write (SQLite has no exclusion constraint).
CREATE TABLE graph_entities (
  tenant_id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  properties TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties)),
  valid_time_start INTEGER NOT NULL,
  valid_time_end INTEGER NOT NULL DEFAULT 9223372036854775807,
  transaction_time_start INTEGER NOT NULL,
  transaction_time_end INTEGER NOT NULL DEFAULT 9223372036854775807,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, entity_id, transaction_time_start, valid_time_start),
  CHECK (valid_time_start < valid_time_end),
  CHECK (transaction_time_start < transaction_time_end)
);
CREATE INDEX graph_entities_lookup ON graph_entities (tenant_id, entity_id, valid_time_start,
  valid_time_end, transaction_time_start, transaction_time_end);
CREATE INDEX graph_entities_type ON graph_entities (tenant_id, entity_type, entity_id);
CREATE INDEX graph_entities_tx_start ON graph_entities (tenant_id, transaction_time_start);
CREATE INDEX graph_entities_tx_end ON graph_entities (tenant_id, transaction_time_end);

CREATE TABLE graph_relationships (
  tenant_id TEXT NOT NULL,
  relationship_id TEXT NOT NULL,
  from_entity TEXT NOT NULL,
  to_entity TEXT NOT NULL,
  relationship_type TEXT NOT NULL,
  properties TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(properties)),
  valid_time_start INTEGER NOT NULL,
  valid_time_end INTEGER NOT NULL DEFAULT 9223372036854775807,
  transaction_time_start INTEGER NOT NULL,
  transaction_time_end INTEGER NOT NULL DEFAULT 9223372036854775807,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, relationship_id, transaction_time_start, valid_time_start),
  CHECK (valid_time_start < valid_time_end),
  CHECK (transaction_time_start < transaction_time_end)
);
-- Traversal reads these covering indexes only, one source's edges in (neighbour, relationship id)
-- order: a hub's first edges are read without its others.
CREATE INDEX graph_relationships_out ON graph_relationships (tenant_id, from_entity, to_entity,
  relationship_id, relationship_type, valid_time_start, valid_time_end, transaction_time_start,
  transaction_time_end);
CREATE INDEX graph_relationships_in ON graph_relationships (tenant_id, to_entity, from_entity,
  relationship_id, relationship_type, valid_time_start, valid_time_end, transaction_time_start,
  transaction_time_end);
CREATE INDEX graph_relationships_tx_start ON graph_relationships (tenant_id, transaction_time_start);
CREATE INDEX graph_relationships_tx_end ON graph_relationships (tenant_id, transaction_time_end);

-- Versions are immutable: only an open transaction_time_end may be set, once.
CREATE TRIGGER graph_entities_immutable BEFORE UPDATE ON graph_entities
WHEN OLD.transaction_time_end <> 9223372036854775807
  OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.entity_id IS NOT OLD.entity_id
  OR NEW.entity_type IS NOT OLD.entity_type OR NEW.name IS NOT OLD.name
  OR NEW.properties IS NOT OLD.properties OR NEW.valid_time_start IS NOT OLD.valid_time_start
  OR NEW.valid_time_end IS NOT OLD.valid_time_end
  OR NEW.transaction_time_start IS NOT OLD.transaction_time_start
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'graph_entities: versions are immutable; only an open transaction_time_end can be closed');
END;
CREATE TRIGGER graph_relationships_immutable BEFORE UPDATE ON graph_relationships
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
