"""`POST /api/v1/auth/token` answers an OAuth2 bearer token."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models.common import Body, Out
from engine.rulebook.text import Text


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class PasswordResetIn(Body):
    """A username or the account's email address."""

    username: Text = Field(min_length=1, max_length=320)


class PasswordResetConfirmIn(Body):
    token: Text = Field(min_length=1, max_length=200)
    password: Text = Field(max_length=1024)


class PasswordResetOut(Out):
    """The same neutral sentence whether an account matched or not."""

    detail: str
