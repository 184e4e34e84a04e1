"""The djstack benchmarks (issue #7); bench/run is the entry point."""
