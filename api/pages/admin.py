"""The administrator's pages: funders (admin_funders), users (admin_users), the outbox of
notifications (admin_outbox) and editing a call (admin_calls)."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import admin_calls, admin_funders, admin_outbox, admin_users
from api.pages.web import PageRoute

router = APIRouter(route_class=PageRoute)
for _module in (admin_funders, admin_users, admin_outbox, admin_calls):
    router.include_router(_module.router)
