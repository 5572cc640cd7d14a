-- no-bail: the HNSW virtual table through the real shell, errors included.
CREATE VIRTUAL TABLE docs USING llmspell_hnsw(
  embedding float[3] distance=cosine, tenant_id text, +title, m=8, ef_construction=32);
INSERT INTO docs(rowid, embedding, tenant_id, title) VALUES
  (1, '[1, 0, 0]', 'acme', 'cats'),
  (2, '[0.9, 0.1, 0]', 'acme', 'kittens'),
  (3, '[0.5, 0.5, 0]', 'globex', 'dogs'),
  (4, '[0, 0, 1]', 'acme', 'cars');
-- The three documents closest in direction to [1, 0.2, 0], nearest first.
SELECT rowid, title, round(distance, 4) FROM docs
 WHERE embedding MATCH '[1, 0.2, 0]' AND k = 3;
SELECT title FROM docs WHERE embedding MATCH '[1, 0.2, 0]' AND k = 3 AND tenant_id = 'globex';
BEGIN;
DELETE FROM docs WHERE rowid = 2;
SELECT count(*) FROM docs;
ROLLBACK;
SELECT count(*), llmspell_hnsw_check('docs') FROM docs;
SELECT llmspell_set_tenant('acme');
SELECT group_concat(title) FROM docs;
INSERT INTO docs(embedding, tenant_id, title) VALUES ('[0, 1, 0]', 'globex', 'spy');
SELECT llmspell_set_tenant(NULL);
SELECT rowid FROM docs WHERE embedding MATCH '[1, 0.2, 0]';
SELECT rowid FROM docs WHERE embedding MATCH '[1, 0.2]' AND k = 1;
SELECT rowid FROM docs WHERE embedding MATCH '[1, 0.2, 0]' AND k = 0;
INSERT INTO docs(embedding) VALUES ('[1, oops, 0]');
CREATE VIRTUAL TABLE bad USING llmspell_hnsw(embedding float[3], colour blue);
DROP TABLE docs;
SELECT count(*) FROM sqlite_master;
