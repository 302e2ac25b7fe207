"""The Chinese font of every PDF Jijie prints (pass cards, donation receipts, public
notices). It is embedded, a subset of the TrueType file in PDF_CJK_FONT, so a page
prints the same wherever it is opened, offline.

A rare character the main font lacks (𠮷 in a name, outside the Basic Multilingual
Plane) is drawn with the first of PDF_CJK_FALLBACK_FONTS that has it, embedded the same
way; one no font has stops the printing with the characters named, rather than leaving
a gap on the page."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

FONT = "cjk"


def font_path() -> Path:
    """The main font's file, or a clear error naming the package that provides one."""
    path = Path(settings.PDF_CJK_FONT)
    if not path.is_file():
        raise ImproperlyConfigured(
            f"PDF_CJK_FONT: no font file at {path}. Install a CJK TrueType font "
            "(Debian: apt-get install fonts-wqy-zenhei) or point PDF_CJK_FONT at one."
        )
    return path


@cache
def _characters(path: str) -> frozenset[int]:
    """The code points a font file draws (the first font of a collection)."""
    font = (
        TTCollection(path, lazy=True).fonts[0] if path.endswith(".ttc") else TTFont(path, lazy=True)
    )
    return frozenset(font.getBestCmap())


def use_fallbacks(pdf: FPDF, texts: Iterable[str]) -> None:
    """Register the fallback fonts that draw what the main font cannot in `texts`, or
    refuse naming the characters no font draws."""
    missing = {
        ord(ch) for text in texts for ch in text if ch.isprintable() and not ch.isspace()
    } - _characters(str(font_path()))
    if not missing:
        return
    names = []
    for number, name in enumerate(settings.PDF_CJK_FALLBACK_FONTS):
        if not Path(name).is_file() or not missing & _characters(name):
            continue
        names.append(f"{FONT}{number}")
        pdf.add_font(names[-1], fname=name)
        missing -= _characters(name)
    if missing:
        raise ImproperlyConfigured(
            "PDF_CJK_FALLBACK_FONTS: no font draws "
            + " ".join(f"{chr(c)} (U+{c:04X})" for c in sorted(missing))
            + ". Install one (Debian: apt-get install fonts-hanazono) or list its file."
        )
    pdf.set_fallback_fonts(names)


def new_document(
    format: str | tuple[float, float],
    title: str,
    texts: Iterable[str],
    *,
    orientation: Literal["portrait", "landscape"] = "portrait",
) -> FPDF:
    """An empty document in millimetres with the main font (`FONT`) and the fallbacks
    that `texts` need, for every string the caller will draw from stored data."""
    pdf = FPDF(orientation=orientation, unit="mm", format=format)
    pdf.add_font(FONT, fname=str(font_path()), collection_font_number=0)
    pdf.set_title(title)
    use_fallbacks(pdf, [title, *texts])
    return pdf


def qr(pdf: FPDF, content: str, x: float, y: float, size: float) -> None:
    """A QR code of `content` drawn as vector squares at (x, y), `size` wide: sharp at
    any print size, and no image to embed."""
    matrix = [list(row) for row in segno.make_qr(content, error="m").matrix_iter(border=0)]
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
            else:
                c += 1
