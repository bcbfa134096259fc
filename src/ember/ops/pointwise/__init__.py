"""Elementwise ops, one family a module: arithmetic, division, exp_log, trig, rounding,
clamp, special, complex, compare, bitwise, activation."""
