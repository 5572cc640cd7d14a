-- 004_graph_entities: bi-temporal entities of the knowledge graph.
--
-- A row is one version of an entity: true in the world during [valid_time_start, valid_time_end)
-- and known to the database during [transaction_time_start, transaction_time_end); an open end is
-- 'infinity'. Versions are immutable: a write closes the current version (its one allowed change:
-- transaction_time_end, from 'infinity' to the write's time) and inserts the new one. The
-- exclusion constraint makes the versions of one entity disjoint rectangles in
-- (valid time x transaction time). The extension's graph functions read and write these rows
-- (their DDL reference: pg_extension/sql/graph_schema.sql).

CREATE TABLE IF NOT EXISTS llmspell.graph_entities (
  tenant_id               text NOT NULL CHECK (tenant_id <> ''),
  entity_id               text NOT NULL CHECK (entity_id <> ''),
  entity_type             text NOT NULL,
  name                    text NOT NULL DEFAULT '',
  properties              jsonb NOT NULL DEFAULT '{}',
  valid_time_start        timestamptz NOT NULL DEFAULT now(),
  valid_time_end          timestamptz NOT NULL DEFAULT 'infinity',
  transaction_time_start  timestamptz NOT NULL DEFAULT now(),
  transaction_time_end    timestamptz NOT NULL DEFAULT 'infinity',
  created_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT graph_entities_pkey
    PRIMARY KEY (tenant_id, entity_id, transaction_time_start, valid_time_start),
  CONSTRAINT graph_entities_valid_time_check CHECK (valid_time_start < valid_time_end),
  CONSTRAINT graph_entities_transaction_time_check
    CHECK (transaction_time_start < transaction_time_end),
  CONSTRAINT graph_entities_properties_check CHECK (jsonb_typeof(properties) = 'object'),
  CONSTRAINT graph_entities_no_overlap EXCLUDE USING gist (
    tenant_id WITH =,
    entity_id WITH =,
    tstzrange(valid_time_start, valid_time_end) WITH &&,
    tstzrange(transaction_time_start, transaction_time_end) WITH &&)
);
-- Visibility checks during traversal read this index only.
CREATE INDEX IF NOT EXISTS graph_entities_lookup ON llmspell.graph_entities (tenant_id, entity_id)
  INCLUDE (valid_time_start, valid_time_end, transaction_time_start, transaction_time_end);
CREATE INDEX IF NOT EXISTS graph_entities_type ON llmspell.graph_entities
  (tenant_id, entity_type, entity_id);
-- Property queries (properties @> '{"k": "v"}') within a tenant.
CREATE INDEX IF NOT EXISTS graph_entities_properties ON llmspell.graph_entities
  USING gin (tenant_id, properties jsonb_path_ops);
-- The tenant's latest transaction time (a new write transaction comes after it).
CREATE INDEX IF NOT EXISTS graph_entities_tx_start ON llmspell.graph_entities
  (tenant_id, transaction_time_start);
CREATE INDEX IF NOT EXISTS graph_entities_tx_end ON llmspell.graph_entities
  (tenant_id, transaction_time_end);

-- Versions are immutable: only an open transaction_time_end may be set, once.
CREATE OR REPLACE FUNCTION llmspell.graph_versions_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.transaction_time_end <> 'infinity'
     OR (to_jsonb(NEW) - 'transaction_time_end') <> (to_jsonb(OLD) - 'transaction_time_end') THEN
    RAISE EXCEPTION '%: versions are immutable; only an open transaction_time_end can be closed',
      TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER graph_entities_immutable BEFORE UPDATE ON llmspell.graph_entities
  FOR EACH ROW EXECUTE FUNCTION llmspell.graph_versions_immutable();
