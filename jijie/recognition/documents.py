"""The certificate of service (服务证明), A4 landscape, numbered, with the figures as the
unit approved them and where they come from. The Chinese font is embedded
(`jijie.core.pdf`): it prints the same anywhere, offline."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.core.pdf import FONT, new_document
from jijie.recognition.models import Certificate

RED = (180, 20, 20)


def _day(value) -> str:  # type: ignore[no-untyped-def]
    return f"{value.year}年{value.month}月{value.day}日"


def certificate_pdf(certificate: Certificate) -> bytes:
    record = certificate.record
    approval = record.approval
    member = record.member
    title = _("服务证明")
    number = _("编号:%(no)s") % {"no": certificate.number}
    hours = f"{record.minutes / 60:.1f}"
    body = _(
        "兹证明 %(name)s 同志(%(unit)s)于 %(start)s 至 %(end)s 参加疫情防控一线工作,"
        "经核实值守 %(shifts)s 班次、%(shift_hours)s 小时,代办服务 %(errands)s 次、"
        "%(errand_hours)s 小时,累计服务 %(hours)s 小时。"
    ) % {
        "name": member.name,
        "unit": approval.organisation.name,
        "start": _day(approval.starts_on),
        "end": _day(approval.ends_on),
        "shifts": record.shifts,
        "shift_hours": f"{record.shift_minutes / 60:.1f}",
        "errands": record.errands,
        "errand_hours": f"{record.errand_minutes / 60:.1f}",
        "hours": hours,
    }
    if record.commendations:
        body += _("其间受督查组表扬 %(n)s 次。") % {"n": record.commendations}
    source = _(
        "本证明依据值守签到签退、代办服务确认及督查记录生成,经所在单位审核,不含自行填报内容。"
    )
    unit = approval.organisation.name
    issued = _day(timezone.localdate(certificate.issued_at))
    texts = [number, body, source, unit, issued]
    pdf = new_document("A4", title, texts, orientation="landscape")
    pdf.set_margins(30, 25, 30)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_font(FONT, size=34)
    pdf.set_text_color(*RED)
    pdf.cell(pdf.epw, 24, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=11)
    pdf.cell(pdf.epw, 8, number, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, size=17)
    pdf.multi_cell(pdf.epw, 11, "　　" + body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(90)
    pdf.multi_cell(pdf.epw, 6, source, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=15)
    pdf.set_y(pdf.h - 60)
    pdf.cell(pdf.epw, 10, unit, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(pdf.epw, 10, issued, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
