"""Indexing: subscript, masked, gather_scatter, index_add, take_put, sort, view_scatter."""
