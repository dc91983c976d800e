"""The demo's letters, minutes and emails read as French: no internal code, no English word
(the list is tests/wording.py, shared with the browser tests), funders named, numbers French."""

from __future__ import annotations

import email
import io
from email import policy
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from engine.blobs import blob_content
from engine.db import get_database
from engine.demo import load
from engine.models import Letter
from engine.settings import Settings
from tests.wording import problems


@pytest.fixture
def demo(settings: Settings) -> Settings:
    load(settings)
    return settings


def pdf_texts(settings: Settings) -> dict[str, str]:
    """The text of every stored letter and minutes, by title."""
    texts = {}
    with get_database(settings).reading() as session:
        for letter in session.exec(select(Letter)):
            content = blob_content(session, letter.blob_id)
            assert content is not None
            pages = PdfReader(io.BytesIO(content)).pages
            texts[f"{letter.kind} {letter.title}"] = "\n".join(p.extract_text() for p in pages)
    return texts


def email_texts(folder: Path) -> dict[str, str]:
    """Subject and every text part of each .eml written by the demo."""
    texts = {}
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        parts = [str(message["Subject"])]
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                parts.append(part.get_content())
        texts[path.name] = "\n".join(parts)
    return texts


def test_the_demo_letters_and_minutes_contain_no_code_and_no_english(demo: Settings) -> None:
    texts = pdf_texts(demo)
    assert {title.split()[0] for title in texts} >= {"decision", "funder", "minutes"}
    found = [f"{title}: {problem}" for title, text in texts.items() for problem in problems(text)]
    assert not found, "\n".join(found)


def test_the_demo_letters_name_the_funders_and_sign_with_a_person(demo: Settings) -> None:
    texts = pdf_texts(demo)
    letters = [t for title, t in texts.items() if title.startswith("decision")]
    assert letters
    for text in letters:
        flat = " ".join(text.split())
        assert "Claire Morel, Présidente du comité des financeurs" in flat
        assert "38000 Grenoble" in flat or "Isère" in flat
    minutes = next(t for title, t in texts.items() if title.startswith("minutes"))
    assert "sous la présidence de Claire Morel" in " ".join(minutes.split())


def test_the_demo_letter_titles_name_the_funder_not_its_code(demo: Settings) -> None:
    with get_database(demo).reading() as session:
        titles = [letter.title for letter in session.exec(select(Letter))]
    assert any(title.endswith("— Caf de l'Isère") for title in titles)
    found = [problem for title in titles for problem in problems(f" {title} ")]
    assert not found, found


def test_the_demo_emails_contain_no_code_and_no_english(demo: Settings) -> None:
    texts = email_texts(demo.data_dir / "outbox")
    assert texts
    found = [f"{name}: {problem}" for name, text in texts.items() for problem in problems(text)]
    assert not found, "\n".join(found)
