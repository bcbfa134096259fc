"""Reductions: sum_prod, minmax, moments, norm, scans, order_stats, counting."""
