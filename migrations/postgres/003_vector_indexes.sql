-- 003_vector_indexes: an llmspell_hnsw index on every embeddings table, 3072 dimensions included.
--
-- tenant_id is the index's filter column: each tenant gets a graph of its own, and the row-level
-- security condition tenant_id = current_setting('app.tenant_id', true) becomes an index
-- condition, applied during the graph walk (a tenant owning 1% of the rows keeps its recall).
-- Queries: ORDER BY embedding <=> $1 LIMIT k (cosine distance); SET llmspell.hnsw_ef_search for a
-- wider search. Built with the access method's defaults (m = 16, ef_construction = 64).

CREATE INDEX IF NOT EXISTS embeddings_384_hnsw ON llmspell.embeddings_384
  USING llmspell_hnsw (embedding vector_cosine_ops, tenant_id);
CREATE INDEX IF NOT EXISTS embeddings_768_hnsw ON llmspell.embeddings_768
  USING llmspell_hnsw (embedding vector_cosine_ops, tenant_id);
CREATE INDEX IF NOT EXISTS embeddings_1536_hnsw ON llmspell.embeddings_1536
  USING llmspell_hnsw (embedding vector_cosine_ops, tenant_id);
CREATE INDEX IF NOT EXISTS embeddings_3072_hnsw ON llmspell.embeddings_3072
  USING llmspell_hnsw (embedding vector_cosine_ops, tenant_id);
