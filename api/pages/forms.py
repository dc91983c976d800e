"""The guided application form (CERFA 12156) and its translation to the API's application body.

Each input is named by the field path the services use in their errors
(`application.budget.total_cost`, `application.facts.groups.0.cost`), so an error lands beside its
field. Values are passed on as typed, only reshaped (French decimal comma, yes/no radios): the
service validates them, the form does not judge them.

The form is split by concern; every name is importable from here:
`form_fields` (the fields, their kinds and labels), `form_sections` (the CERFA's sections),
`form_parse` (form → body) and `form_prefill` (body → form values).
"""

from __future__ import annotations

from api.pages.form_fields import (
    GROUP_ROWS_EXTRA,
    HINTS,
    PAGE_FIELDS,
    PREFIX,
    Field,
    Section,
    field_label,
    group_row_count,
    labeller,
    model_fields,
)
from api.pages.form_parse import application_body, commune_codes, territory_errors
from api.pages.form_prefill import form_values, raw_values
from api.pages.form_sections import application_sections, project_section

__all__ = [
    "GROUP_ROWS_EXTRA",
    "HINTS",
    "PAGE_FIELDS",
    "PREFIX",
    "Field",
    "Section",
    "application_body",
    "application_sections",
    "commune_codes",
    "field_label",
    "form_values",
    "group_row_count",
    "labeller",
    "model_fields",
    "project_section",
    "raw_values",
    "territory_errors",
]
