"""Builds the documents of a session from the database and stores them as Letter rows, each
with its PDF as a blob written in the same transaction (engine/blobs.py).

One name per use, split by concern: what the documents say (letter_content.py), how they are
rendered, in parallel when there are many (rendering.py), how they are stored
(letter_storage.py). The names stay importable from here.
"""

from __future__ import annotations

from engine.services.letter_content import (
    DecisionDocuments,
    Document,
    convocation_document,
    decision_documents,
    flag_sentences,
    funder_line,
    minutes_document,
)
from engine.services.letter_storage import (
    store,
    store_convocation,
    store_decision_letters,
    store_many,
    store_minutes,
    store_pack,
)
from engine.services.rendering import (
    PARALLEL_FROM,
    Renderer,
    render_documents,
    render_pool,
    render_workers,
    stop_render_workers,
)

__all__ = [
    "PARALLEL_FROM",
    "DecisionDocuments",
    "Document",
    "Renderer",
    "convocation_document",
    "decision_documents",
    "flag_sentences",
    "funder_line",
    "minutes_document",
    "render_documents",
    "render_pool",
    "render_workers",
    "stop_render_workers",
    "store",
    "store_convocation",
    "store_decision_letters",
    "store_many",
    "store_minutes",
    "store_pack",
]
