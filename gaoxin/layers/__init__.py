"""Reading, validating and normalising inputs; workspace; sample data; writing outputs."""

DEFAULT_WORKSPACE = "gaoxin.toml"
