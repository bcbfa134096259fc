"""Linear algebra: products, diagonal, triangles, solve, decompositions, norms."""
