"""`GET /api/v1/health`."""

from __future__ import annotations

from typing import Literal

from api.models.common import Out


class HealthOut(Out):
    status: Literal["ok"] = "ok"
