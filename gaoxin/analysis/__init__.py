"""Analyses: canonical frames and a rule set in, a result frame and a summary out."""
