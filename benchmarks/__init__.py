"""Benchmarks for eventforge: generation speed and scale, and the generated runtime.

Not part of the test suite; see benchmarks/README.md for the commands and the results.
"""
