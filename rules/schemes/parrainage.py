"""Parrainage de proximité: common rules only (RULES.md §4)."""

from rules.schemes._plain import plain_scheme

module = plain_scheme("parrainage", "Parrainage de proximité")
