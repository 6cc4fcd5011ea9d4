"""Reading, validating and normalising inputs; workspace; sample data; writing outputs."""
