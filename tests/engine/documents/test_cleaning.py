"""The spacing of a paragraph's text is the one reportlab's parser would give it: written out
for speed (engine/documents/pdf.py `_cleaned`), checked against reportlab's own function."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.platypus.paragraph import cleanBlockQuotedText

from engine.documents.pdf import _cleaned

# Letters, and every kind of space a holder can type or paste: the ones reportlab treats apart
# (the no-break space) and the ones it does not (tabs, line breaks, thin and ideographic spaces).
SPACING = st.text(
    alphabet=st.sampled_from("aé€« \n\r\t\x0b\x1c\xa0\u202f\u2009\u3000\u2028"),
    max_size=30,
)


@settings(max_examples=2000)
@given(SPACING)
def test_a_paragraph_is_spaced_as_reportlabs_parser_would_space_it(text: str) -> None:
    assert _cleaned(text) == cleanBlockQuotedText(text)


def test_runs_of_spaces_and_line_breaks_become_one_space() -> None:
    assert _cleaned("  Café \n\n des   parents\t") == "Café des parents"
    assert _cleaned("1\xa0234,50\xa0€  net") == "1\xa0234,50\xa0€ net"
