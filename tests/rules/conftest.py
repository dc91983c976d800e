"""Fixtures for the rule case tests."""

from __future__ import annotations

import pytest

from engine.rulebook import Registry, default_registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The installed rule modules and parameters, found through entry points."""
    return default_registry()
