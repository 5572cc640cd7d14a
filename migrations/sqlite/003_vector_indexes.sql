-- 003_vector_indexes: an llmspell_hnsw virtual table beside every embeddings table, 3072
-- dimensions included. Its graph lives in shadow tables of this database file, so it commits and
-- rolls back with the rows. The triggers keep it in step with the embeddings table (same rowid =
-- rid); the first statement of each block indexes rows that existed before the index.
-- Search (cosine distance, nearest first; tenant_id and scope filter during the graph walk):
--   SELECT e.id, h.distance FROM embeddings_384_hnsw h JOIN embeddings_384 e ON e.rid = h.rowid
--    WHERE h.embedding MATCH :query AND h.k = 10 AND h.tenant_id = :tenant;

CREATE VIRTUAL TABLE IF NOT EXISTS embeddings_384_hnsw USING llmspell_hnsw(
  embedding float[384] distance=cosine, tenant_id text, scope text);
INSERT INTO embeddings_384_hnsw (rowid, embedding, tenant_id, scope)
  SELECT rid, embedding, tenant_id, scope FROM embeddings_384
   WHERE rid NOT IN (SELECT rowid FROM embeddings_384_hnsw);
CREATE TRIGGER IF NOT EXISTS embeddings_384_hnsw_insert AFTER INSERT ON embeddings_384
BEGIN
  INSERT INTO embeddings_384_hnsw (rowid, embedding, tenant_id, scope)
  VALUES (NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope);
END;
CREATE TRIGGER IF NOT EXISTS embeddings_384_hnsw_update
AFTER UPDATE OF rid, embedding, tenant_id, scope ON embeddings_384
BEGIN
  DELETE FROM embeddings_384_hnsw WHERE rowid = OLD.rid AND NEW.rid IS NOT OLD.rid;
  INSERT INTO embeddings_384_hnsw (rowid, embedding, tenant_id, scope)
    SELECT NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope WHERE NEW.rid IS NOT OLD.rid;
  UPDATE embeddings_384_hnsw SET embedding = NEW.embedding, tenant_id = NEW.tenant_id, scope = NEW.scope
   WHERE rowid = NEW.rid AND NEW.rid IS OLD.rid;
END;
CREATE TRIGGER IF NOT EXISTS embeddings_384_hnsw_delete AFTER DELETE ON embeddings_384
BEGIN
  DELETE FROM embeddings_384_hnsw WHERE rowid = OLD.rid;
END;

CREATE VIRTUAL TABLE IF NOT EXISTS embeddings_768_hnsw USING llmspell_hnsw(
  embedding float[768] distance=cosine, tenant_id text, scope text);
INSERT INTO embeddings_768_hnsw (rowid, embedding, tenant_id, scope)
  SELECT rid, embedding, tenant_id, scope FROM embeddings_768
   WHERE rid NOT IN (SELECT rowid FROM embeddings_768_hnsw);
CREATE TRIGGER IF NOT EXISTS embeddings_768_hnsw_insert AFTER INSERT ON embeddings_768
BEGIN
  INSERT INTO embeddings_768_hnsw (rowid, embedding, tenant_id, scope)
  VALUES (NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope);
END;
CREATE TRIGGER IF NOT EXISTS embeddings_768_hnsw_update
AFTER UPDATE OF rid, embedding, tenant_id, scope ON embeddings_768
BEGIN
  DELETE FROM embeddings_768_hnsw WHERE rowid = OLD.rid AND NEW.rid IS NOT OLD.rid;
  INSERT INTO embeddings_768_hnsw (rowid, embedding, tenant_id, scope)
    SELECT NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope WHERE NEW.rid IS NOT OLD.rid;
  UPDATE embeddings_768_hnsw SET embedding = NEW.embedding, tenant_id = NEW.tenant_id, scope = NEW.scope
   WHERE rowid = NEW.rid AND NEW.rid IS OLD.rid;
END;
CREATE TRIGGER IF NOT EXISTS embeddings_768_hnsw_delete AFTER DELETE ON embeddings_768
BEGIN
  DELETE FROM embeddings_768_hnsw WHERE rowid = OLD.rid;
END;

CREATE VIRTUAL TABLE IF NOT EXISTS embeddings_1536_hnsw USING llmspell_hnsw(
  embedding float[1536] distance=cosine, tenant_id text, scope text);
INSERT INTO embeddings_1536_hnsw (rowid, embedding, tenant_id, scope)
  SELECT rid, embedding, tenant_id, scope FROM embeddings_1536
   WHERE rid NOT IN (SELECT rowid FROM embeddings_1536_hnsw);
CREATE TRIGGER IF NOT EXISTS embeddings_1536_hnsw_insert AFTER INSERT ON embeddings_1536
BEGIN
  INSERT INTO embeddings_1536_hnsw (rowid, embedding, tenant_id, scope)
  VALUES (NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope);
END;
CREATE TRIGGER IF NOT EXISTS embeddings_1536_hnsw_update
AFTER UPDATE OF rid, embedding, tenant_id, scope ON embeddings_1536
BEGIN
  DELETE FROM embeddings_1536_hnsw WHERE rowid = OLD.rid AND NEW.rid IS NOT OLD.rid;
  INSERT INTO embeddings_1536_hnsw (rowid, embedding, tenant_id, scope)
    SELECT NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope WHERE NEW.rid IS NOT OLD.rid;
  UPDATE embeddings_1536_hnsw SET embedding = NEW.embedding, tenant_id = NEW.tenant_id, scope = NEW.scope
   WHERE rowid = NEW.rid AND NEW.rid IS OLD.rid;
END;
CREATE TRIGGER IF NOT EXISTS embeddings_1536_hnsw_delete AFTER DELETE ON embeddings_1536
BEGIN
  DELETE FROM embeddings_1536_hnsw WHERE rowid = OLD.rid;
END;

CREATE VIRTUAL TABLE IF NOT EXISTS embeddings_3072_hnsw USING llmspell_hnsw(
  embedding float[3072] distance=cosine, tenant_id text, scope text);
INSERT INTO embeddings_3072_hnsw (rowid, embedding, tenant_id, scope)
  SELECT rid, embedding, tenant_id, scope FROM embeddings_3072
   WHERE rid NOT IN (SELECT rowid FROM embeddings_3072_hnsw);
CREATE TRIGGER IF NOT EXISTS embeddings_3072_hnsw_insert AFTER INSERT ON embeddings_3072
BEGIN
  INSERT INTO embeddings_3072_hnsw (rowid, embedding, tenant_id, scope)
  VALUES (NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope);
END;
CREATE TRIGGER IF NOT EXISTS embeddings_3072_hnsw_update
AFTER UPDATE OF rid, embedding, tenant_id, scope ON embeddings_3072
BEGIN
  DELETE FROM embeddings_3072_hnsw WHERE rowid = OLD.rid AND NEW.rid IS NOT OLD.rid;
  INSERT INTO embeddings_3072_hnsw (rowid, embedding, tenant_id, scope)
    SELECT NEW.rid, NEW.embedding, NEW.tenant_id, NEW.scope WHERE NEW.rid IS NOT OLD.rid;
  UPDATE embeddings_3072_hnsw SET embedding = NEW.embedding, tenant_id = NEW.tenant_id, scope = NEW.scope
   WHERE rowid = NEW.rid AND NEW.rid IS OLD.rid;
END;
CREATE TRIGGER IF NOT EXISTS embeddings_3072_hnsw_delete AFTER DELETE ON embeddings_3072
BEGIN
  DELETE FROM embeddings_3072_hnsw WHERE rowid = OLD.rid;
END;
