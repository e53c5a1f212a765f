"""The load and scale benchmark: `python -m bench.load` (see bench/README.md)."""
