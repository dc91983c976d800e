"""The chair's pages: calls (chair_calls), sessions (chair_sessions), the session screen the
funders share (session_screen), decisions and the close (chair_meeting), the dashboard."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import (
    chair_calls,
    chair_meeting,
    chair_sessions,
    dashboard,
    session_attendance,
    session_conflicts,
    session_screen,
)
from api.pages.web import PageRoute

router = APIRouter(route_class=PageRoute)
for _module in (
    chair_calls,
    chair_sessions,
    session_screen,
    chair_meeting,
    session_conflicts,
    session_attendance,
    dashboard,
):
    router.include_router(_module.router)
