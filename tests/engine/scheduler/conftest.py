"""Fixtures of the scheduler tests: the département (`world`) and a real SMTP server."""

from tests.engine.notify.world import smtp, world

__all__ = ["smtp", "world"]
