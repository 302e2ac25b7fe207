"""Printable pass cards: A6, one a household, a whole building in one PDF. The Chinese
font is embedded (a subset of the TrueType file in PDF_CJK_FONT), so the card prints
the same wherever it is opened, offline; the QR code is drawn as vector squares.

A rare character the main font lacks (𠮷 in a building's name, outside the Basic
Multilingual Plane) is drawn with the first of PDF_CJK_FALLBACK_FONTS that has it,
embedded the same way; one no font has stops the printing with the characters named,
rather than leaving a gap on the card."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

from jijie.gates import services
from jijie.gates.models import Pass

FONT = "cjk"
QR_SIZE_MM = 62.0


def _font_path() -> Path:
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


def _fallbacks(pdf: FPDF, texts: Iterable[str]) -> None:
    """Register the fallback fonts that draw what the main font cannot, or refuse."""
    missing = {
        ord(ch) for text in texts for ch in text if ch.isprintable() and not ch.isspace()
    } - _characters(str(_font_path()))
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


def _qr(pdf: FPDF, content: str, x: float, y: float, size: float) -> None:
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


def _date(pass_: Pass, field: str) -> str:
    return str(timezone.localtime(getattr(pass_, field)).strftime("%Y-%m-%d %H:%M"))


def render(passes: Iterable[Pass]) -> bytes:
    """One A6 card per pass (household, response and building read with them)."""
    pdf = FPDF(orientation="P", unit="mm", format=(105, 148))  # A6
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(8, 8, 8)
    pdf.add_font(FONT, fname=str(_font_path()), collection_font_number=0)
    pdf.set_title(_("出入通行证"))
    passes = list(passes)
    _fallbacks(
        pdf,
        (f"{p.response.name}{p.household.building.name}{p.household.door_number}" for p in passes),
    )
    width = 105 - 16
    for pass_ in passes:
        household = pass_.household
        pdf.add_page()
        pdf.set_font(FONT, size=18)
        pdf.cell(width, 10, _("出入通行证"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=9)
        pdf.cell(width, 5, pass_.response.name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=14)
        pdf.cell(
            width,
            9,
            f"{household.building.name} {household.door_number}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        _qr(pdf, services.pass_token(pass_), (105 - QR_SIZE_MM) / 2, 36, QR_SIZE_MM)
        pdf.set_y(36 + QR_SIZE_MM + 4)
        pdf.set_font(FONT, size=9)
        lines = [
            _("编号 No.%(id)s") % {"id": pass_.pk},
            _("有效期 %(start)s 至 %(end)s")
            % {"start": _date(pass_, "valid_from"), "end": _date(pass_, "valid_until")},
            _("凭证出入,主动测温、扫码登记;本证不记录个人信息。"),
        ]
        if pass_.outings_per_day:
            lines.insert(2, _("每日外出 %(n)s 次") % {"n": pass_.outings_per_day})
        for line in lines:
            pdf.multi_cell(width, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
