-- 006_procedural_patterns: observed (scope, key) -> value transitions and how often each was seen.
-- A pattern counts as learned once its frequency reaches 3 (the partial index serves exactly
-- those rows). record_pattern() is the upsert the application calls for each observation.

CREATE TABLE IF NOT EXISTS llmspell.procedural_patterns (
  tenant_id   text NOT NULL CHECK (tenant_id <> ''),
  scope       text NOT NULL,
  key         text NOT NULL,
  value       text NOT NULL,
  frequency   integer NOT NULL DEFAULT 1 CHECK (frequency >= 1),
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT procedural_patterns_pkey PRIMARY KEY (tenant_id, scope, key, value),
  CONSTRAINT procedural_patterns_seen_check CHECK (first_seen <= last_seen)
);
CREATE INDEX IF NOT EXISTS procedural_patterns_learned_idx ON llmspell.procedural_patterns
  (tenant_id, scope, key, frequency DESC) WHERE frequency >= 3;
CREATE INDEX IF NOT EXISTS procedural_patterns_last_seen_idx ON llmspell.procedural_patterns
  (tenant_id, last_seen);
CREATE OR REPLACE TRIGGER procedural_patterns_updated_at BEFORE UPDATE ON llmspell.procedural_patterns
  FOR EACH ROW EXECUTE FUNCTION llmspell.set_updated_at();

-- One observation of (scope, key) -> value for the current tenant; returns the new frequency.
CREATE OR REPLACE FUNCTION llmspell.record_pattern(p_scope text, p_key text, p_value text)
RETURNS integer
LANGUAGE sql VOLATILE AS $$
  INSERT INTO llmspell.procedural_patterns AS p (tenant_id, scope, key, value)
  VALUES (current_setting('app.tenant_id', true), p_scope, p_key, p_value)
  ON CONFLICT (tenant_id, scope, key, value)
  DO UPDATE SET frequency = p.frequency + 1, last_seen = now()
  RETURNING frequency
$$;
