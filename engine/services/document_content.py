"""Is an uploaded file what its first bytes say? A PDF must have a readable structure and at least
one page, a PNG or a JPEG must decode. A file that only starts like one (an HTML page behind
`%PDF-`, a truncated image) is refused: funders would open it believing it is a PDF."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.generic import DictionaryObject

from engine.rulebook import FieldError, InvalidInput

# Decoding an image takes memory in proportion to its pixels, not to its bytes: a 10 MB PNG of one
# colour can stand for gigabytes. Above this many pixels an image is refused without decoding it
# (an A4 page scanned at 600 dpi has 35 million).
MAX_IMAGE_PIXELS = 50_000_000

# The tail of a PDF: `startxref`, the offset of the last cross-reference section, `%%EOF`.
_TAIL = 2048
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF[\s\x00]*$")
# At that offset: a cross-reference table (`xref`) or a cross-reference stream (`12 0 obj`).
_XREF_SECTION = re.compile(rb"\s*(xref\b|\d+\s+\d+\s+obj\b)")

# "Le fichier n'est pas … lisible", for each type an upload is parsed as.
_KINDS = {"application/pdf": "un PDF", "image/png": "une image PNG", "image/jpeg": "une image JPEG"}


def _refuse(code: str, **params: object) -> InvalidInput:
    return InvalidInput([FieldError("file", code, **params)])


def check_content(path: Path, content_type: str) -> None:
    """Refuse (InvalidInput naming `file`) a file whose body is not the type it was sniffed as."""
    if content_type == "application/pdf":
        _check_pdf(path)
    elif content_type in ("image/png", "image/jpeg"):
        _check_image(path, "PNG" if content_type == "image/png" else "JPEG")
    else:  # pragma: no cover - the sniffer knows no other type
        raise ValueError(content_type)


def _unreadable(content_type: str) -> InvalidInput:
    return _refuse("file_unreadable", kind=_KINDS[content_type])


def _xref_is_where_the_file_says(path: Path) -> bool:
    """The `startxref` offset at the end of the file points to a cross-reference section, as it
    does in every PDF written as a whole. Readers rebuild a broken table by scanning the file, and
    would then accept anything holding a few PDF objects, an HTML page included."""
    size = path.stat().st_size
    with path.open("rb") as stream:
        stream.seek(max(size - _TAIL, 0))
        match = _STARTXREF.search(stream.read())
        if match is None:
            return False
        offset = int(match[1])
        if offset >= size:
            return False
        stream.seek(offset)
        return _XREF_SECTION.match(stream.read(64)) is not None


def _check_pdf(path: Path) -> None:
    if not _xref_is_where_the_file_says(path):
        raise _unreadable("application/pdf")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            # It opens only with a password: funders could not read it.
            raise _refuse("file_protected")

        # The trailer names the catalog itself (no search through the objects for one).
        root = reader.trailer.get("/Root")
        catalog = None if root is None else root.get_object()
        if not isinstance(catalog, DictionaryObject) or catalog.get("/Type") != "/Catalog":
            raise _unreadable("application/pdf")
        pages = len(reader.pages)
    except InvalidInput:
        raise
    except Exception:  # any parser error (pypdf's, ValueError, RecursionError…): not a PDF
        raise _unreadable("application/pdf") from None
    if pages < 1:
        raise _unreadable("application/pdf")


def _check_image(path: Path, image_format: str) -> None:
    content_type = f"image/{image_format.lower()}"
    try:
        with Image.open(path, formats=[image_format]) as image:
            pixels = image.width * image.height
            if pixels > MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            # Every chunk present and its checksum right (PNG), the markers in order (JPEG)…
            image.verify()
        with Image.open(path, formats=[image_format]) as image:
            if image_format == "JPEG":
                # … and every pixel decodes. A JPEG decodes at an eighth of its size (as much
                # work on the data, 64 times less memory).
                image.draft(None, (max(image.width // 8, 1), max(image.height // 8, 1)))
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:  # truncated, damaged, not an image at all
        raise _unreadable(content_type) from None


def _too_many_pixels() -> InvalidInput:
    millions = MAX_IMAGE_PIXELS // 1_000_000
    return _refuse("image_too_large", millions=millions)
