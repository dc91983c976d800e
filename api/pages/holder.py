"""The project holder's pages: my applications, the guided form (CERFA 12156), the simulator.

One `router` gathers the holder's routes, in their order: the list (`holder_list`), the guided
form (`holder_edit`, its page and posts in `holder_form`, its simulator in `holder_simulation`),
then « Mon organisation » (`profile`).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import holder_edit, holder_list, profile
from api.pages.holder_form import ACCEPTS_SUBMISSIONS
from api.pages.holder_list import total_requested
from api.pages.holder_simulation import simulation_errors
from api.pages.web import PageRoute

__all__ = ["ACCEPTS_SUBMISSIONS", "router", "simulation_errors", "total_requested"]

router = APIRouter(route_class=PageRoute)
router.include_router(holder_list.router)
router.include_router(holder_edit.router)
# "Mon organisation" (api/pages/profile.py), the holder's other page.
router.include_router(profile.router)
