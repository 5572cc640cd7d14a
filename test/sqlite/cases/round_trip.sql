-- Text -> BLOB -> text gives the shortest decimal that reads back to the same float32.
SELECT vector_to_text(vector('[0.1, -0, 1e-45, 16777217, 123456.79]'));
-- BLOB -> text -> BLOB is bit-exact: 0.1f, 1, -10.
SELECT vector_to_text(x'cdcccc3d0000803f000020c1');
SELECT hex(vector(vector_to_text(x'cdcccc3d0000803f000020c1')));
