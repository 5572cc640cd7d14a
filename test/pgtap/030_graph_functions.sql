-- The bi-temporal graph functions as an application role under row-level security: golden
-- scenarios, traversal rules, typed errors, and the cross-tenant matrix (every function called
-- as one tenant on the other's ids answers exactly as for an id that does not exist).
-- No surrounding transaction: each write is its own transaction, with its own transaction time.
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS graph_test CASCADE;
CREATE SCHEMA graph_test;
SET search_path = graph_test, public;
CREATE EXTENSION llmspell SCHEMA graph_test;
\ir ../../pg_extension/sql/graph_schema.sql
DROP ROLE IF EXISTS llmspell_graph_app;
CREATE ROLE llmspell_graph_app NOSUPERUSER NOBYPASSRLS;
GRANT USAGE ON SCHEMA graph_test TO llmspell_graph_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON graph_entities, graph_relationships TO llmspell_graph_app;
SELECT plan(43);

CREATE TABLE tx (label text PRIMARY KEY, t timestamptz);
GRANT ALL ON tx TO llmspell_graph_app;
SET ROLE llmspell_graph_app;

-- No tenant: reads see nothing, writes are refused.
SELECT throws_ok($$SELECT graph_add_entity('x', 'person')$$, '42501', NULL, 'no tenant: writes refused');
SELECT is((SELECT count(*) FROM graph_traverse(ARRAY['x'])), 0::bigint, 'no tenant: nothing read');

SELECT set_config('app.tenant_id', 'acme', false);
-- Born in Lyon, moved to Paris, a wrong record and its correction.
INSERT INTO tx SELECT 'born', graph_add_entity('alice', 'person', 'Alice', '{"city":"Lyon"}', '2024-01-01');
INSERT INTO tx SELECT 'moved', graph_update_entity('alice', properties => '{"city":"Paris"}', valid_from => '2024-03-01');
INSERT INTO tx SELECT 'wrong', graph_update_entity('alice', properties => '{"city":"Marseille"}', valid_from => '2024-05-01');
INSERT INTO tx SELECT 'fixed', graph_update_entity('alice', properties => '{"city":"Paris"}', valid_from => '2024-05-01');
SELECT ok((SELECT t FROM tx WHERE label = 'born') < (SELECT t FROM tx WHERE label = 'moved')
          AND (SELECT t FROM tx WHERE label = 'wrong') < (SELECT t FROM tx WHERE label = 'fixed'),
          'transaction times strictly increase');
SELECT is((SELECT properties->>'city' FROM graph_get_entity('alice', '2024-04-01', (SELECT t FROM tx WHERE label = 'born'))),
          'Lyon', 'as we knew it before the move was reported');
SELECT is((SELECT properties->>'city' FROM graph_get_entity('alice', '2024-04-01')), 'Paris', 'as we know it now');
SELECT is((SELECT properties->>'city' FROM graph_get_entity('alice', '2024-06-01', (SELECT t FROM tx WHERE label = 'wrong'))),
          'Marseille', 'the wrong record, as we believed it then');
SELECT is((SELECT properties->>'city' FROM graph_get_entity('alice', '2024-06-01')), 'Paris', 'after the correction');
SELECT is((SELECT count(*) FROM graph_get_entity('alice', '2023-12-31')), 0::bigint, 'before birth');
SELECT is((SELECT count(*) FROM graph_entity_history('alice')), 6::bigint, 'nothing overwritten: 6 versions');
SELECT is(graph_update_entity('alice', properties => '{"city": "Paris"}', valid_from => '2024-05-01'), NULL,
          'a write that changes nothing returns NULL');
SELECT is((SELECT count(*) FROM graph_entity_history('alice')), 6::bigint, '... and creates no version');
SELECT is((SELECT array_agg(entity_id) FROM graph_query_entities('person', '{"city":"Paris"}', '2024-06-01')),
          ARRAY['alice'], 'query by type and property containment');
SELECT is((SELECT count(*) FROM graph_query_entities('person', '{"city":"Paris"}', '2024-02-01')), 0::bigint,
          'query at a valid time before the move');

-- "works at A", then "works at B since March".
SELECT graph_add_entity(id, 'org', id, '{}', '2024-01-01') FROM unnest(ARRAY['a-corp', 'b-corp']) id;
INSERT INTO tx SELECT 'job', graph_add_relationship('alice-a', 'alice', 'a-corp', 'works_at', '{}', '2024-01-01');
SELECT graph_end_relationship('alice-a', '2024-03-01');
SELECT graph_add_relationship('alice-b', 'alice', 'b-corp', 'works_at', '{}', '2024-03-01');
SELECT is((SELECT array_agg(neighbour_id) FROM graph_neighbours('alice', 'out', ARRAY['works_at'], '2024-06-01', (SELECT t FROM tx WHERE label = 'job'))),
          ARRAY['a-corp'], 'before we learned of B');
SELECT is((SELECT array_agg(neighbour_id) FROM graph_neighbours('alice', 'out', ARRAY['works_at'], '2024-06-01')),
          ARRAY['b-corp'], 'after we learned of B');
SELECT is((SELECT array_agg(neighbour_id) FROM graph_neighbours('alice', 'out', ARRAY['works_at'], '2024-02-01')),
          ARRAY['a-corp'], 'in February it was A');

-- Traversal: diamond, cycle, direction, type with quotes, past edge, invisible endpoint.
SELECT graph_add_entity(id, 'node', id, '{}', '2024-01-01') FROM unnest(ARRAY['a', 'b', 'c', 'd', 'x', 'y']) id;
SELECT graph_add_relationship(r[1], r[2], r[3], r[4], '{}', '2024-01-01')
  FROM (VALUES (ARRAY['ab', 'a', 'b', 'link']), (ARRAY['ac', 'a', 'c', 'link']), (ARRAY['bd', 'b', 'd', 'link']),
               (ARRAY['cd', 'c', 'd', 'link']), (ARRAY['da', 'd', 'a', 'link']),
               (ARRAY['dx', 'd', 'x', 'it''s "quoted"'])) v(r);
SELECT graph_add_relationship('ay', 'a', 'y', 'link', '{}', '2024-01-01', '2024-02-01');
SELECT results_eq($$SELECT entity_id, depth, path, relationships, truncated FROM graph_traverse(ARRAY['a'], 5)$$,
  $$VALUES ('a', 0, ARRAY['a'], ARRAY[]::text[], false), ('b', 1, ARRAY['a','b'], ARRAY['ab'], false),
           ('c', 1, ARRAY['a','c'], ARRAY['ac'], false), ('d', 2, ARRAY['a','b','d'], ARRAY['ab','bd'], false),
           ('x', 3, ARRAY['a','b','d','x'], ARRAY['ab','bd','dx'], false)$$,
  'cycle and diamond: each entity once, at its minimum depth, with its path');
-- The same question as a recursive CTE over (entity, depth) pairs (bench_graph's comparison):
-- the same entities at the same minimum depths.
SELECT results_eq(
  $$SELECT entity_id, depth FROM graph_traverse(ARRAY['a'], 5, valid_at => '2024-06-01')
    ORDER BY depth, entity_id COLLATE "C"$$,
  $$WITH RECURSIVE walk(entity_id, depth) AS (
      SELECT 'a'::text, 0
      UNION
      SELECT r.to_entity, w.depth + 1 FROM walk w JOIN graph_relationships r
        ON r.from_entity = w.entity_id AND r.tenant_id = current_setting('app.tenant_id')
       WHERE w.depth < 5 AND r.valid_time_start <= '2024-06-01' AND r.valid_time_end > '2024-06-01'
         AND r.transaction_time_end = 'infinity'
         AND EXISTS (SELECT 1 FROM graph_entities e WHERE e.tenant_id = r.tenant_id
                     AND e.entity_id = r.to_entity AND e.valid_time_start <= '2024-06-01'
                     AND e.valid_time_end > '2024-06-01' AND e.transaction_time_end = 'infinity'))
    SELECT entity_id, min(depth) AS d FROM walk GROUP BY entity_id ORDER BY d, entity_id COLLATE "C"$$,
  'traversal and the equivalent recursive CTE agree');
SELECT is((SELECT array_agg(entity_id) FROM graph_traverse(ARRAY['a'], 1, valid_at => '2024-01-15')),
          ARRAY['a', 'b', 'c', 'y'], 'an edge valid only in the past is followed at that time');
SELECT is((SELECT array_agg(entity_id) FROM graph_traverse(ARRAY['d'], 1, direction => 'in')),
          ARRAY['d', 'b', 'c'], 'direction in');
SELECT is((SELECT array_agg(entity_id) FROM graph_traverse(ARRAY['d'], 3, ARRAY['it''s "quoted"'])),
          ARRAY['d', 'x'], 'a type value containing quotes');
SELECT is((SELECT array_agg(entity_id || ':' || truncated) FROM graph_traverse(ARRAY['a'], 5, max_nodes => 3)),
          ARRAY['a:true', 'b:true', 'c:true'], 'the node budget says truncated');
SELECT graph_end_entity('x', '2024-06-01');
SELECT is((SELECT array_agg(entity_id) FROM graph_traverse(ARRAY['a'], 5)),
          ARRAY['a', 'b', 'c', 'd'], 'an endpoint invisible at the as-of point is not reached');
SELECT graph_update_entity('b', name => 'b2', valid_from => '2024-02-01');
SELECT graph_update_entity('b', name => 'b3', valid_from => '2024-03-01');
SELECT is((SELECT array_agg(neighbour_id) FROM graph_neighbours('a', 'out')), ARRAY['b', 'c'],
          'three versions of a neighbour: one row');

-- Typed errors.
SELECT throws_ok($$SELECT graph_add_entity('alice', 'person')$$, '23505', NULL, 'already exists');
SELECT throws_ok($$SELECT graph_add_relationship('r', 'alice', 'ghost', 'knows')$$, '23503', NULL, 'missing endpoint');
SELECT throws_ok($$SELECT graph_update_entity('ghost', 'person')$$, 'P0002', NULL, 'not found');
SELECT throws_ok($$SELECT graph_add_entity('q', 'person', 'Q', '[1]')$$, '22023', NULL, 'properties must be an object');
SELECT throws_ok($$SELECT * FROM graph_traverse(ARRAY['a'], 11)$$, '22023', NULL, 'depth cap 10');
SELECT throws_ok($$SELECT * FROM graph_neighbours('a', 'sideways')$$, '22023', NULL, 'bad direction');
SELECT throws_ok($$UPDATE graph_entities SET name = 'forged' WHERE entity_id = 'alice'$$, '23000', NULL,
                 'versions are immutable');

-- Cross-tenant matrix: tenant "other" holds the same ids; each sees only its own.
SELECT set_config('app.tenant_id', 'other', false);
SELECT graph_add_entity('alice', 'person', 'Other Alice', '{"city":"Oslo"}', '2024-01-01');
SELECT is((SELECT properties->>'city' FROM graph_get_entity('alice', '2024-06-01')), 'Oslo', 'other tenant, same id, own data');
SELECT is((SELECT count(*) FROM graph_get_entity('a', '2024-06-01')), 0::bigint, 'get: another tenant''s id is not found');
SELECT is((SELECT count(*) FROM graph_entity_history('a')), 0::bigint, 'history: empty');
SELECT is((SELECT count(*) FROM graph_neighbours('a')), 0::bigint, 'neighbours: empty');
SELECT is((SELECT count(*) FROM graph_traverse(ARRAY['a'])), 0::bigint, 'traverse: empty');
SELECT is((SELECT count(*) FROM graph_query_entities('node')), 0::bigint, 'query: empty');
SELECT throws_ok($$SELECT graph_update_entity('b', 'x')$$, 'P0002', NULL, 'update: not found, as for no id');
SELECT throws_ok($$SELECT graph_add_relationship('r', 'alice', 'b', 'knows')$$, '23503', NULL,
                 'relationship to another tenant''s entity: missing endpoint');
SELECT is(graph_compact_history('infinity'), 0::bigint, 'compaction touches only this tenant');
SELECT set_config('app.tenant_id', 'acme', false);
SELECT ok(graph_compact_history('infinity') > 0, 'compaction removes closed versions');
SELECT is((SELECT count(*) FROM graph_entity_history('alice')), 3::bigint, 'only current versions remain');

-- One transaction writing for acme, then another tenant, then acme again: one time for acme.
BEGIN;
INSERT INTO tx SELECT 'acme-1', graph_add_entity('tx-1', 'node');
SELECT set_config('app.tenant_id', 'globex', true);
INSERT INTO tx SELECT 'globex', graph_add_entity('tx-2', 'node');
SELECT set_config('app.tenant_id', 'acme', true);
INSERT INTO tx SELECT 'acme-2', graph_add_entity('tx-3', 'node');
COMMIT;
SELECT is((SELECT t FROM tx WHERE label = 'acme-2'), (SELECT t FROM tx WHERE label = 'acme-1'),
          'a transaction keeps one time per tenant when it switches tenants and back');

SELECT * FROM finish();
RESET ROLE;
DROP SCHEMA graph_test CASCADE;
DROP ROLE llmspell_graph_app;
