"""Printable pass cards: A6, one a household, a whole building in one PDF. The Chinese
font is embedded and rare characters drawn with a fallback font (`jijie.core.pdf`), so
the card prints the same wherever it is opened, offline; the QR code is drawn as vector
squares."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.core.pdf import FONT, new_document, qr
from jijie.gates import services
from jijie.gates.models import Pass

QR_SIZE_MM = 62.0


def _date(pass_: Pass, field: str) -> str:
    return str(timezone.localtime(getattr(pass_, field)).strftime("%Y-%m-%d %H:%M"))


def render(passes: Iterable[Pass]) -> bytes:
    """One A6 card per pass (household, response and building read with them)."""
    passes = list(passes)
    pdf = new_document(
        (105, 148),  # A6
        _("出入通行证"),
        (f"{p.response.name}{p.household.building.name}{p.household.door_number}" for p in passes),
    )
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(8, 8, 8)
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
        qr(pdf, services.pass_token(pass_), (105 - QR_SIZE_MM) / 2, 36, QR_SIZE_MM)
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
