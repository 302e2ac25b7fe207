"""Printable papers of donations: a donation's receipt (捐赠收据, A5 landscape, the
amount in figures and in capitals, a cancelled one marked 已作废) and a response's
public notice of donations and where the money went (捐赠公示, A4, one row a gift,
pages as many as it takes). Both embed the Chinese font (`jijie.core.pdf`), so they
print the same anywhere, offline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, WrapMode
from fpdf.fonts import FontFace

from jijie.core import decimals
from jijie.core.pdf import FONT, new_document
from jijie.funds import selectors
from jijie.funds.models import Donation, DonationState
from jijie.responses.models import Response

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")
CENT = Decimal("0.01")
# No font weight but the one the font file has: headings stand out by their fill.
GREY = (235, 235, 235)
PLAIN = FontFace(emphasis="NONE", fill_color=GREY)
RED = (200, 30, 30)
Side = Literal["L", "C", "R"]


def capital_yuan(amount: Decimal) -> str:
    """An amount of yuan in Chinese capital numerals, as a receipt or a cheque writes it
    (人民币大写): 1351824.99 → 壹佰叁拾伍万壹仟捌佰贰拾肆元玖角玖分, 100.05 → 壹佰元零伍分,
    2000 → 贰仟元整. A run of zeros inside the number reads as one 零 (10010 → 壹万零壹拾),
    zeros at the end of a section as nothing (100000 → 壹拾万); 整 closes a whole amount."""
    if amount < 0 or amount >= Decimal(10) ** 16 or amount != amount.quantize(CENT):
        raise ValueError(f"not an amount of yuan to the cent: {amount}")
    cents = int(amount.quantize(CENT) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text = f"{_integer(yuan)}元" if yuan else ""
    if not jiao and not fen:
        return f"{text or '零元'}整"
    if jiao:
        text += f"{DIGITS[jiao]}角"
    elif yuan:
        text += "零"  # 壹佰元零伍分: the missing jiao is read, or 伍分 would follow 元
    if fen:
        text += f"{DIGITS[fen]}分"
    return text


def _integer(number: int) -> str:
    digits = str(number)
    text = ""
    zero = False  # zeros passed since the last digit written: one 零 before the next
    section_has_digit = False
    for index, digit in enumerate(int(d) for d in digits):
        place = len(digits) - 1 - index
        if digit:
            text += ("零" if zero else "") + DIGITS[digit] + UNITS[place % 4]
            zero, section_has_digit = False, True
        else:
            zero = True
        if place % 4 == 0 and place:
            text += SECTIONS[place // 4] if section_has_digit else ""
            section_has_digit = False
    return text


def _money(amount: Decimal) -> str:
    return f"¥{decimals.yuan(amount)}"


def _day(day: date) -> str:
    return day.isoformat()


# Receipt -------------------------------------------------------------------------------


def receipt_pdf(donation: Donation) -> bytes:
    """A donation's receipt on A5 landscape: numbered, the donor as recorded (爱心人士
    for one who left no name), the money in figures and in capitals, goods in kind,
    and, on a cancelled receipt, a large 已作废 with the reason: a cancelled receipt is
    kept and printed, never renumbered."""
    title = _("捐赠收据")
    number = _("No. %(no)s") % {"no": donation.receipt_no}
    holder = _("接收单位:%(name)s") % {"name": donation.holder.name}
    response = _("应急响应:%(name)s") % {"name": donation.response.name}
    rows = [
        (_("捐赠方"), donation.donor or _("爱心人士")),
        (_("捐赠方类别"), donation.get_donor_kind_display()),
    ]
    if donation.amount is not None:
        rows += [
            (_("金额(小写)"), _money(donation.amount)),
            (
                _("金额(大写)"),
                _("人民币%(capitals)s") % {"capitals": capital_yuan(donation.amount)},
            ),
        ]
    if donation.goods:
        rows.append((_("捐赠物资"), donation.goods))
    rows.append((_("捐赠日期"), _day(donation.received_on)))
    if donation.note:
        rows.append((_("说明"), donation.note))
    cancelled = donation.state == DonationState.CANCELLED
    if cancelled:
        assert donation.cancelled_at is not None  # a database constraint
        rows.append(
            (
                _("作废原因"),
                f"{_day(timezone.localdate(donation.cancelled_at))} {donation.cancel_reason}",
            )
        )
    signatures = (_("接收单位(盖章):"), _("经办人:"))
    rule = _("本收据号码唯一,作废收据保留号码并另行登记。")
    void = _("已作废")
    texts = [number, holder, response, *(t for row in rows for t in row), *signatures, rule, void]

    pdf = new_document((148, 210), title, texts, orientation="landscape")  # A5
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, size=22)
    pdf.cell(width, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    top = pdf.get_y() + 2
    pdf.set_y(top)
    pdf.cell(width / 2, 6, holder, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width / 2, 6, response, new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + width / 2, top)
    pdf.set_font(FONT, size=15)
    pdf.set_text_color(*RED)
    pdf.cell(width / 2, 12, number, align="R")
    pdf.set_text_color(0)
    pdf.set_xy(pdf.l_margin, top + 14)
    pdf.set_font(FONT, size=11)
    with pdf.table(
        col_widths=(34, width - 34),
        first_row_as_headings=False,
        text_align=("CENTER", "LEFT"),
        line_height=6.5,
        padding=(1.5, 2),
        wrapmode=WrapMode.CHAR,
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=PLAIN)
            row.cell(value)
    pdf.ln(6)
    pdf.set_font(FONT, size=11)
    pdf.cell(width / 2, 7, signatures[0])
    pdf.cell(width / 2, 7, signatures[1], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(90)
    pdf.multi_cell(width, 4.5, rule, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    if cancelled:
        _void_mark(pdf, void)
    return bytes(pdf.output())


def _void_mark(pdf: FPDF, text: str) -> None:
    """A stamp across the first page, see-through so the receipt stays legible."""
    pdf.page = 1
    x, y = pdf.w / 2, pdf.h / 2
    with pdf.local_context(fill_opacity=0.35, stroke_opacity=0.5), pdf.rotation(20, x, y):
        pdf.set_font(FONT, size=64)
        pdf.set_text_color(*RED)
        pdf.set_draw_color(*RED)
        pdf.set_line_width(1.5)
        width, height = pdf.get_string_width(text) + 16, 34.0
        pdf.rect(x - width / 2, y - height / 2, width, height)
        pdf.set_xy(x - width / 2, y - height / 2)
        pdf.cell(width, height, text, align="C")


# Public notice -------------------------------------------------------------------------


def _page_footers(pdf: FPDF, printed: str) -> None:
    """The print date and the page's number at the foot of every page, once the pages
    are counted, so a notice posted page by page can be put back in order and dated."""
    pdf.set_auto_page_break(auto=False)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(90)
    count = pdf.pages_count
    for page in range(1, count + 1):
        pdf.page = page
        pdf.set_xy(pdf.l_margin, pdf.h - 12)
        foot = _("%(printed)s  第 %(page)s / %(count)s 页") % {
            "printed": printed, "page": page, "count": count,
        }  # fmt: skip
        pdf.cell(pdf.epw, 6, foot, align="C")
    pdf.set_text_color(0)


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return _("公示期间:%(start)s 至 %(end)s") % {"start": _day(start), "end": _day(end)}
    if start:
        return _("公示期间:%(start)s 起") % {"start": _day(start)}
    if end:
        return _("公示期间:截至 %(end)s") % {"end": _day(end)}
    return _("公示期间:全部")


def notice_pdf(
    response: Response,
    start: date | None,
    end: date | None,
    donations: Iterable[Donation],
    disclosure: selectors.Disclosure,
) -> bytes:
    """The public notice of a response's donations in a period, on A4: every gift
    (its date, receipt, the donor as the public may read it, money and goods) in a
    table whose heading repeats on each page, the totals, and where the donated money
    went (passed down, spent by whom) from `disclosure`."""
    title = _("%(response)s 捐赠公示") % {"response": response.name}
    period = _period(start, end)
    headings = (_("日期"), _("收据号"), _("捐赠方"), _("金额(元)"), _("捐赠物资"))
    gifts = [
        (
            _day(d.received_on),
            d.receipt_no,
            d.public_donor,
            "" if d.amount is None else f"{d.amount:,.2f}",
            d.goods,
        )
        for d in donations
    ]
    totals = _(
        "共 %(count)s 笔捐赠,其中捐款 %(money_count)s 笔,合计 %(money)s;捐赠物资 %(in_kind)s 笔。"
    ) % {
        "count": disclosure.count,
        "money_count": disclosure.money_count,
        "money": _money(disclosure.money),
        "in_kind": disclosure.in_kind_count,
    }
    flows = _("资金去向")
    allocated_headings = (_("拨出单位"), _("接收单位"), _("下拨金额(元)"))
    allocated = [(a, b, f"{amount:,.2f}") for a, b, amount in disclosure.allocated]
    spent_headings = (_("使用单位"), _("支出金额(元)"))
    spent = [(name, f"{amount:,.2f}") for name, amount in disclosure.spent]
    nothing_allocated, nothing_spent = _("本期无下拨。"), _("本期无支出。")
    printed = _("打印日期:%(day)s") % {"day": _day(timezone.localdate())}
    texts = [
        period,
        *headings,
        *(t for row in gifts for t in row),
        totals,
        flows,
        *allocated_headings,
        *(t for row in allocated for t in row),
        *spent_headings,
        *(t for row in spent for t in row),
        nothing_allocated,
        nothing_spent,
        printed,
    ]

    pdf = new_document("A4", title, texts)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, size=18)
    pdf.multi_cell(width, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(width, 7, period, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    _table(pdf, headings, gifts, (22, 26, 50, 28, width - 126), ("C", "C", "L", "R", "L"))
    pdf.ln(4)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(width, 6, totals, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, size=13)
    pdf.cell(width, 8, flows, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    if allocated:
        thirds = (width * 0.38, width * 0.38, width * 0.24)
        _table(pdf, allocated_headings, allocated, thirds, ("L", "L", "R"))
    else:
        pdf.cell(width, 6, nothing_allocated, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if spent:
        _table(pdf, spent_headings, spent, (width * 0.76, width * 0.24), ("L", "R"))
    else:
        pdf.cell(width, 6, nothing_spent, new_x="LMARGIN", new_y="NEXT")
    _page_footers(pdf, printed)
    return bytes(pdf.output())


def _table(
    pdf: FPDF,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    align: Sequence[Side],
) -> None:
    """A bordered table whose headings start every page it runs onto. Drawn cell by
    cell rather than with `pdf.table()`, which breaks every cell into lines twice: that
    took some 5 s for a thousand gifts on two busy cores, this about one (most cells fit
    one line, and a line's width is cheaper to measure than to break)."""
    line, pad = 5.0, 1.5
    pdf.set_fill_color(*GREY)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    margin, pdf.c_margin = pdf.c_margin, pad

    def lines(text: str, width: float) -> list[str]:
        if pdf.get_string_width(text) <= width - 2 * pad:
            return [text]
        broken = pdf.multi_cell(
            width, line, text, dry_run=True, output=MethodReturnValue.LINES,
            wrapmode=WrapMode.CHAR,
        )  # fmt: skip
        assert isinstance(broken, list)  # what output=LINES returns
        return broken

    centred: list[Side] = ["C"] * len(headings)

    def draw(cells: Sequence[str], aligns: Sequence[Side], fill: bool) -> None:
        broken = [lines(text, width) for text, width in zip(cells, widths, strict=True)]
        height = max(len(parts) for parts in broken) * line + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger and not fill:
            pdf.add_page()
            draw(headings, centred, True)
        x, y = pdf.l_margin, pdf.get_y()
        for parts, width, side in zip(broken, widths, aligns, strict=True):
            if len(parts) == 1:
                pdf.set_xy(x, y)
                pdf.cell(width, height, parts[0], border=1, align=side, fill=fill)
            else:
                pdf.rect(x, y, width, height, "DF" if fill else "D")
                top = y + (height - len(parts) * line) / 2
                for number, part in enumerate(parts):
                    pdf.set_xy(x, top + number * line)
                    pdf.cell(width, line, part, align=side)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)

    if pdf.get_y() + 2 * (line + 2 * pad) > pdf.page_break_trigger:
        pdf.add_page()  # no headings alone at the foot of a page
    draw(headings, centred, True)
    for cells in rows:
        draw(cells, align, False)
    pdf.c_margin = margin
