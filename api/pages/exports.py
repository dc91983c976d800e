"""The export buttons of the staff lists: the files the list shows, with its filters (its own
query string: `appel`, `etat`, `vue`, `q`), one row per application × funder share, as CSV or
as an Excel workbook."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DatabaseDep
from api.pages.funder import inbox_filters
from api.pages.web import PageActor, PageRoute
from engine.access import Actor
from engine.db import Database
from engine.services.exports import (
    ShareRow,
    applications_csv,
    applications_xlsx,
    parse_filters,
    share_rows,
)
from engine.services.exports.spreadsheets import XLSX_MEDIA_TYPE, export_filename

router = APIRouter(route_class=PageRoute)
PATH = "/exports/dossiers"


def _rows(
    request: Request, db: Database, actor: Actor, appel: str | None, etat: str | None
) -> list[ShareRow]:
    call_id, state, view, search = inbox_filters(request, actor, appel, etat)
    return share_rows(db, actor, parse_filters(call_id, state, view, search))


def _attachment(content: bytes, media_type: str, extension: str) -> Response:
    filename = export_filename(extension)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(PATH + ".csv")
def files_csv(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    appel: str | None = None,
    etat: str | None = None,
) -> Response:
    rows = _rows(request, db, actor, appel, etat)
    return _attachment(applications_csv(rows), "text/csv; charset=utf-8", "csv")


@router.get(PATH + ".xlsx")
def files_xlsx(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    appel: str | None = None,
    etat: str | None = None,
) -> Response:
    rows = _rows(request, db, actor, appel, etat)
    return _attachment(applications_xlsx(rows), XLSX_MEDIA_TYPE, "xlsx")
