"""Shape ops: views, join, split, layout, rearrange; aliasing holds the view bookkeeping."""
