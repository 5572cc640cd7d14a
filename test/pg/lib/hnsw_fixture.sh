# Shared by the cluster tests: clustered vectors generated in SQL, recall against exact search.
hnsw_sql_functions() {
  cat <<'SQL'
CREATE OR REPLACE FUNCTION embedding(c int, a float8, b float8, dims int) RETURNS vector
LANGUAGE sql AS $$
  SELECT array_agg(sin(c * 1.7 + d * 0.31) + a * sin(c * 2.3 + d * 0.17) + b * cos(c * 0.7 + d * 0.23)
                   + 0.02 * (random() - 0.5) ORDER BY d)::real[]::vector
  FROM generate_series(1, dims) d
$$;
CREATE OR REPLACE FUNCTION recall(dims int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE q vector; exact int[]; approx int[]; hits int := 0; total int := 0;
BEGIN
  FOR i IN 1..20 LOOP
    q := embedding(i % 20, random() - 0.5, random() - 0.5, dims);
    PERFORM set_config('enable_indexscan', 'off', true);
    SELECT array_agg(id) INTO exact FROM (SELECT id FROM items ORDER BY embedding <=> q LIMIT 10) s;
    PERFORM set_config('enable_indexscan', 'on', true);
    PERFORM set_config('enable_seqscan', 'off', true);
    SELECT array_agg(id) INTO approx FROM (SELECT id FROM items ORDER BY embedding <=> q LIMIT 10) s;
    PERFORM set_config('enable_seqscan', 'on', true);
    hits := hits + (SELECT count(*) FROM unnest(exact) e WHERE e = ANY (approx));
    total := total + coalesce(array_length(exact, 1), 0);
  END LOOP;
  RETURN hits::float8 / greatest(total, 1);
END $$;
SQL
}
