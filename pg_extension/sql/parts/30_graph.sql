-- Bi-temporal graph ----------------------------------------------------------------------------
-- Functions over the tables graph_entities and graph_relationships, found through the caller's
-- search_path (the migrations create them in schema llmspell; sql/graph_schema.sql holds the DDL
-- these functions need). They run as the caller, so row-level security applies, and each one
-- also limits itself to the tenant in app.tenant_id: with no tenant set, reads return nothing
-- and writes fail. Writes return their transaction time, or NULL when they changed nothing.
-- Times: valid_from NULL = the write's transaction time ("now"); as-of points valid_at NULL =
-- now, tx_at NULL (or 'infinity') = as we know it now. Errors: 22023 invalid argument, P0002 not
-- found, 23505 already exists, 23503 missing endpoint, 42501 no tenant, 23P01 overlap.

CREATE FUNCTION graph_add_entity(entity_id text, entity_type text, name text DEFAULT '',
    properties jsonb DEFAULT '{}', valid_from timestamptz DEFAULT NULL,
    valid_to timestamptz DEFAULT 'infinity') RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'llmspell_graph_add_entity' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_update_entity(entity_id text, entity_type text DEFAULT NULL,
    name text DEFAULT NULL, properties jsonb DEFAULT NULL, valid_from timestamptz DEFAULT NULL,
    valid_to timestamptz DEFAULT 'infinity') RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'llmspell_graph_update_entity' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_end_entity(entity_id text, valid_at timestamptz DEFAULT NULL)
  RETURNS timestamptz AS 'MODULE_PATHNAME', 'llmspell_graph_end_entity' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_retract_entity(entity_id text)
  RETURNS timestamptz AS 'MODULE_PATHNAME', 'llmspell_graph_retract_entity' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_add_relationship(relationship_id text, from_entity text, to_entity text,
    relationship_type text, properties jsonb DEFAULT '{}', valid_from timestamptz DEFAULT NULL,
    valid_to timestamptz DEFAULT 'infinity') RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'llmspell_graph_add_relationship' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_update_relationship(relationship_id text,
    relationship_type text DEFAULT NULL, properties jsonb DEFAULT NULL,
    valid_from timestamptz DEFAULT NULL, valid_to timestamptz DEFAULT 'infinity')
  RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'llmspell_graph_update_relationship' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_end_relationship(relationship_id text, valid_at timestamptz DEFAULT NULL)
  RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'llmspell_graph_end_relationship' LANGUAGE C VOLATILE;
CREATE FUNCTION graph_retract_relationship(relationship_id text) RETURNS timestamptz
  AS 'MODULE_PATHNAME', 'llmspell_graph_retract_relationship' LANGUAGE C VOLATILE;

-- Breadth-first from the visible starts: each reachable entity once, at its minimum depth, with
-- the path (entity ids) and the relationships followed; truncated when max_nodes left one out.
CREATE FUNCTION graph_traverse(start_ids text[], max_depth integer DEFAULT 3,
    relationship_types text[] DEFAULT NULL, direction text DEFAULT 'out',
    max_nodes integer DEFAULT 1000, valid_at timestamptz DEFAULT NULL,
    tx_at timestamptz DEFAULT NULL)
  RETURNS TABLE (entity_id text, depth integer, path text[], relationships text[],
                 truncated boolean)
  AS 'MODULE_PATHNAME', 'llmspell_graph_traverse' LANGUAGE C STABLE ROWS 100;

-- The entity's version visible at (valid_at, tx_at): at most one row. PL/pgSQL, so that the
-- query's plan is kept for the session: an SQL function inlined into the caller is parsed and
-- planned again on every call, which made a point read slower than the same SELECT written out.
CREATE FUNCTION graph_get_entity(id text, valid_at timestamptz DEFAULT NULL,
    tx_at timestamptz DEFAULT NULL)
  RETURNS TABLE (entity_id text, entity_type text, name text, properties jsonb,
                 valid_time_start timestamptz, valid_time_end timestamptz,
                 transaction_time_start timestamptz)
  LANGUAGE plpgsql STABLE ROWS 1 AS $$
#variable_conflict use_column
DECLARE
  v timestamptz := coalesce(valid_at, clock_timestamp());
  t timestamptz := coalesce(tx_at, 'infinity');
BEGIN
  RETURN QUERY
    SELECT e.entity_id, e.entity_type, e.name, e.properties, e.valid_time_start,
           e.valid_time_end, e.transaction_time_start
    FROM graph_entities e
    WHERE e.tenant_id = current_setting('app.tenant_id', true) AND e.entity_id = id
      AND e.valid_time_start <= v AND (e.valid_time_end > v OR e.valid_time_end = 'infinity')
      AND e.transaction_time_start <= t
      AND (e.transaction_time_end > t OR e.transaction_time_end = 'infinity');
END $$;

-- Every stored version of the entity, in the order they were recorded.
CREATE FUNCTION graph_entity_history(id text)
  RETURNS TABLE (entity_id text, entity_type text, name text, properties jsonb,
                 valid_time_start timestamptz, valid_time_end timestamptz,
                 transaction_time_start timestamptz, transaction_time_end timestamptz)
  LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT e.entity_id, e.entity_type, e.name, e.properties, e.valid_time_start,
           e.valid_time_end, e.transaction_time_start, e.transaction_time_end
    FROM graph_entities e
    WHERE e.tenant_id = current_setting('app.tenant_id', true) AND e.entity_id = id
    ORDER BY e.transaction_time_start, e.valid_time_start;
END $$;

