-- A small deterministic sample in every one of the 15 tables of a migrated PostgreSQL database,
-- for tests that copy a database and compare (test/pg/t/backup.sh). Two tenants; the graph is
-- written through the graph functions, so it has closed and open versions.
--   psql -v ON_ERROR_STOP=1 -d DB -f test/pg/data/sample.sql
SET search_path = llmspell, public;

BEGIN;
SELECT set_config('app.tenant_id', t, true) FROM (VALUES ('acme')) v(t);
-- Vectors of every dimension: a deterministic pattern per row.
INSERT INTO embeddings_384 (id, tenant_id, scope, embedding, metadata)
  SELECT 'doc-' || i, 'acme', 'topic-' || i % 3,
         (SELECT array_agg(sin(i * 0.7 + j * 0.05)::real ORDER BY j) FROM generate_series(1, 384) j)::vector,
         jsonb_build_object('n', i)
  FROM generate_series(1, 40) i;
INSERT INTO embeddings_768 (id, tenant_id, scope, embedding)
  SELECT 'doc-' || i, 'acme', 's', (SELECT array_agg(cos(i + j * 0.01)::real ORDER BY j) FROM generate_series(1, 768) j)::vector
  FROM generate_series(1, 10) i;
INSERT INTO embeddings_1536 (id, tenant_id, scope, embedding)
  SELECT 'doc-' || i, 'acme', 's', (SELECT array_agg(sin(i - j * 0.003)::real ORDER BY j) FROM generate_series(1, 1536) j)::vector
  FROM generate_series(1, 5) i;
INSERT INTO embeddings_3072 (id, tenant_id, scope, embedding)
  SELECT 'doc-' || i, 'acme', 's', (SELECT array_agg(cos(i * j * 0.001)::real ORDER BY j) FROM generate_series(1, 3072) j)::vector
  FROM generate_series(1, 3) i;

SELECT graph_add_entity('alice', 'person', 'Alice', '{"role": "engineer"}', '2020-01-01+00');
SELECT graph_add_entity('bob', 'person', 'Bob', '{}', '2020-01-01+00');
SELECT graph_add_entity('acme', 'company', 'Acme', '{"size": 10}', '2019-01-01+00');
SELECT graph_add_relationship('r1', 'alice', 'bob', 'knows', '{}', '2020-06-01+00');
SELECT graph_add_relationship('r2', 'alice', 'acme', 'works_at', '{"title": "dev"}', '2020-01-01+00', '2023-01-01+00');
SELECT graph_update_entity('alice', NULL, 'Alice Smith', NULL, '2022-01-01+00');

INSERT INTO procedural_patterns (tenant_id, scope, key, value, frequency)
  VALUES ('acme', 'global', 'greeting', 'hello', 3), ('acme', 'global', 'farewell', 'bye', 1);
INSERT INTO agent_states (tenant_id, agent_id, agent_type, state, checksum)
  VALUES ('acme', 'agent-1', 'assistant', '{"step": 2, "notes": ["é", "日本"]}', repeat('ab', 32));
INSERT INTO kv_store (tenant_id, key, value, metadata)
  VALUES ('acme', 'config/a', '\x00ff10', '{"kind": "bytes"}'), ('acme', 'config/b', '', '{}');
INSERT INTO workflow_states (tenant_id, workflow_id, workflow_name, status, current_step, started_at, completed_at)
  VALUES ('acme', 'wf-1', 'ingest', 'completed', 3, '2024-01-01 10:00+00', '2024-01-01 10:05+00'),
         ('acme', 'wf-2', 'ingest', 'pending', 0, NULL, NULL);
INSERT INTO sessions (tenant_id, session_id, name, metadata, artifact_count, expires_at)
  VALUES ('acme', 'sess-1', 'first', '{"user": "u1"}', 1, '2030-01-01+00'),
         ('acme', 'sess-2', NULL, '{}', 0, NULL);
INSERT INTO artifact_content (tenant_id, content_hash, content, size_bytes, reference_count)
  VALUES ('acme', encode(sha256('hello artifact'), 'hex'), 'hello artifact', 14, 1);
INSERT INTO artifacts (tenant_id, artifact_id, session_id, name, mime_type, content_hash, size_bytes)
  VALUES ('acme', 'art-1', 'sess-1', 'hello.txt', 'text/plain', encode(sha256('hello artifact'), 'hex'), 14);
INSERT INTO event_log (tenant_id, event_id, event_type, correlation_id, occurred_at, source, payload)
  SELECT 'acme', 'ev-' || i, 'agent.step', 'corr-' || i % 2, '2024-03-01+00'::timestamptz + i * interval '1 hour',
         'test', jsonb_build_object('i', i)
  FROM generate_series(1, 20) i;
INSERT INTO hook_history (tenant_id, execution_id, hook_id, hook_type, hook_context, context_size, result_data, tags)
  VALUES ('acme', 'exec-1', 'hook-a', 'pre_agent', '\x1f8b0800', 4, '{"ok": true}', '["a", "b"]');
COMMIT;

BEGIN;
SELECT set_config('app.tenant_id', 'globex', true);
INSERT INTO embeddings_384 (id, tenant_id, scope, embedding)
  SELECT 'doc-' || i, 'globex', 's',
         (SELECT array_agg(cos(i * 0.3 + j * 0.02)::real ORDER BY j) FROM generate_series(1, 384) j)::vector
  FROM generate_series(1, 15) i;
SELECT graph_add_entity('alice', 'person', 'Another Alice', '{}', '2021-01-01+00');
INSERT INTO kv_store (tenant_id, key, value) VALUES ('globex', 'config/a', '\x01');
INSERT INTO sessions (tenant_id, session_id) VALUES ('globex', 'sess-1');
COMMIT;
