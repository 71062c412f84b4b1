"""Benchmarks: `make bench` builds a large GHT among 136 and prints server times and query counts."""
