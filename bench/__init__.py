"""Benchmarks: throughput and memory against a reference measured in the same run."""
