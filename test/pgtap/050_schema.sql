-- The schema of migrations/postgres: the 15 tables with tenant_id leading every key and index,
-- the HNSW indexes, and the behaviour of the triggers and constraints (as a superuser; tenancy is
-- 051-054).
BEGIN;
\ir include/llmspell_schema.psql
SELECT plan(64);

CREATE FUNCTION pg_temp.tables() RETURNS SETOF text LANGUAGE sql AS $$
  SELECT unnest(ARRAY['embeddings_384', 'embeddings_768', 'embeddings_1536', 'embeddings_3072',
    'graph_entities', 'graph_relationships', 'procedural_patterns', 'agent_states', 'kv_store',
    'workflow_states', 'sessions', 'artifact_content', 'artifacts', 'event_log', 'hook_history'])
$$;

CREATE FUNCTION pg_temp.plan_text(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;

SELECT tables_are('llmspell', (ARRAY(SELECT pg_temp.tables()) || ARRAY['event_log_default'] ||
                  ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'llmspell' AND c.relname ~ '^event_log_y[0-9]{4}m[0-9]{2}$'))::name[],
                  'the 15 tables (with the event_log partitions), nothing else');
-- Every primary key, unique constraint and index on a tenant table starts with tenant_id (the
-- HNSW indexes start with the vector and are partitioned by tenant_id, their first filter column;
-- graph_entities_key starts with a hash whose first input is tenant_id).
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
           LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
           WHERE n.nspname = 'llmspell' AND t.relname IN (SELECT pg_temp.tables())
             AND c.relam <> (SELECT oid FROM pg_am WHERE amname = 'llmspell_hnsw')
             AND (a.attname IS DISTINCT FROM 'tenant_id')
             AND pg_get_indexdef(c.oid, 1, false)
                 NOT LIKE 'hashtextextended(((tenant_id || '':''::text) || %'),
          NULL, 'tenant_id leads every index (keys and unique constraints included)');
-- The traversal's reads in SQL, in the form graph_store.cpp gives them (they run when the direct
-- probes of graph_probe.cpp may not), as the application role under row-level security: an index
-- serves them. A condition on the hash of the _key indexes could not be an index condition there
-- (hashtextextended is not leakproof): each read was a sequential scan.
INSERT INTO llmspell.graph_entities (tenant_id, entity_id, entity_type)
  SELECT 't', 'e' || i, 'thing' FROM generate_series(1, 3000) i;
ANALYZE llmspell.graph_entities;
INSERT INTO llmspell.graph_relationships (tenant_id, relationship_id, from_entity, to_entity,
                                          relationship_type)
  SELECT 't', 'r' || i, 'e' || (i % 300 + 1), 'e' || i, 'knows' FROM generate_series(1, 3000) i;
ANALYZE llmspell.graph_relationships;
SET LOCAL ROLE llmspell_app;
SET LOCAL app.tenant_id = 't';
SET LOCAL enable_seqscan = off;  -- a scan the planner can use wins; a Seq Scan means none
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan_text($$
            SELECT e.entity_id FROM llmspell.graph_entities e
             WHERE e.tenant_id = 't' AND e.entity_id = ANY ('{e1,e2}'::text[])
               AND e.valid_time_start <= now() AND e.valid_time_end > now()
               AND e.transaction_time_start <= now() AND e.transaction_time_end > now()$$) p
                  WHERE p ~ 'Index (Only )?Scan using graph_entities_lookup'),
          'the visibility read in SQL descends graph_entities_lookup under row-level security');
SELECT is((SELECT string_agg(regexp_replace(p, '^\s*(->\s*)?', ''), E'\n') FROM pg_temp.plan_text($$
            SELECT r.to_entity FROM llmspell.graph_relationships r
             WHERE r.tenant_id = 't' AND r.from_entity = 'e1'
               AND r.valid_time_start <= now() AND r.valid_time_end > now()
               AND r.transaction_time_start <= now() AND r.transaction_time_end > now()
               AND r.relationship_type = 'knows'
             ORDER BY r.to_entity COLLATE "C", r.relationship_id COLLATE "C" LIMIT 5$$) p
            WHERE p ~ 'Scan'),
          'Index Scan using graph_relationships_out on graph_relationships r',
          '... and the expansion in SQL graph_relationships_out');
RESET enable_seqscan;
RESET ROLE;
SELECT cmp_ok((SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = 'llmspell' AND t.relname IN (SELECT pg_temp.tables())), '>=', 45::bigint,
              '... of which there are many');
