"""Scheme modules: the common eligibility rules of each parenting-support scheme."""
