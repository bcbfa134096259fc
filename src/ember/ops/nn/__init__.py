"""The nn primitives as Functions: linear, softmax, embedding, loss, normalization, pool,
resample, conv, grid_sample, distance, dropout."""