-- Entities visible at the point, of a type (NULL: any) whose properties contain `contains`
-- (jsonb @>), ordered by entity id (bytewise).
CREATE FUNCTION graph_query_entities(of_type text DEFAULT NULL, contains jsonb DEFAULT NULL,
    valid_at timestamptz DEFAULT NULL, tx_at timestamptz DEFAULT NULL,
    max_rows integer DEFAULT NULL)
  RETURNS TABLE (entity_id text, entity_type text, name text, properties jsonb,
                 valid_time_start timestamptz, valid_time_end timestamptz,
                 transaction_time_start timestamptz)
  LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  v timestamptz := coalesce(valid_at, clock_timestamp());
  t timestamptz := coalesce(tx_at, 'infinity');
BEGIN
  RETURN QUERY
    SELECT e.entity_id, e.entity_type, e.name, e.properties, e.valid_time_start,
           e.valid_time_end, e.transaction_time_start
    FROM graph_entities e
    WHERE e.tenant_id = current_setting('app.tenant_id', true)
      AND (of_type IS NULL OR e.entity_type = of_type)
      AND (contains IS NULL OR e.properties @> contains)
      AND e.valid_time_start <= v AND (e.valid_time_end > v OR e.valid_time_end = 'infinity')
      AND e.transaction_time_start <= t
      AND (e.transaction_time_end > t OR e.transaction_time_end = 'infinity')
    ORDER BY e.entity_id COLLATE "C"
    LIMIT max_rows;
END $$;

-- Relationships of a visible entity whose other end is visible at the point; direction 'out'
-- (from the entity), 'in' or 'both' (a self-loop once, as 'out'). Ordered by type, neighbour,
-- relationship id.
CREATE FUNCTION graph_neighbours(id text, dir text DEFAULT 'both',
    relationship_types text[] DEFAULT NULL, valid_at timestamptz DEFAULT NULL,
    tx_at timestamptz DEFAULT NULL)
  RETURNS TABLE (relationship_id text, relationship_type text, direction text,
                 neighbour_id text, neighbour_type text, neighbour_name text, properties jsonb)
  LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  v timestamptz := coalesce(valid_at, clock_timestamp());
  t timestamptz := coalesce(tx_at, 'infinity');
  d text := lower(dir);
  tenant text := current_setting('app.tenant_id', true);
BEGIN
  IF d IS NULL OR d NOT IN ('out', 'in', 'both') THEN
    RAISE EXCEPTION 'graph_neighbours(): direction must be ''out'', ''in'' or ''both'', not %',
      coalesce(quote_literal(dir), 'NULL') USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM graph_entities s WHERE s.tenant_id = tenant AND s.entity_id = id
      AND s.valid_time_start <= v AND (s.valid_time_end > v OR s.valid_time_end = 'infinity')
      AND s.transaction_time_start <= t
      AND (s.transaction_time_end > t OR s.transaction_time_end = 'infinity')) THEN
    RETURN;
  END IF;
  -- One branch per direction, each reading its own index (graph_relationships_out / _in).
  RETURN QUERY
    SELECT x.relationship_id, x.relationship_type, x.dir, x.other, e.entity_type, e.name,
           x.properties
    FROM (
      SELECT r.relationship_id, r.relationship_type, 'out'::text AS dir, r.to_entity AS other,
             r.properties
      FROM graph_relationships r
      WHERE d <> 'in' AND r.tenant_id = tenant AND r.from_entity = id
        AND (relationship_types IS NULL OR r.relationship_type = ANY (relationship_types))
        AND r.valid_time_start <= v AND (r.valid_time_end > v OR r.valid_time_end = 'infinity')
        AND r.transaction_time_start <= t
        AND (r.transaction_time_end > t OR r.transaction_time_end = 'infinity')
      UNION ALL
      SELECT r.relationship_id, r.relationship_type, 'in'::text, r.from_entity, r.properties
      FROM graph_relationships r
      WHERE d <> 'out' AND r.tenant_id = tenant AND r.to_entity = id
        AND NOT (d <> 'in' AND r.from_entity = id)
        AND (relationship_types IS NULL OR r.relationship_type = ANY (relationship_types))
        AND r.valid_time_start <= v AND (r.valid_time_end > v OR r.valid_time_end = 'infinity')
        AND r.transaction_time_start <= t
        AND (r.transaction_time_end > t OR r.transaction_time_end = 'infinity')) x
    JOIN graph_entities e ON e.tenant_id = tenant AND e.entity_id = x.other
      AND e.valid_time_start <= v AND (e.valid_time_end > v OR e.valid_time_end = 'infinity')
      AND e.transaction_time_start <= t
      AND (e.transaction_time_end > t OR e.transaction_time_end = 'infinity')
    ORDER BY x.relationship_type COLLATE "C", x.other COLLATE "C", x.relationship_id COLLATE "C";
END $$;

-- Deletes the tenant's versions whose transaction time closed before `before`; returns how many.
CREATE FUNCTION graph_compact_history(before timestamptz) RETURNS bigint
  LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  tenant text := nullif(current_setting('app.tenant_id', true), '');
  n bigint;
  m bigint;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'graph_compact_history(): no tenant set' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF before IS NULL THEN
    RAISE EXCEPTION 'graph_compact_history(): before must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  DELETE FROM graph_entities WHERE tenant_id = tenant AND transaction_time_end < before;
  GET DIAGNOSTICS n = ROW_COUNT;
  DELETE FROM graph_relationships WHERE tenant_id = tenant AND transaction_time_end < before;
  GET DIAGNOSTICS m = ROW_COUNT;
  RETURN n + m;
END $$;