SELECT is((SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
           WHERE t.relnamespace = 'llmspell'::regnamespace AND t.relname IN (SELECT pg_temp.tables())
             AND c.contype = 'p'), 15::bigint, 'a primary key on each of the 15 tables');
-- The HNSW index on every embeddings table, 3072 dimensions included.
SELECT is((SELECT array_agg(t.relname::text || ':' || am.amname || ':' || (pg_get_indexdef(i.indexrelid) ~ '\(embedding vector_cosine_ops, tenant_id\)')
                            ORDER BY t.relname)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
           JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relnamespace = 'llmspell'::regnamespace AND am.amname = 'llmspell_hnsw'),
          ARRAY['embeddings_1536:llmspell_hnsw:true', 'embeddings_3072:llmspell_hnsw:true',
                'embeddings_384:llmspell_hnsw:true', 'embeddings_768:llmspell_hnsw:true'],
          'llmspell_hnsw (embedding vector_cosine_ops, tenant_id) on all four embeddings tables');
SELECT col_type_is('llmspell', 'embeddings_3072', 'embedding', 'llmspell', 'vector(3072)', 'embeddings_3072.embedding is vector(3072)');

\ir include/llmspell_fixture.psql
-- The index answers k-NN queries on the largest dimension, for one tenant (forced: the planner
-- rightly prefers sorting three rows).
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT matches((SELECT string_agg(line, E'\n') FROM (SELECT * FROM pg_temp.plan_text(
                  $q$SELECT id FROM llmspell.embeddings_3072 WHERE tenant_id = 'tenant_a'
                     ORDER BY embedding <=> pg_temp.fixture_vector(3072, 2) LIMIT 2$q$)) p(line)),
               'Index Scan using embeddings_3072_hnsw', 'a 3072-dimension k-NN query uses the HNSW index');
SELECT results_eq($q$SELECT id FROM llmspell.embeddings_3072 WHERE tenant_id = 'tenant_a'
                    ORDER BY embedding <=> pg_temp.fixture_vector(3072, 2) LIMIT 1$q$,
                  $$VALUES ('doc-2')$$, '... and finds the nearest row');
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT throws_ok($$INSERT INTO llmspell.embeddings_384 (id, tenant_id, scope, embedding)
                   VALUES ('x', 'tenant_a', 's', '[1,2,3]')$$, '22000', NULL,
                 'a vector of the wrong dimension is refused');
SELECT throws_ok($$INSERT INTO llmspell.embeddings_384 (id, tenant_id, scope, embedding)
                   VALUES ('doc-1', 'tenant_a', 's', pg_temp.fixture_vector(384, 1))$$, '23505', NULL,
                 'ids are unique per tenant');
SELECT throws_ok($$INSERT INTO llmspell.kv_store (tenant_id, key, value) VALUES ('', 'k', '\x00')$$,
                 '23514', NULL, 'an empty tenant_id is refused');

-- updated_at follows changes; an explicit value is kept.
UPDATE llmspell.kv_store SET updated_at = '2000-01-01' WHERE tenant_id = 'tenant_a';
UPDATE llmspell.kv_store SET value = '\x09' WHERE tenant_id = 'tenant_a' AND key = 'other';
SELECT is((SELECT updated_at = now() FROM llmspell.kv_store WHERE tenant_id = 'tenant_a' AND key = 'other'),
          true, 'updated_at: set by an UPDATE');
SELECT is((SELECT updated_at FROM llmspell.kv_store WHERE tenant_id = 'tenant_a' AND key = 'config/a'),
          '2000-01-01'::timestamptz, 'updated_at: an explicit value is kept');
-- Prefix listing with the "C" collation uses the primary key.
SELECT results_eq($$SELECT key COLLATE "default" FROM llmspell.kv_store WHERE tenant_id = 'tenant_a' AND key LIKE 'config/%' ORDER BY key$$,
                  $$VALUES ('config/a'), ('config/b')$$, 'kv_store: prefix listing');
SET LOCAL enable_seqscan = off;
SELECT matches((SELECT string_agg(line, E'\n') FROM pg_temp.plan_text(
                  $q$SELECT key FROM llmspell.kv_store WHERE tenant_id = 'tenant_a' AND key LIKE 'config/%'$q$) p(line)),
               'Index Cond: .*key >= ''config/''', '... answered by a range scan of the primary key');
