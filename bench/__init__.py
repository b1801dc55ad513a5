"""Benchmarks for the techmatch engine (run as modules from the repository root)."""
