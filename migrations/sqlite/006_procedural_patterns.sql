-- 006_procedural_patterns: observed (scope, key) -> value transitions and how often each was seen.
-- A pattern counts as learned once its frequency reaches 3 (the partial index serves those rows).
-- One observation:
--   INSERT INTO procedural_patterns (tenant_id, scope, key, value) VALUES (?, ?, ?, ?)
--   ON CONFLICT (tenant_id, scope, key, value)
--   DO UPDATE SET frequency = frequency + 1, last_seen = excluded.last_seen RETURNING frequency;

CREATE TABLE IF NOT EXISTS procedural_patterns (
  tenant_id   TEXT NOT NULL CHECK (tenant_id <> ''),
  scope       TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  frequency   INTEGER NOT NULL DEFAULT 1 CHECK (frequency >= 1),
  first_seen  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  last_seen   INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  created_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  updated_at  INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, scope, key, value),
  CONSTRAINT procedural_patterns_seen_check CHECK (first_seen <= last_seen)
) STRICT;
CREATE INDEX IF NOT EXISTS procedural_patterns_learned_idx ON procedural_patterns
  (tenant_id, scope, key, frequency DESC) WHERE frequency >= 3;
CREATE INDEX IF NOT EXISTS procedural_patterns_last_seen_idx ON procedural_patterns
  (tenant_id, last_seen);
CREATE TRIGGER IF NOT EXISTS procedural_patterns_updated_at AFTER UPDATE ON procedural_patterns
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE procedural_patterns SET updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
   WHERE tenant_id = NEW.tenant_id AND scope = NEW.scope AND key = NEW.key AND value = NEW.value;
END;
