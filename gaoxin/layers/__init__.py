"""Inputs and outputs: read, validate and normalise every source (load.py is the one
loader), the workspace file, provenance digests, and atomic writers."""

DEFAULT_WORKSPACE = "gaoxin.toml"
