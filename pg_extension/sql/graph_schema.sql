-- The graph tables the graph_* functions work on, for the migrations to carry (they create them in
-- schema llmspell) and for the tests. Needs btree_gist for the exclusion constraints.
--   * versioned keys: (tenant_id, id, transaction_time_start, valid_time_start)
--   * no two versions of one (tenant, id) overlap in valid x transaction time
--   * rows are immutable except the one close of transaction_time_end (trigger)
--   * row-level security on app.tenant_id
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE graph_entities (
  tenant_id text NOT NULL,
  entity_id text NOT NULL,
  entity_type text NOT NULL,
  name text NOT NULL DEFAULT '',
  properties jsonb NOT NULL DEFAULT '{}',
  valid_time_start timestamptz NOT NULL,
  valid_time_end timestamptz NOT NULL DEFAULT 'infinity',
  transaction_time_start timestamptz NOT NULL,
  transaction_time_end timestamptz NOT NULL DEFAULT 'infinity',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, entity_id, transaction_time_start, valid_time_start),
  CHECK (valid_time_start < valid_time_end),
  CHECK (transaction_time_start < transaction_time_end),
  CHECK (jsonb_typeof(properties) = 'object'),
  EXCLUDE USING gist (tenant_id WITH =, entity_id WITH =,
    tstzrange(valid_time_start, valid_time_end) WITH &&,
    tstzrange(transaction_time_start, transaction_time_end) WITH &&)
);
-- Neighbour reads check and describe an endpoint from this index only.
CREATE INDEX graph_entities_lookup ON graph_entities (tenant_id, entity_id)
  INCLUDE (valid_time_start, valid_time_end, transaction_time_start, transaction_time_end,
           entity_type, name);
-- Traversal's visibility checks (one probe per entity reached) descend this one: a single int8
-- key, the hash of (tenant_id, entity_id), instead of two text values. Not unique: a reader
-- compares tenant_id and entity_id as well (migrations/postgres/017_graph_traversal_keys.sql).
CREATE INDEX graph_entities_key ON graph_entities
  (hashtextextended(tenant_id || ':' || entity_id, 0))
  INCLUDE (tenant_id, entity_id, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
CREATE INDEX graph_entities_type ON graph_entities (tenant_id, entity_type, entity_id);
CREATE INDEX graph_entities_properties ON graph_entities USING gin (properties jsonb_path_ops);
-- The tenant's latest transaction time (a new write transaction comes after it).
CREATE INDEX graph_entities_tx_start ON graph_entities (tenant_id, transaction_time_start);
CREATE INDEX graph_entities_tx_end ON graph_entities (tenant_id, transaction_time_end);

CREATE TABLE graph_relationships (
  tenant_id text NOT NULL,
  relationship_id text NOT NULL,
  from_entity text NOT NULL,
  to_entity text NOT NULL,
  relationship_type text NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}',
  valid_time_start timestamptz NOT NULL,
  valid_time_end timestamptz NOT NULL DEFAULT 'infinity',
  transaction_time_start timestamptz NOT NULL,
  transaction_time_end timestamptz NOT NULL DEFAULT 'infinity',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, relationship_id, transaction_time_start, valid_time_start),
  CHECK (valid_time_start < valid_time_end),
  CHECK (transaction_time_start < transaction_time_end),
  CHECK (jsonb_typeof(properties) = 'object'),
  EXCLUDE USING gist (tenant_id WITH =, relationship_id WITH =,
    tstzrange(valid_time_start, valid_time_end) WITH &&,
    tstzrange(transaction_time_start, transaction_time_end) WITH &&)
);
-- Traversal in each direction reads these indexes only (after VACUUM sets the visibility map):
-- one source's edges, found by the hash of (tenant_id, source) like graph_entities_key, in
-- (neighbour, relationship id) order, bytewise, so that a hub's first edges are read without its
-- others; the type last, so that a walk following one type skips the others in the index.
CREATE INDEX graph_relationships_out_key ON graph_relationships
  (hashtextextended(tenant_id || ':' || from_entity, 0), to_entity COLLATE "C",
   relationship_id COLLATE "C", relationship_type)
  INCLUDE (tenant_id, from_entity, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
CREATE INDEX graph_relationships_in_key ON graph_relationships
  (hashtextextended(tenant_id || ':' || to_entity, 0), from_entity COLLATE "C",
   relationship_id COLLATE "C", relationship_type)
  INCLUDE (tenant_id, to_entity, valid_time_start, valid_time_end, transaction_time_start,
           transaction_time_end);
-- Neighbour reads, the writes that end an entity's edges, queries by endpoint.
CREATE INDEX graph_relationships_out ON graph_relationships (tenant_id, from_entity);
CREATE INDEX graph_relationships_in ON graph_relationships (tenant_id, to_entity);
CREATE INDEX graph_relationships_tx_start ON graph_relationships (tenant_id, transaction_time_start);
CREATE INDEX graph_relationships_tx_end ON graph_relationships (tenant_id, transaction_time_end);

-- Versions are immutable: only an open transaction_time_end may be set, once.
CREATE FUNCTION graph_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.transaction_time_end <> 'infinity'
     OR (to_jsonb(NEW) - 'transaction_time_end') <> (to_jsonb(OLD) - 'transaction_time_end') THEN
    RAISE EXCEPTION '%: versions are immutable; only an open transaction_time_end can be closed',
      TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER graph_entities_immutable BEFORE UPDATE ON graph_entities
  FOR EACH ROW EXECUTE FUNCTION graph_versions_immutable();
CREATE TRIGGER graph_relationships_immutable BEFORE UPDATE ON graph_relationships
  FOR EACH ROW EXECUTE FUNCTION graph_versions_immutable();

ALTER TABLE graph_entities ENABLE ROW LEVEL SECURITY;
ALTER TABLE graph_entities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON graph_entities
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE graph_relationships ENABLE ROW LEVEL SECURITY;
ALTER TABLE graph_relationships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON graph_relationships
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
