-- 012_event_log: the append-only event stream (PostgreSQL partitions it by month; one table here).
-- Events are ordered by sequence, taken from event_log_sequence (the counterpart of PostgreSQL's
-- sequence object) when the INSERT leaves it NULL, and queried by correlation id, type pattern
-- (event_type GLOB 'agent.*' or LIKE) and time range.

CREATE TABLE IF NOT EXISTS event_log_sequence (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  last_value  INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO event_log_sequence (id, last_value) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS event_log (
  tenant_id       TEXT NOT NULL CHECK (tenant_id <> ''),
  event_id        TEXT NOT NULL CHECK (event_id <> ''),
  event_type      TEXT NOT NULL,
  correlation_id  TEXT,
  occurred_at     INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  sequence        INTEGER,
  source          TEXT,
  payload         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  created_at      INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)),
  PRIMARY KEY (tenant_id, event_id, occurred_at)
) STRICT;
CREATE INDEX IF NOT EXISTS event_log_sequence_idx ON event_log (tenant_id, sequence);
CREATE INDEX IF NOT EXISTS event_log_correlation_idx ON event_log (tenant_id, correlation_id, sequence);
CREATE INDEX IF NOT EXISTS event_log_type_idx ON event_log (tenant_id, event_type, occurred_at);
CREATE INDEX IF NOT EXISTS event_log_time_idx ON event_log (tenant_id, occurred_at);

CREATE TRIGGER IF NOT EXISTS event_log_sequence_next AFTER INSERT ON event_log
WHEN NEW.sequence IS NULL
BEGIN
  UPDATE event_log_sequence SET last_value = last_value + 1 WHERE id = 1;
  UPDATE event_log SET sequence = (SELECT last_value FROM event_log_sequence WHERE id = 1)
   WHERE rowid = NEW.rowid;
END;
-- Rows inserted with their sequence (an import) keep the counter ahead of them.
CREATE TRIGGER IF NOT EXISTS event_log_sequence_keep AFTER INSERT ON event_log
WHEN NEW.sequence IS NOT NULL
BEGIN
  UPDATE event_log_sequence SET last_value = max(last_value, NEW.sequence) WHERE id = 1;
END;
