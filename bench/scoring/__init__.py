"""The scoring and export benchmark: `python -m bench.scoring` (see __main__.py and
bench/README.md)."""
