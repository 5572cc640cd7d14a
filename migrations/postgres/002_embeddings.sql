-- 002_embeddings: one table per embedding dimension (384, 768, 1536, 3072).
-- Rows are keyed by (tenant_id, id); scope narrows a search inside a tenant (session, agent...).
-- The HNSW indexes come in 003_vector_indexes.

CREATE TABLE IF NOT EXISTS llmspell.embeddings_384 (
  id          text NOT NULL CHECK (id <> ''),
  tenant_id   text NOT NULL CHECK (tenant_id <> ''),
  scope       text NOT NULL,
  embedding   vector(384) NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT embeddings_384_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS embeddings_384_scope_idx ON llmspell.embeddings_384 (tenant_id, scope);
CREATE OR REPLACE TRIGGER embeddings_384_updated_at BEFORE UPDATE ON llmspell.embeddings_384
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();

CREATE TABLE IF NOT EXISTS llmspell.embeddings_768 (
  id          text NOT NULL CHECK (id <> ''),
  tenant_id   text NOT NULL CHECK (tenant_id <> ''),
  scope       text NOT NULL,
  embedding   vector(768) NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT embeddings_768_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS embeddings_768_scope_idx ON llmspell.embeddings_768 (tenant_id, scope);
CREATE OR REPLACE TRIGGER embeddings_768_updated_at BEFORE UPDATE ON llmspell.embeddings_768
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();

CREATE TABLE IF NOT EXISTS llmspell.embeddings_1536 (
  id          text NOT NULL CHECK (id <> ''),
  tenant_id   text NOT NULL CHECK (tenant_id <> ''),
  scope       text NOT NULL,
  embedding   vector(1536) NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT embeddings_1536_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS embeddings_1536_scope_idx ON llmspell.embeddings_1536 (tenant_id, scope);
CREATE OR REPLACE TRIGGER embeddings_1536_updated_at BEFORE UPDATE ON llmspell.embeddings_1536
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();

CREATE TABLE IF NOT EXISTS llmspell.embeddings_3072 (
  id          text NOT NULL CHECK (id <> ''),
  tenant_id   text NOT NULL CHECK (tenant_id <> ''),
  scope       text NOT NULL,
  embedding   vector(3072) NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT embeddings_3072_pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS embeddings_3072_scope_idx ON llmspell.embeddings_3072 (tenant_id, scope);
CREATE OR REPLACE TRIGGER embeddings_3072_updated_at BEFORE UPDATE ON llmspell.embeddings_3072
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();
