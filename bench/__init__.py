"""Load scenarios and benchmarks (docs/benchmarks.md). Not part of the installed product."""
