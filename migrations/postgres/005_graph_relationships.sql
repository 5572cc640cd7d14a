-- 005_graph_relationships: bi-temporal edges between entities, versioned and immutable like
-- graph_entities. from_entity and to_entity name entity_ids of the same tenant; an edge is
-- traversable as of (valid time, transaction time) when it and both endpoints have a version
-- covering that point.

CREATE TABLE IF NOT EXISTS llmspell.graph_relationships (
  tenant_id               text NOT NULL CHECK (tenant_id <> ''),
  relationship_id         text NOT NULL CHECK (relationship_id <> ''),
  from_entity             text NOT NULL,
  to_entity               text NOT NULL,
  relationship_type       text NOT NULL,
  properties              jsonb NOT NULL DEFAULT '{}',
  valid_time_start        timestamptz NOT NULL DEFAULT now(),
  valid_time_end          timestamptz NOT NULL DEFAULT 'infinity',
  transaction_time_start  timestamptz NOT NULL DEFAULT now(),
  transaction_time_end    timestamptz NOT NULL DEFAULT 'infinity',
  created_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT graph_relationships_pkey
    PRIMARY KEY (tenant_id, relationship_id, transaction_time_start, valid_time_start),
  CONSTRAINT graph_relationships_valid_time_check CHECK (valid_time_start < valid_time_end),
  CONSTRAINT graph_relationships_transaction_time_check
    CHECK (transaction_time_start < transaction_time_end),
  CONSTRAINT graph_relationships_properties_check CHECK (jsonb_typeof(properties) = 'object'),
  CONSTRAINT graph_relationships_no_overlap EXCLUDE USING gist (
    tenant_id WITH =,
    relationship_id WITH =,
    tstzrange(valid_time_start, valid_time_end) WITH &&,
    tstzrange(transaction_time_start, transaction_time_end) WITH &&)
);
-- Traversal in each direction reads these indexes only (once VACUUM sets the visibility map).
CREATE INDEX IF NOT EXISTS graph_relationships_out ON llmspell.graph_relationships (tenant_id, from_entity)
  INCLUDE (to_entity, relationship_type, relationship_id, valid_time_start, valid_time_end,
           transaction_time_start, transaction_time_end);
CREATE INDEX IF NOT EXISTS graph_relationships_in ON llmspell.graph_relationships (tenant_id, to_entity)
  INCLUDE (from_entity, relationship_type, relationship_id, valid_time_start, valid_time_end,
           transaction_time_start, transaction_time_end);
CREATE INDEX IF NOT EXISTS graph_relationships_tx_start ON llmspell.graph_relationships
  (tenant_id, transaction_time_start);
CREATE INDEX IF NOT EXISTS graph_relationships_tx_end ON llmspell.graph_relationships
  (tenant_id, transaction_time_end);

CREATE OR REPLACE TRIGGER graph_relationships_immutable BEFORE UPDATE ON llmspell.graph_relationships
  FOR EACH ROW EXECUTE FUNCTION llmspell.graph_versions_immutable();
