"""Graph passes (``ember.fx.passes.shape_prop``)."""
