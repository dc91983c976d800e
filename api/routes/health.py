"""Liveness: `GET /api/v1/health`."""

from fastapi import APIRouter

from api.models.health import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    return HealthOut(status="ok")
