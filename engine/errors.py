"""Errors the services raise: a stable code and its parameters, never a sentence nor a status.

`Conflict("wrong_state.edit", state="submitted")`: the code picks the French sentence in
engine/messages.py; its head (`wrong_state`) is the public code of the API, which maps each
class to its HTTP status (api/errors.py); the CLI and the pages show the sentence.
"""

from __future__ import annotations

from typing import Any

from engine.messages import public_code, render


class ServiceError(Exception):
    code = "error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.message_code = code if code is not None else type(self).code
        self.params = params
        self.code = public_code(self.message_code)
        super().__init__(self.message_code)

    @property
    def detail(self) -> str:
        """The French sentence."""
        return render(self.message_code, self.params)

    def __str__(self) -> str:
        return self.detail


class NotFound(ServiceError):
    code = "not_found"


class Forbidden(ServiceError):
    code = "forbidden"


class Conflict(ServiceError):
    """Wrong state, stale version, deadline passed, duplicate: the request may not apply now."""

    code = "conflict"


class TooManyAttempts(ServiceError):
    code = "too_many_requests"

    def __init__(self, code: str | None = None, /, *, retry_after: int, **params: Any) -> None:
        super().__init__(code, **params)
        self.retry_after = max(1, retry_after)  # seconds, for the Retry-After header


class Unauthenticated(ServiceError):
    code = "unauthenticated"


class InsufficientStorage(ServiceError):
    """The disk holding the data folder is full: nothing was stored."""

    code = "insufficient_storage"
