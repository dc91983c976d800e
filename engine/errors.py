"""Errors the services raise; the API maps each to its HTTP status, the CLI to a message."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "error"

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """Wrong state, stale version, deadline passed, duplicate: the request may not apply now."""

    status = 409
    code = "conflict"


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_requests"

    def __init__(self, detail: str, retry_after: int, code: str | None = None) -> None:
        super().__init__(detail, code)
        self.retry_after = max(1, retry_after)  # seconds, for the Retry-After header


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class InsufficientStorage(ServiceError):
    """The disk holding the data folder is full: nothing was stored."""

    status = 507
    code = "insufficient_storage"
