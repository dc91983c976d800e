"""PIF — Points info famille: common rules only (RULES.md §4)."""

from rules.schemes._plain import plain_scheme

module = plain_scheme("pif", "Point info famille")
