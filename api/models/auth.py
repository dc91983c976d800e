"""`POST /api/v1/auth/token` answers an OAuth2 bearer token."""

from __future__ import annotations

from typing import Literal

from api.models.common import Out


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
