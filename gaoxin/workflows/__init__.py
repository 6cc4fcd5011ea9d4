"""Command-level workflows: load with layers, run an analysis, write outputs (maps included)."""
