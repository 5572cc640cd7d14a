-- 012_event_log: the append-only event stream, partitioned by month of occurred_at.
--
-- Events are ordered by sequence (one global sequence, so ordering holds across partitions) and
-- queried by correlation id, by type pattern (event_type LIKE 'agent.%': the "C" collation lets
-- the index answer it) and by time range. Monthly partitions are created ahead of time by
-- event_log_create_partitions() (here for this month and the next three; `llmspell database
-- migrate` extends it on every run, or schedule SELECT llmspell.event_log_create_partitions()).
-- The default partition takes any row no monthly partition covers, so no insert is ever refused;
-- creating the partition for its month later moves those rows into it.

CREATE SEQUENCE IF NOT EXISTS llmspell.event_log_sequence AS bigint;

CREATE TABLE IF NOT EXISTS llmspell.event_log (
  tenant_id       text NOT NULL CHECK (tenant_id <> ''),
  event_id        text NOT NULL CHECK (event_id <> ''),
  event_type      text COLLATE "C" NOT NULL,
  correlation_id  text,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  sequence        bigint NOT NULL DEFAULT nextval('llmspell.event_log_sequence'),
  source          text,
  payload         jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT event_log_pkey PRIMARY KEY (tenant_id, event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
ALTER SEQUENCE llmspell.event_log_sequence OWNED BY llmspell.event_log.sequence;

CREATE INDEX IF NOT EXISTS event_log_sequence_idx ON llmspell.event_log (tenant_id, sequence);
CREATE INDEX IF NOT EXISTS event_log_correlation_idx ON llmspell.event_log
  (tenant_id, correlation_id, sequence);
CREATE INDEX IF NOT EXISTS event_log_type_idx ON llmspell.event_log (tenant_id, event_type, occurred_at);
CREATE INDEX IF NOT EXISTS event_log_time_idx ON llmspell.event_log (tenant_id, occurred_at);

CREATE TABLE IF NOT EXISTS llmspell.event_log_default PARTITION OF llmspell.event_log DEFAULT;

-- Creates the monthly partitions (UTC months) from the current month through `months_ahead`
-- months later that do not exist yet, moving rows the default partition holds for those months
-- into them. Returns the number of partitions created. Runs as the owner of the tables.
CREATE OR REPLACE FUNCTION llmspell.event_log_create_partitions(months_ahead integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  lo timestamptz;
  hi timestamptz;
  part text;
  created integer := 0;
BEGIN
  IF months_ahead < 0 OR months_ahead > 120 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 120, not %', months_ahead;
  END IF;
  FOR i IN 0..months_ahead LOOP
    lo := (first_month + make_interval(months => i)) AT TIME ZONE 'UTC';
    hi := (first_month + make_interval(months => i + 1)) AT TIME ZONE 'UTC';
    part := 'event_log_' || to_char(lo AT TIME ZONE 'UTC', '"y"YYYY"m"MM');
    CONTINUE WHEN to_regclass('llmspell.' || quote_ident(part)) IS NOT NULL;
    -- A standalone table first, filled from the default partition, then attached: creating it
    -- directly as a partition would fail while the default partition holds rows of its month.
    EXECUTE format('CREATE TABLE llmspell.%I (LIKE llmspell.event_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM llmspell.event_log_default
                                    WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
                    INSERT INTO llmspell.%I SELECT * FROM moved', part)
      USING lo, hi;
    EXECUTE format('ALTER TABLE llmspell.event_log ATTACH PARTITION llmspell.%I FOR VALUES FROM (%L) TO (%L)',
                   part, lo, hi);
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;
REVOKE ALL ON FUNCTION llmspell.event_log_create_partitions(integer) FROM PUBLIC;

SELECT llmspell.event_log_create_partitions(3);
