-- 008_kv_store: binary values under text keys. Keys compare bytewise (BINARY collation), so the
-- primary key answers prefix listings with a range scan:
--   WHERE tenant_id = ? AND key >= :prefix AND key < :prefix || char(0x10FFFF)   (or key GLOB 'p*')

CREATE TABLE IF NOT EXISTS kv_store (
  tenant_id   TEXT NOT NULL CHECK (tenant_id <> ''),
  key         TEXT NOT NULL CHECK (key <> ''),
  value       BLOB NOT NULL,
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  created_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, key)
) STRICT;
CREATE INDEX IF NOT EXISTS kv_store_updated_idx ON kv_store (tenant_id, updated_at);
CREATE TRIGGER IF NOT EXISTS kv_store_updated_at AFTER UPDATE ON kv_store
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE kv_store SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) WHERE tenant_id = NEW.tenant_id AND key = NEW.key;
END;
