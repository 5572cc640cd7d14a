-- 008_kv_store: binary values under text keys.
-- Keys use the "C" collation, so the primary key orders them bytewise and answers prefix listings
-- (WHERE tenant_id = $1 AND key LIKE 'prefix%', or key >= $2 AND key < $3) with a range scan.

CREATE TABLE IF NOT EXISTS llmspell.kv_store (
  tenant_id   text NOT NULL CHECK (tenant_id <> ''),
  key         text COLLATE "C" NOT NULL CHECK (key <> ''),
  value       bytea NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT kv_store_pkey PRIMARY KEY (tenant_id, key)
);
CREATE INDEX IF NOT EXISTS kv_store_updated_idx ON llmspell.kv_store (tenant_id, updated_at);
CREATE OR REPLACE TRIGGER kv_store_updated_at BEFORE UPDATE ON llmspell.kv_store
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();
