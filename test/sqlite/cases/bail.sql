-- With -bail the shell stops at the first error: the last statement never runs.
SELECT vector_dims('[1,2,3]');
SELECT vector('[1,2');
SELECT 'not reached';
