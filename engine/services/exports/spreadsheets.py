"""The applications export written out: a CSV through the payments export's writer (`;`, BOM,
decimal comma or point, `jj/mm/aaaa`) and an XLSX workbook (bold frozen header, amounts as
numbers in euros, dates as dates, sized columns)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from engine.clock import now, paris_date
from engine.services.exports.columns import COLUMNS, HEADERS
from engine.services.exports.rows import ShareRow
from engine.services.payment_export import (
    inert,
    spreadsheet_amount,
    spreadsheet_csv,
    spreadsheet_day,
)

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "dd/mm/yyyy"
SHEET_TITLE = "Dossiers"


def _csv_cells(row: ShareRow, decimal: str) -> list[str]:
    cells: list[str] = []
    for column in COLUMNS:
        value = getattr(row, column.field)
        if column.kind == "amount":
            cells.append("" if value is None else spreadsheet_amount(value, decimal))
        elif column.kind == "date":
            cells.append(spreadsheet_day(value))
        else:
            cells.append(inert(str(value)))
    return cells


def applications_csv(rows: Iterable[ShareRow], decimal: str = "comma") -> bytes:
    """`decimal`: "comma" (a French spreadsheet reads it as a number) or "point"."""
    return spreadsheet_csv(HEADERS, (_csv_cells(row, decimal) for row in rows))


def _xlsx_cells(sheet: WriteOnlyWorksheet, row: ShareRow) -> list[object]:
    """The row's cells: amounts and dates styled, text as plain values (cheaper to write)."""
    cells: list[object] = []
    for column in COLUMNS:
        value = getattr(row, column.field)
        if value is None:
            cells.append(None)
        elif column.kind == "amount":
            cell = WriteOnlyCell(sheet, value=Decimal(value))
            cell.number_format = EURO_FORMAT
            cells.append(cell)
        elif column.kind == "date":
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATE_FORMAT
            cells.append(cell)
        else:
            # People's text stays text: the same guard as the CSV, for a later CSV save of it.
            cells.append(inert(str(value)))
    return cells


def applications_xlsx(rows: Iterable[ShareRow]) -> bytes:
    """A one-sheet workbook, written row by row (openpyxl's write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(_xlsx_cells(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(extension: str) -> str:
    """`dossiers-2026-12-01.csv`: the day of the export, in France."""
    return f"dossiers-{paris_date(now()).isoformat()}.{extension}"
