"""Fixtures for the rule case tests."""

from __future__ import annotations

import pytest

from engine.rulebook import Registry
from engine.rulebook.registry import registry_for


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The installed rule modules and their built-in parameters, found through entry points
    (the cases are written for the shipped values, whatever COFINANCE_PARAMETERS_DIR says)."""
    return registry_for(None)