RESET enable_seqscan;

-- agent_states: data_version follows state changes.
UPDATE llmspell.agent_states SET state = '{"turn": 2}' WHERE tenant_id = 'tenant_a';
UPDATE llmspell.agent_states SET agent_type = 'chat2' WHERE tenant_id = 'tenant_a';
SELECT is((SELECT data_version FROM llmspell.agent_states WHERE tenant_id = 'tenant_a'), 2::bigint,
          'agent_states: data_version advances when state changes, not otherwise');
SELECT throws_ok($$UPDATE llmspell.agent_states SET checksum = 'not-a-sha' WHERE tenant_id = 'tenant_a'$$,
                 '23514', NULL, 'agent_states: checksum must be a SHA-256 in hex');

-- workflow_states: the lifecycle.
UPDATE llmspell.workflow_states SET status = 'running' WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-1';
SELECT is((SELECT started_at IS NOT NULL AND completed_at IS NULL FROM llmspell.workflow_states
           WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-1'), true, 'workflow: running stamps started_at');
UPDATE llmspell.workflow_states SET status = 'completed' WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-1';
SELECT is((SELECT completed_at >= started_at FROM llmspell.workflow_states
           WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-1'), true, 'workflow: completed stamps completed_at');
SELECT throws_ok($$UPDATE llmspell.workflow_states SET status = 'running' WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-1'$$,
                 '23514', 'workflow wf-1: invalid status transition completed -> running',
                 'workflow: completed -> running is refused');
SELECT throws_ok($$UPDATE llmspell.workflow_states SET status = 'pending' WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-2'$$,
                 '23514', NULL, 'workflow: running -> pending is refused');
UPDATE llmspell.workflow_states SET status = 'cancelled' WHERE tenant_id = 'tenant_b' AND workflow_id = 'wf-1';
SELECT is((SELECT started_at IS NULL AND completed_at IS NOT NULL FROM llmspell.workflow_states
           WHERE tenant_id = 'tenant_b' AND workflow_id = 'wf-1'), true, 'workflow: pending -> cancelled');
INSERT INTO llmspell.workflow_states (tenant_id, workflow_id, workflow_name, status)
VALUES ('tenant_a', 'wf-3', 'x', 'failed');
SELECT is((SELECT completed_at IS NOT NULL FROM llmspell.workflow_states
           WHERE tenant_id = 'tenant_a' AND workflow_id = 'wf-3'), true, 'workflow: inserted as failed gets completed_at');
SELECT throws_ok($$INSERT INTO llmspell.workflow_states (tenant_id, workflow_id, workflow_name, status, started_at)
                   VALUES ('tenant_a', 'wf-4', 'x', 'pending', now())$$, '23514', NULL,
                 'workflow: a pending workflow has not started');
SELECT throws_ok($$INSERT INTO llmspell.workflow_states (tenant_id, workflow_id, workflow_name, status)
                   VALUES ('tenant_a', 'wf-5', 'x', 'paused')$$, '23514', NULL, 'workflow: unknown status refused');

-- sessions: the last-access throttle.
UPDATE llmspell.sessions SET last_accessed_at = '2020-01-01 00:00:00+00', updated_at = '2020-01-01 00:00:00+00'
 WHERE tenant_id = 'tenant_a';
UPDATE llmspell.sessions SET last_accessed_at = '2020-01-01 00:00:30+00' WHERE tenant_id = 'tenant_a';
SELECT is((SELECT last_accessed_at FROM llmspell.sessions WHERE tenant_id = 'tenant_a'),
          '2020-01-01 00:00:00+00'::timestamptz, 'session: a touch within 60 s is skipped');
UPDATE llmspell.sessions SET last_accessed_at = '2020-01-01 00:01:30+00' WHERE tenant_id = 'tenant_a';
SELECT is((SELECT last_accessed_at FROM llmspell.sessions WHERE tenant_id = 'tenant_a'),
          '2020-01-01 00:01:30+00'::timestamptz, 'session: a touch after 60 s is written');
SELECT is((SELECT updated_at FROM llmspell.sessions WHERE tenant_id = 'tenant_a'),
          '2020-01-01 00:00:00+00'::timestamptz, 'session: touches do not move updated_at');
UPDATE llmspell.sessions SET status = 'archived' WHERE tenant_id = 'tenant_a';
SELECT is((SELECT updated_at = now() FROM llmspell.sessions WHERE tenant_id = 'tenant_a'), true,
          'session: other changes move updated_at');
UPDATE llmspell.sessions SET expires_at = now() - interval '1 minute';
SET LOCAL ROLE llmspell_app;
SELECT set_config('app.tenant_id', 'tenant_b', true);
SELECT is(llmspell.expire_sessions(), 1::bigint, 'expire_sessions() expires the tenant''s sessions past expiry');
SELECT set_config('app.tenant_id', '', true);
RESET ROLE;

-- artifacts: reference counts, de-duplication, garbage collection.
SELECT is((SELECT reference_count FROM llmspell.artifact_content WHERE tenant_id = 'tenant_a' AND size_bytes = 5), 2,
          'artifact_content: two artifacts share one content row');
SELECT is((SELECT artifact_count FROM llmspell.sessions WHERE tenant_id = 'tenant_a'), 2,
          'sessions: artifact_count counts them');
SELECT throws_ok($$INSERT INTO llmspell.artifact_content (tenant_id, content_hash, content, size_bytes)
                   VALUES ('tenant_a', encode(sha256('hello'), 'hex'), 'hello', 5)$$, '23505', NULL,
                 'content is stored once per tenant');
DELETE FROM llmspell.artifacts WHERE tenant_id = 'tenant_a' AND artifact_id = 'art-1';
SELECT is((SELECT reference_count FROM llmspell.artifact_content WHERE tenant_id = 'tenant_a' AND size_bytes = 5), 1,
          'deleting an artifact releases its reference');
UPDATE llmspell.artifacts SET name = 'renamed.txt' WHERE tenant_id = 'tenant_a';
SELECT is((SELECT reference_count FROM llmspell.artifact_content WHERE tenant_id = 'tenant_a' AND size_bytes = 5), 1,
          'an UPDATE keeping the content keeps the count');
DELETE FROM llmspell.sessions WHERE tenant_id = 'tenant_a';
SELECT is((SELECT count(*) FROM llmspell.artifacts WHERE tenant_id = 'tenant_a'), 0::bigint,
          'deleting a session deletes its artifacts');
SELECT is((SELECT count(*) FROM llmspell.artifact_content WHERE tenant_id = 'tenant_a' AND size_bytes = 5), 0::bigint,
          '... and content nothing references any more');
UPDATE llmspell.artifact_content SET created_at = now() - interval '2 hours' WHERE content = 'orphan';
SET LOCAL ROLE llmspell_app;
SELECT set_config('app.tenant_id', 'tenant_a', true);
SELECT is(llmspell.artifact_content_cleanup(), 1::bigint,
          'artifact_content_cleanup() removes the tenant''s content never referenced for an hour');
SELECT set_config('app.tenant_id', '', true);
RESET ROLE;
SELECT is((SELECT reference_count FROM llmspell.artifact_content WHERE tenant_id = 'tenant_b' AND size_bytes = 5), 2,
          '... of that tenant only');
SELECT throws_ok($$INSERT INTO llmspell.artifact_content (tenant_id, content_hash, content, size_bytes)
                   VALUES ('tenant_a', repeat('b', 64), 'x', 104857601)$$, '23514', NULL,
                 'content beyond 100 MiB is refused');
SELECT throws_ok($$INSERT INTO llmspell.artifacts (tenant_id, artifact_id, session_id, name, content_hash, size_bytes)
                   VALUES ('tenant_b', 'art-9', 'sess-1', 'x', repeat('c', 64), 1)$$, '23503', NULL,
                 'an artifact needs its content');

-- event_log: partitions, the default partition, ordering.
SELECT is((SELECT count(*) FROM llmspell.event_log_default), 2::bigint,
          'event_log: rows of months without a partition land in the default partition');
SELECT cmp_ok((SELECT count(*) FROM pg_inherits WHERE inhparent = 'llmspell.event_log'::regclass), '>=', 5::bigint,
              'event_log: the default partition and monthly ones ahead');
INSERT INTO llmspell.event_log (tenant_id, event_id, event_type, occurred_at)
VALUES ('tenant_a', 'ev-future', 'x', date_trunc('month', now()) + interval '8 months 3 days');
SELECT is((SELECT tableoid::regclass::text FROM llmspell.event_log WHERE event_id = 'ev-future'),
          'event_log_default', 'an event beyond the partitions goes to the default partition');
SELECT cmp_ok(llmspell.event_log_create_partitions(9), '>=', 5, 'event_log_create_partitions(9) creates the missing months');
SELECT matches((SELECT tableoid::regclass::text FROM llmspell.event_log WHERE event_id = 'ev-future'),
               '^event_log_y[0-9]{4}m[0-9]{2}$', '... and moves the default partition''s rows into them');
SELECT is(llmspell.event_log_create_partitions(9), 0, '... once');
SELECT results_eq($$SELECT event_id FROM llmspell.event_log WHERE tenant_id = 'tenant_a' AND correlation_id = 'corr-1' ORDER BY sequence$$,
                  $$VALUES ('ev-1'), ('ev-2')$$, 'event_log: by correlation id, in sequence order');
SELECT results_eq($$SELECT event_id FROM llmspell.event_log WHERE tenant_id = 'tenant_a' AND event_type LIKE 'agent.%' ORDER BY sequence$$,
                  $$VALUES ('ev-1'), ('ev-2')$$, 'event_log: by type pattern');
SELECT results_eq($$SELECT event_id FROM llmspell.event_log WHERE tenant_id = 'tenant_a' AND occurred_at < '2010-01-01'$$,
                  $$VALUES ('ev-3')$$, 'event_log: by time range');

-- graph: versions never overlap and never change.
SELECT throws_ok($$INSERT INTO llmspell.graph_entities (tenant_id, entity_id, entity_type, valid_time_start, transaction_time_start)
                   VALUES ('tenant_a', 'alice', 'person', '2024-06-01', '2024-06-01')$$, '23P01', NULL,
                 'graph: overlapping versions of an entity are refused');
SELECT lives_ok($$INSERT INTO llmspell.graph_entities (tenant_id, entity_id, entity_type, valid_time_start, transaction_time_start)
                  VALUES ('tenant_c', 'alice', 'person', '2024-06-01', '2024-06-01')$$,
                'graph: the same entity id in another tenant is independent');
SELECT lives_ok($$UPDATE llmspell.graph_entities SET transaction_time_end = '2024-07-01'
                  WHERE tenant_id = 'tenant_a' AND entity_id = 'alice'$$, 'graph: closing a version');
SELECT lives_ok($$INSERT INTO llmspell.graph_entities (tenant_id, entity_id, entity_type, properties, valid_time_start, transaction_time_start)
                  VALUES ('tenant_a', 'alice', 'person', '{"city": "Rome"}', '2024-01-01', '2024-07-01')$$,
                'graph: ... and adding the next one');
SELECT throws_ok($$UPDATE llmspell.graph_entities SET name = 'Eve' WHERE tenant_id = 'tenant_a' AND entity_id = 'alice'$$,
                 '23000', NULL, 'graph: versions are immutable');
SELECT lives_ok($$UPDATE llmspell.graph_relationships SET transaction_time_end = '2024-08-01'
                  WHERE tenant_id = 'tenant_a'$$, 'graph: closing a relationship');
SELECT throws_ok($$UPDATE llmspell.graph_relationships SET transaction_time_end = '2024-09-01'
                   WHERE tenant_id = 'tenant_a'$$, '23000', NULL, 'graph: ... once');

-- procedural patterns.
SET LOCAL ROLE llmspell_app;
SELECT set_config('app.tenant_id', 'tenant_a', true);
SELECT is(llmspell.record_pattern('global', 'after:read', 'write'), 2, 'record_pattern() counts an observation');
SELECT is(llmspell.record_pattern('global', 'after:read', 'write'), 3, '... and again');
SELECT set_config('app.tenant_id', '', true);
RESET ROLE;
SELECT results_eq($$SELECT key FROM llmspell.procedural_patterns WHERE tenant_id = 'tenant_a' AND frequency >= 3 ORDER BY key$$,
                  $$VALUES ('after:read'), ('after:search')$$, 'patterns learned at frequency 3');

-- hook_history cleanup, per tenant.
UPDATE llmspell.hook_history SET executed_at = now() - interval '40 days';
SET LOCAL ROLE llmspell_app;
SELECT set_config('app.tenant_id', 'tenant_a', true);
SELECT is(llmspell.hook_history_cleanup(interval '30 days'), 1::bigint,
          'hook_history_cleanup() deletes the tenant''s old low-priority rows');
SELECT set_config('app.tenant_id', '', true);
RESET ROLE;
SELECT is((SELECT count(*) FROM llmspell.hook_history), 1::bigint, '... and only the tenant''s');

SELECT * FROM finish();
ROLLBACK;
