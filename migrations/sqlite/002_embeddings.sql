-- 002_embeddings: one table per embedding dimension (384, 768, 1536, 3072).
-- Rows are keyed by (tenant_id, id); scope narrows a search inside a tenant. rid is the rowid,
-- declared so that VACUUM keeps it: the HNSW virtual table of 003_vector_indexes links its rows
-- to this one by rid. Vectors are float32 BLOBs of exactly the table's dimension (the tables are
-- STRICT: a text literal goes through vector('[...]')).

CREATE TABLE IF NOT EXISTS embeddings_384 (
  rid         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL CHECK (id <> ''),
  tenant_id   TEXT NOT NULL CHECK (tenant_id <> ''),
  scope       TEXT NOT NULL,
  embedding   BLOB NOT NULL CHECK (vector_dims(embedding) = 384),
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  created_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS embeddings_384_key ON embeddings_384 (tenant_id, id);
CREATE INDEX IF NOT EXISTS embeddings_384_scope_idx ON embeddings_384 (tenant_id, scope);
CREATE TRIGGER IF NOT EXISTS embeddings_384_updated_at AFTER UPDATE ON embeddings_384
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE embeddings_384 SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE rid = NEW.rid;
END;

CREATE TABLE IF NOT EXISTS embeddings_768 (
  rid         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL CHECK (id <> ''),
  tenant_id   TEXT NOT NULL CHECK (tenant_id <> ''),
  scope       TEXT NOT NULL,
  embedding   BLOB NOT NULL CHECK (vector_dims(embedding) = 768),
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  created_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS embeddings_768_key ON embeddings_768 (tenant_id, id);
CREATE INDEX IF NOT EXISTS embeddings_768_scope_idx ON embeddings_768 (tenant_id, scope);
CREATE TRIGGER IF NOT EXISTS embeddings_768_updated_at AFTER UPDATE ON embeddings_768
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE embeddings_768 SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE rid = NEW.rid;
END;

CREATE TABLE IF NOT EXISTS embeddings_1536 (
  rid         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL CHECK (id <> ''),
  tenant_id   TEXT NOT NULL CHECK (tenant_id <> ''),
  scope       TEXT NOT NULL,
  embedding   BLOB NOT NULL CHECK (vector_dims(embedding) = 1536),
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  created_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS embeddings_1536_key ON embeddings_1536 (tenant_id, id);
CREATE INDEX IF NOT EXISTS embeddings_1536_scope_idx ON embeddings_1536 (tenant_id, scope);
CREATE TRIGGER IF NOT EXISTS embeddings_1536_updated_at AFTER UPDATE ON embeddings_1536
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE embeddings_1536 SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE rid = NEW.rid;
END;

CREATE TABLE IF NOT EXISTS embeddings_3072 (
  rid         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL CHECK (id <> ''),
  tenant_id   TEXT NOT NULL CHECK (tenant_id <> ''),
  scope       TEXT NOT NULL,
  embedding   BLOB NOT NULL CHECK (vector_dims(embedding) = 3072),
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  created_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS embeddings_3072_key ON embeddings_3072 (tenant_id, id);
CREATE INDEX IF NOT EXISTS embeddings_3072_scope_idx ON embeddings_3072 (tenant_id, scope);
CREATE TRIGGER IF NOT EXISTS embeddings_3072_updated_at AFTER UPDATE ON embeddings_3072
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE embeddings_3072 SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE rid = NEW.rid;
END;
