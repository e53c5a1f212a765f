"""Guessing limits: failed logins and lookups counted per purpose and per key, answered with
a growing delay, never a long lock (see service.py)."""
