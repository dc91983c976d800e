"""Emails rendered from jinja2 templates, text and HTML, in French."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.formatting import format_date, format_money, plural


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("engine.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no file checks per email
    )
    env.filters["money"] = format_money
    env.filters["date"] = format_date
    env.filters["plural"] = plural  # `{{ count | plural("dossier") }}`: 1 dossier, 3 dossiers
    return env


def render_email(kind: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML body of one email kind."""
    env = _environment()
    subject = env.get_template(f"{kind}.subject.txt").render(context).strip()
    text = env.get_template(f"{kind}.txt").render(context)
    html = env.get_template(f"{kind}.html").render(context)
    return subject, text, html
