"""Benchmarks of the build; run them with ``nox -s bench``."""
