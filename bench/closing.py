"""Closing a session of 500 files × 4 funders: every letter, the minutes, the emails queued.

The sessions are generated open, every share decided (about 5 % of the files ineligible, their
shares refused at close), in a database that already holds a few thousand applications; each
run closes one of them through `engine.services.sessions.close_session` (what
`POST /api/v1/sessions/{id}/close` calls: it locks the decisions and records the production
jobs), then runs the production worker (`engine.services.production.run_production`, what the
close kicks in the background and the scheduler sweeps): 500 decision letters, 2 000 funder
letters, the minutes, about 7 000 emails queued. The measure is the whole (close and
production); the note gives the close alone, the time the decisions take to be locked. The
letter measure compares one funder letter with a bare reportlab one-page document of the same
length (standard font, no letterhead, no escaping).
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from bench.common import Result, database, log

TARGET_SECONDS = 10.0  # every letter rendered and stored, every email queued
LOCK_TARGET_SECONDS = 2.0  # the close's own transaction: what the chair's request waits for
FILES = 500
BACKGROUND = 2000
LETTER_RATIO_TARGET = 0.6  # one funder letter against a bare reportlab page of as many words


def close_runs(backend: str, runs: int) -> list[Result]:
    from sqlmodel import func, select

    from engine.access import Actor
    from engine.db import Database
    from engine.demo.scale import ScalePlan, generate
    from engine.migrations import upgrade
    from engine.models import Letter, OutboxMessage, User
    from engine.services.letters import render_workers
    from engine.services.production import run_production
    from engine.services.sessions import close_session
    from engine.settings import Settings

    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    result = Result(
        "Session close",
        f"{FILES} files × 4 funders, every letter ready: close, letters, minutes, emails",
        label,
        "s",
        [],
        target=f"≤ {TARGET_SECONDS:.0f} s",
    )
    locking = Result(
        "Session close",
        f"{FILES} files × 4 funders, decisions locked (the close request)",
        label,
        "s",
        [],
        target=f"≤ {LOCK_TARGET_SECONDS:.0f} s",
    )
    with database(backend, "close") as (url, data_dir):
        upgrade(url)
        db = Database(url)
        settings = Settings(data_dir=data_dir, database_url=url)
        log(f"close/{backend}: preparing {runs} open sessions of {FILES} files")
        plan = ScalePlan(BACKGROUND, ready_sessions=runs, ready_size=FILES)
        summary = generate(db, plan, settings)
        with db.reading() as session:
            chair = Actor.of(session.exec(select(User).where(User.username == summary.chair)).one())
        locked = []
        for number, meeting in enumerate(summary.ready_sessions):
            started = time.perf_counter()
            close_session(db, chair, meeting, settings, produce=False)
            locked.append(time.perf_counter() - started)
            run_production(db, settings)
            elapsed = time.perf_counter() - started
            result.runs.append(elapsed)
            with db.reading() as session:
                letters = session.exec(
                    select(func.count()).select_from(Letter).where(Letter.session_id == meeting)
                ).one()
                emails = session.exec(select(func.count()).select_from(OutboxMessage)).one()
            log(
                f"close/{backend} run {number + 1}: decisions locked in {locked[-1]:.2f} s, "
                f"everything produced in {elapsed:.1f} s ({letters} PDFs)"
            )
        db.dispose()
    locking.runs = locked
    locking.met = (locking.median or 0.0) <= LOCK_TARGET_SECONDS
    locking.note = "the close's one transaction: shares locked, production jobs recorded"
    median = result.median or 0.0
    result.met = median <= TARGET_SECONDS
    result.note = (
        f"decisions locked (the close's own transaction, what the request waits for) in "
        f"{sorted(locked)[len(locked) // 2]:.2f} s (median); "
        f"{letters} PDFs per close, {emails // max(1, runs)} emails queued per close; "
        f"rendering on {render_workers()} worker processes while the letters are stored"
    )
    return [locking, result]


def _funder_letter() -> Any:
    from engine.documents.model import FunderLetter, FunderLine

    line = FunderLine(
        funder_code="caf",
        funder_name="Caf de l'Isère",
        outcome="granted",
        requested=Decimal("5000.00"),
        amount=Decimal("4000.00"),
        conditions="Bilan qualitatif à transmettre avant le 31 janvier.",
        advance=Decimal("2800.00"),
        balance=Decimal("1200.00"),
        convention_required=True,
        proposed=Decimal("4000.00"),
    )
    return FunderLetter(
        reference="REAAP-2026-00042",
        issued_on=date(2026, 11, 27),
        department_name="Département : Isère",
        holder_name="Association Parents en Chemin",
        holder_address="12 rue des Alliés, 38100 Grenoble",
        application_title="Café des parents du quartier de l'Abbaye",
        scheme_label="Reaap — Réseaux d'écoute, d'appui et d'accompagnement des parents",
        session_title="Comité des financeurs Reaap — séance du 27/11/2026",
        session_date=date(2026, 11, 27),
        funder_name="Caf de l'Isère",
        line=line,
        chair_name="Présidence du comité",
    )


def _bare_page(words: int) -> bytes:
    """A bare reportlab one-page document: as many words in plain paragraphs, Helvetica, laid
    out by reportlab as shipped (without the word widths engine/documents/pdf.py keeps)."""
    from unittest import mock

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.platypus import Paragraph, SimpleDocTemplate, paragraph

    styles = getSampleStyleSheet()
    out = BytesIO()
    text = " ".join(["financement"] * 40)
    story = [Paragraph("Décision du comité des financeurs", styles["Title"])]
    story += [Paragraph(text, styles["Normal"]) for _ in range(max(1, words // 40))]
    with mock.patch.object(paragraph, "stringWidth", pdfmetrics.stringWidth):
        SimpleDocTemplate(out, pagesize=A4, invariant=True).build(story)
    return out.getvalue()


def _funder_letters(count: int) -> list[Any]:
    """Letters that differ as a close's do (reference, holder, title, amounts) while the funder
    and the session are the same: what reportlab lays out once per funder is reused, the rest
    is laid out for each letter."""
    from dataclasses import replace

    base = _funder_letter()
    return [
        replace(
            base,
            reference=f"REAAP-2026-{number:05d}",
            holder_name=f"Association des parents n° {number}",
            holder_address=f"{number} rue des Alliés, 38100 Grenoble",
            application_title=f"Café des parents du quartier n° {number}",
            line=replace(
                base.line,
                requested=Decimal(3000 + 37 * number),
                amount=Decimal(2500 + 29 * number),
                advance=Decimal(1750 + 11 * number),
                balance=Decimal(750 + 18 * number),
            ),
        )
        for number in range(1, count + 1)
    ]


def letter_runs(runs: int, count: int = 60) -> Result:
    from pypdf import PdfReader

    from engine.documents.letters import funder_letter

    letter = _funder_letter()
    pdf = funder_letter(letter)
    letters = iter(_funder_letters(runs * count))
    words = sum(len((page.extract_text() or "").split()) for page in PdfReader(BytesIO(pdf)).pages)
    _bare_page(words)
    result = Result(
        "Letter rendering",
        "one funder letter (each a different one), letters/s (one core)",
        "—",
        "/s",
        [],
        bare_label=f"bare reportlab page, {words} words",
        target=f"ratio ≥ {LETTER_RATIO_TARGET}",
    )
    for _ in range(runs):
        started = time.thread_time()
        for _ in range(count):
            funder_letter(next(letters))
        measured = count / (time.thread_time() - started)
        started = time.thread_time()
        for _ in range(count):
            _bare_page(words)
        bare = count / (time.thread_time() - started)
        result.runs.append(measured)
        result.bare.append(bare)
        result.ratios.append(measured / bare)
    log(f"letters: {result.median:.0f}/s")
    result.met = statistics.median(result.ratios) >= LETTER_RATIO_TARGET
    result.note = (
        "CPU time, letters and bare pages alternated; the letter is set in Helvetica (WinAnsi "
        "text; other text embeds a TrueType subset), draws the letterhead, checks every user "
        "string and lays out a table; word widths and the line breaking of repeated paragraphs "
        "are kept across letters, the bare page is laid out by reportlab as shipped; rl-accel "
        "installed (bench/PROFILE.md, Letters)"
    )
    return result
