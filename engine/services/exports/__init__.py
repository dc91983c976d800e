"""Staff exports of the applications list: one row per application × funder share, with the
list's own filters, as a CSV a French spreadsheet opens or as an XLSX workbook (DESIGN §11)."""

from __future__ import annotations

from engine.services.exports.columns import COLUMNS, Column
from engine.services.exports.filters import ExportFilters, parse_filters
from engine.services.exports.rows import ShareRow, share_rows
from engine.services.exports.spreadsheets import applications_csv, applications_xlsx

__all__ = [
    "COLUMNS",
    "Column",
    "ExportFilters",
    "ShareRow",
    "applications_csv",
    "applications_xlsx",
    "parse_filters",
    "share_rows",
]
