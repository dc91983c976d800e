"""Request bodies are bounded while they stream in, before any route, login or parser sees them.

Starlette parses a multipart body into temporary files and FastAPI reads a JSON body whole,
both before the route's dependencies (the login among them) run: without this middleware an
anonymous client can make the server hold any amount of disk or memory. Uploads get their own
limit (the document limit plus room for the multipart envelope); every other body a small one.
A declared `Content-Length` over the limit is refused at once; a body without one (chunked) is
counted as it arrives and refused as soon as it passes the limit, the rest left unread.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The multipart envelope around a file: boundaries, part headers, the other form fields.
MULTIPART_ALLOWANCE = 64 * 1024
DETAIL = "La requête est trop volumineuse : {limit} au plus."


class BodyTooLarge(Exception):
    """Raised into the application when the body passes its limit; never reaches the client."""


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} Mo".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} Ko"
    return f"{size} octets"


class BodyLimit:
    """ASGI middleware refusing (413) a request body larger than its limit, while it streams."""

    def __init__(self, app: ASGIApp, *, upload_max_bytes: int, body_max_bytes: int) -> None:
        self.app = app
        self.upload_limit = upload_max_bytes + MULTIPART_ALLOWANCE
        self.body_limit = body_max_bytes

    def limit_for(self, scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-type":
                if value.lower().startswith(b"multipart/form-data"):
                    return self.upload_limit
                break
        return self.body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit, scope)
            return

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                # Whatever the application answers to the broken body (a parse error, a 500),
                # the client gets the 413 instead.
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(send, limit, scope)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _back_link(scope: Scope) -> str:
    """Where the page came from, on this site only (the form the visitor filled)."""
    for name, value in scope.get("headers", []):
        if name == b"referer":
            path = urlsplit(value.decode("latin-1")).path
            if path.startswith("/") and not path.startswith("//"):
                return path
    return "/"


def _page(detail: str, back: str) -> bytes:
    """A plain French page for the browser: the pages' own layout needs the request, which
    is refused before any route runs."""
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Envoi trop volumineux — Comité des financeurs</title>"
        '<link rel="stylesheet" href="/static/dsfr/dsfr.min.css">'
        '<link rel="stylesheet" href="/static/app.css"></head><body>'
        '<main id="contenu" role="main" class="fr-container fr-my-7w">'
        '<h1>Envoi trop volumineux</h1><div class="fr-alert fr-alert--error fr-mb-3w">'
        f"<p>{escape(detail)}</p></div>"
        "<p>Réduisez la taille du fichier (par exemple en l’enregistrant de nouveau en PDF) "
        "puis recommencez.</p>"
        f'<p><a class="fr-link" href="{escape(back, quote=True)}">'
        "Revenir à la page précédente</a></p></main></body></html>"
    ).encode()


async def _refuse(send: Send, limit: int, scope: Scope) -> None:
    detail = DETAIL.format(limit=_human(limit))
    if str(scope.get("path", "")).startswith("/api/"):
        content_type = b"application/json"
        body = json.dumps({"detail": detail, "code": "too_large"}, ensure_ascii=False).encode()
    else:
        content_type = b"text/html; charset=utf-8"
        body = _page(detail, _back_link(scope))
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The unread rest of the body is not drained: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
