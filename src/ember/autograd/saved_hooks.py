"""Saved-tensor hooks (``saved_tensors_hooks``, ``save_on_cpu``)."""
