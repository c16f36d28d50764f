"""Synthetic data at provincial scale for the benchmarks (``flask --app registry gen-data``)."""
