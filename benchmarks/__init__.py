"""Benchmarks of the registry at provincial scale (``make bench``; see README.md here)."""
