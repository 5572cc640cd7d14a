-- HNSW index access method ---------------------------------------------------------------------
-- CREATE INDEX ON items USING llmspell_hnsw (embedding vector_cosine_ops [, tenant_id [, scope]])
--   WITH (m = 16, ef_construction = 64);
-- Columns after the vector are filter columns compared for equality during the graph walk; the
-- first of them partitions the index: each value (tenant) gets a graph of its own.

CREATE FUNCTION llmspell_hnsw_handler(internal) RETURNS index_am_handler
  AS 'MODULE_PATHNAME', 'llmspell_hnsw_handler' LANGUAGE C;
CREATE ACCESS METHOD llmspell_hnsw TYPE INDEX HANDLER llmspell_hnsw_handler;
COMMENT ON ACCESS METHOD llmspell_hnsw IS 'HNSW graph index for vector k-NN, partitioned by tenant';

CREATE FUNCTION llmspell_hnsw_l2_metric(integer) RETURNS integer
  AS 'MODULE_PATHNAME', 'llmspell_hnsw_l2_metric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION llmspell_hnsw_cosine_metric(integer) RETURNS integer
  AS 'MODULE_PATHNAME', 'llmspell_hnsw_cosine_metric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION llmspell_hnsw_ip_metric(integer) RETURNS integer
  AS 'MODULE_PATHNAME', 'llmspell_hnsw_ip_metric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING llmspell_hnsw AS
  OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
  FUNCTION 1 llmspell_hnsw_l2_metric(integer);
CREATE OPERATOR CLASS vector_cosine_ops FOR TYPE vector USING llmspell_hnsw AS
  OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
  FUNCTION 1 llmspell_hnsw_cosine_metric(integer);
CREATE OPERATOR CLASS vector_ip_ops FOR TYPE vector USING llmspell_hnsw AS
  OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
  FUNCTION 1 llmspell_hnsw_ip_metric(integer);

-- Filter columns: equality, hashed with the type's own 64-bit hash function.
CREATE OPERATOR CLASS text_filter_ops DEFAULT FOR TYPE text USING llmspell_hnsw AS
  OPERATOR 1 = (text, text),
  FUNCTION 1 hashtextextended(text, bigint);
CREATE OPERATOR CLASS uuid_filter_ops DEFAULT FOR TYPE uuid USING llmspell_hnsw AS
  OPERATOR 1 = (uuid, uuid),
  FUNCTION 1 uuid_hash_extended(uuid, bigint);
CREATE OPERATOR CLASS int4_filter_ops DEFAULT FOR TYPE integer USING llmspell_hnsw AS
  OPERATOR 1 = (integer, integer),
  FUNCTION 1 hashint4extended(integer, bigint);
CREATE OPERATOR CLASS int8_filter_ops DEFAULT FOR TYPE bigint USING llmspell_hnsw AS
  OPERATOR 1 = (bigint, bigint),
  FUNCTION 1 hashint8extended(bigint, bigint);

CREATE FUNCTION llmspell_hnsw_verify(index regclass,
    OUT partitions bigint, OUT elements bigint, OUT live bigint, OUT reachable bigint,
    OUT broken_links bigint, OUT counted bigint)
  AS 'MODULE_PATHNAME', 'llmspell_hnsw_verify' LANGUAGE C STRICT;
COMMENT ON FUNCTION llmspell_hnsw_verify(regclass) IS
  'Structure of an llmspell_hnsw index: live elements should all be reachable, no broken links';
