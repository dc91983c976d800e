"""Staff exports: the applications list as a spreadsheet, one row per application × funder
share, with the list's filters (DESIGN §11)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CurrentActor, DatabaseDep
from api.errors import error_responses
from api.models.common import MAX_ID, binary_response
from engine.rulebook.text import Text
from engine.services.exports import applications_csv, applications_xlsx, parse_filters, share_rows
from engine.services.exports.spreadsheets import XLSX_MEDIA_TYPE, export_filename

router = APIRouter(tags=["exports"])
REFUSED = error_responses(401, 403, 422)
CallId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
State = Annotated[Text | None, Query(max_length=50)]
View = Annotated[Text | None, Query(max_length=50)]
Search = Annotated[Text | None, Query(max_length=200)]


def _attachment(content: bytes, media_type: str, extension: str) -> Response:
    filename = export_filename(extension)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/exports/applications.csv",
    response_class=Response,
    responses={**binary_response("The applications as a spreadsheet (CSV)", "text/csv"), **REFUSED},
)
def applications_as_csv(
    db: DatabaseDep,
    actor: CurrentActor,
    call_id: CallId = None,
    state: State = None,
    view: View = None,
    search: Search = None,
    decimal: Literal["comma", "point"] = "comma",
) -> Response:
    """One row per application × funder share of the files the list shows with the same filters
    (`call_id`, `state`, `view`, `search`); a funder gets its own shares only. French headers,
    `;`, UTF-8 with its byte-order mark, amounts with a decimal comma (or `decimal=point`)."""
    rows = share_rows(db, actor, parse_filters(call_id, state, view, search))
    return _attachment(applications_csv(rows, decimal), "text/csv; charset=utf-8", "csv")


@router.get(
    "/exports/applications.xlsx",
    response_class=Response,
    responses={
        **binary_response("The applications as a workbook (XLSX)", XLSX_MEDIA_TYPE),
        **REFUSED,
    },
)
def applications_as_xlsx(
    db: DatabaseDep,
    actor: CurrentActor,
    call_id: CallId = None,
    state: State = None,
    view: View = None,
    search: Search = None,
) -> Response:
    """The same rows as a workbook: a bold frozen header, amounts as numbers in euros, dates as
    dates."""
    rows = share_rows(db, actor, parse_filters(call_id, state, view, search))
    return _attachment(applications_xlsx(rows), XLSX_MEDIA_TYPE, "xlsx")
