"""QR labels for a store's shelves, and reading them back.

A label carries a batch's code (`JJS:B<id>`): the item, its lot and expiry follow from
it. Printed on A4 sheets of 3 × 8 labels (70 × 37 mm, the common self-adhesive sheet),
one per batch the store holds, with the item's name, unit, lot and expiry written
beside the code for the person who cannot scan. A scan on the store's phone page reads
the code back (`batch_of`) and offers to issue that item or receive more of that batch:
nobody types an item's or a batch's number."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from jijie.core.pdf import FONT, new_document, qr
from jijie.supplies.models import Batch, Store

_CODE = re.compile(r"JJS:B(\d{1,12})")
COLUMNS, ROWS = 3, 8
WIDTH, HEIGHT = 70.0, 37.0
TOP = (297 - ROWS * HEIGHT) / 2
QR_MM = 26.0


def code(batch: Batch) -> str:
    """What a batch's label encodes."""
    return f"JJS:B{batch.pk}"


def batch_of(text: str) -> Batch | None:
    """The batch a scanned label names, or None when the text is no label of ours (or
    names no batch)."""
    found = _CODE.fullmatch((text or "").strip())
    if found is None:
        return None
    return Batch.objects.select_related("item").filter(pk=int(found.group(1))).first()


def _lines(batch: Batch) -> list[str]:
    expiry = batch.expires_on.isoformat() if batch.has_expiry else _("长期有效")
    return [
        f"{batch.item.name}({batch.item.unit})",
        _("批号 %(lot)s") % {"lot": batch.lot or "—"},
        _("有效期至 %(day)s") % {"day": expiry},
    ]


def labels_pdf(store: Store, batches: Iterable[Batch]) -> bytes:
    """A4 sheets of labels, one per batch, in the order given."""
    batches = list(batches)
    texts = [store.name, *(line for batch in batches for line in _lines(batch))]
    pdf = new_document("A4", _("物资标签"), texts)
    pdf.set_auto_page_break(auto=False)
    per_page = COLUMNS * ROWS
    for index, batch in enumerate(batches):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = (210 - COLUMNS * WIDTH) / 2 + (slot % COLUMNS) * WIDTH
        y = TOP + (slot // COLUMNS) * HEIGHT
        qr(pdf, code(batch), x + 3, y + (HEIGHT - QR_MM) / 2, QR_MM)
        pdf.set_xy(x + QR_MM + 5, y + 5)
        pdf.set_font(FONT, size=9)
        for line in _lines(batch):
            pdf.set_x(x + QR_MM + 5)
            pdf.multi_cell(WIDTH - QR_MM - 7, 4.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=6)
        pdf.set_xy(x + QR_MM + 5, y + HEIGHT - 8)
        pdf.cell(WIDTH - QR_MM - 7, 4, store.name)
    return bytes(pdf.output())
