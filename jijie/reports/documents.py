"""The daily report printed (A4 landscape): the title, the unit and the cut-off, the
evening bulletin, then the table in parts a page can hold — one line of work or two at
a time, every community a row and the totals last — as offices file it. The Chinese
font is embedded (`jijie.core.pdf`)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from jijie.core.pdf import FONT, new_document
from jijie.reports import bulletin, tables

HEAD = FontFace(fill_color=(235, 235, 235))
# Columns a landscape page holds beside the unit's name.
PER_TABLE = 10


def _cell(value: Decimal | None, is_rate: bool) -> str:
    if value is None:
        return "—"
    text = bulletin.number(value)
    return f"{text}%" if is_rate else text


def _parts(table: tables.Table) -> list[list[tables.Column]]:
    """The groups packed into tables of at most PER_TABLE columns, a group never split
    unless it alone is wider."""
    parts: list[list[tables.Column]] = [[]]
    for _group, columns in table.groups:
        if parts[-1] and len(parts[-1]) + len(columns) > PER_TABLE:
            parts.append([])
        parts[-1].extend(columns)
    return parts


def report_pdf(table: tables.Table, note: str, paragraph: str) -> bytes:
    labels = [line.label for line in (*table.lines, table.total)]
    names = [c.name for c in table.columns]
    pdf = new_document(
        "A4", table.title, [note, paragraph, *labels, *names], orientation="landscape"
    )
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(width, 9, table.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(width, 6, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(width, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
    for part in _parts(table):
        pdf.ln(4)
        pdf.set_font(FONT, size=8)
        first = 34.0
        rest = (width - first) / len(part)
        with pdf.table(
            col_widths=(first, *([rest] * len(part))),
            width=width,
            headings_style=HEAD,
            text_align=("LEFT", *(["RIGHT"] * len(part))),
            line_height=4.5,
            padding=(0.8, 1.2),
            wrapmode=WrapMode.CHAR,
        ) as grid:
            head = grid.row()
            head.cell(_("单位"))
            for column in part:
                head.cell(f"{column.name}({column.unit})")
            for line in (*table.lines, table.total):
                row = grid.row()
                row.cell(line.label)
                for column in part:
                    row.cell(_cell(line.value(column.key), column.is_rate))
    return bytes(pdf.output())
