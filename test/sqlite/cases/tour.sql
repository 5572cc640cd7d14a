-- A short tour: store vectors given as text, read them back, find nearest neighbours.
CREATE TABLE docs(
  id INTEGER PRIMARY KEY,
  title TEXT,
  embedding BLOB CHECK (vector_dims(embedding) = 3)
);
INSERT INTO docs(title, embedding) VALUES
  ('cats', vector('[1, 0, 0]')),
  ('kittens', vector('[0.9, 0.1, 0]')),
  ('dogs', vector('[0.5, 0.5, 0]')),
  ('cars', vector('[0, 0, 1]'));
SELECT id, title, vector_to_text(embedding), vector_dims(embedding) FROM docs;
-- The two documents closest in direction to [1, 0.2, 0].
SELECT title FROM docs ORDER BY vec_distance_cosine(embedding, '[1, 0.2, 0]') LIMIT 2;
SELECT vec_distance_l2('[0,0,0]', '[1,2,2]'), vec_inner_product('[1,2,3]', '[4,5,6]');
SELECT vec_distance_cosine('[1,0]', '[0,1]'), vec_distance_cosine('[1,0]', '[1,1]');
SELECT hex(vector('[1,2,3]'));
SELECT vector_to_text(vector_normalize('[3,4]'));
