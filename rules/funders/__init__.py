"""Funder modules: each funder's own allocation rules."""
