"""Finding the columns by the names ledgers use, under title rows and merged headers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# Each field and the header texts that mean it, most specific first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "居民姓名", "名字"),
    "document_number": ("公民身份号码", "身份证号码", "身份证号", "证件号码", "证件号", "身份证"),
    "document_type": ("证件类型",),
    "phone": ("联系电话", "手机号码", "手机号", "电话号码", "联系方式", "电话", "手机"),
    "relation": ("与户主关系", "与户主的关系", "家庭关系", "关系"),
    "building_code": ("楼栋代码", "楼栋编码"),
    "building": ("楼栋", "楼号", "栋号", "楼栋号", "幢"),
    "door_number": ("门牌号", "房号", "门牌", "房间号"),
    "address": ("住址", "现住址", "居住地址", "地址", "家庭住址"),
    "sex": ("性别",),
    "register_place": ("户籍地", "户籍所在地", "户籍地址", "籍贯"),
    "resident_type": (
        "人员类别", "人口类型", "户籍类型", "人员类型", "人口类别", "人员属性", "类别", "类型",
    ),
    "household_kind": ("住户类型", "房屋类型", "房屋性质"),
    "note": ("备注", "情况说明", "备注说明", "说明"),
}  # fmt: skip
# What each field is called on the page, the template and the check report.
FIELD_LABELS = {
    "name": _("姓名"),
    "document_number": _("证件号码"),
    "document_type": _("证件类型"),
    "phone": _("联系电话"),
    "relation": _("与户主关系"),
    "building_code": _("楼栋代码"),
    "building": _("楼栋"),
    "door_number": _("门牌号"),
    "address": _("住址"),
    "sex": _("性别"),
    "register_place": _("户籍地"),
    "resident_type": _("人员类别"),
    "household_kind": _("住户类型"),
    "note": _("备注"),
}
REQUIRED = ("name",)
# The columns of the template offered on the import page, in its order: each titled
# with its field's first name above (the importer's own word for it).
TEMPLATE_FIELDS = ("name", "document_type", "document_number", "phone", "building",
                   "door_number", "relation", "sex", "register_place", "resident_type",
                   "household_kind", "note")  # fmt: skip
# What the template's notes say of each column.
FIELD_HELP = {
    "name": _("必填。"),
    "document_type": _("居民身份证、护照、港澳通行证、台胞证;不填按居民身份证。"),
    "document_number": _("请设为文本格式,以免表格软件改写 18 位号码。"),
    "phone": _("手机号或带区号的固定电话。"),
    "building": _("导入到社区或网格时必填,如“1栋”;导入到一栋楼时可不填。"),
    "door_number": _("必填,如“502”;也可以只填一列“住址”,如“新港路1栋502”。"),
    "relation": _("户主、配偶、子女、父母、租客等。"),
    "sex": _("男或女;有身份证号时以号码为准。"),
    "register_place": _("可选。"),
    "resident_type": _("户籍人口、流动人口或境外人员;不填按户籍人口。"),
    "household_kind": _("住户、出租屋或商铺;不填按住户。"),
    "note": _("可选,不超过 500 字。"),
}
HEADER_SCAN_ROWS = 20


def clean_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|[*※\s:]", "", text)
    return text


def titled_layout(head: list[list[Any]], headers: dict[str, tuple[str, ...]]) -> Layout | None:
    """For a list of another kind (a branch's contributions, a lab's results): the first
    row among the first 20 naming a column for every field of `headers` (field -> the
    titles it goes by, compared as `clean_header` leaves them). A cell left empty takes
    its text from the row above: a header merged across two rows keeps it in the top
    one."""
    for index, row in enumerate(head[:HEADER_SCAN_ROWS]):
        above = head[index - 1] if index > 0 else []
        columns: dict[str, int] = {}
        labels: dict[str, str] = {}
        titles: dict[int, str] = {}
        for col, cell in enumerate(row):
            raw = cell if str(cell or "").strip() else (above[col] if col < len(above) else "")
            label = str(raw or "").strip()[:40]
            if label:
                titles[col] = label
            cleaned = clean_header(raw)
            name = next((n for n, words in headers.items() if cleaned in words), None)
            if name is not None and name not in columns:
                columns[name] = col
                labels[name] = label
        if len(columns) == len(headers):
            return Layout(index, columns, labels, titles)
    return None


def _field_for(text: str) -> str | None:
    for field_name, names in SYNONYMS.items():
        if text in names:
            return field_name
    return None


@dataclass
class Layout:
    header_row: int  # 0-based index of the header row in the sheet
    columns: dict[str, int]  # field -> column index
    labels: dict[str, str]  # field -> the header text as the file wrote it
    # column index -> header text, of every titled column (mapped or not)
    headers: dict[int, str] = field(default_factory=dict)

    @property
    def ignored(self) -> dict[int, str]:
        """The titled columns no field reads: listed in the report, never dropped silently."""
        used = set(self.columns.values())
        return {col: text for col, text in self.headers.items() if col not in used}

    def mapped(self, mapping: dict[int, str]) -> Layout:
        """This layout with the user's choices applied: column -> field ("" leaves the
        column out). A field given a new column lets go of its old one."""
        columns = dict(self.columns)
        labels = dict(self.labels)
        for col, field_name in sorted(mapping.items()):
            if col not in self.headers:
                continue
            for name, current in list(columns.items()):
                if current == col:
                    del columns[name], labels[name]
            if field_name in SYNONYMS:
                columns[field_name] = col
                labels[field_name] = self.headers[col]
        return Layout(self.header_row, columns, labels, self.headers)

    def describe(self) -> list[dict[str, object]]:
        """Every titled column in order: its index, letter, header and field ("" when
        ignored), for the check report."""
        fields = {col: name for name, col in self.columns.items()}
        return [
            {
                "column": col,
                "letter": column_letter(col),
                "header": text,
                "field": fields.get(col, ""),
            }
            for col, text in sorted(self.headers.items())
        ]


def column_letter(col: int) -> str:
    """A 0-based column index as a spreadsheet names it: 0 -> A, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def find_layout(rows: list[list[Any]], mapping: dict[int, str] | None = None) -> Layout | None:
    """The header is the row (among the first 20) naming the most known columns. A column
    whose cell there is empty takes its name from the row above: a header cell merged
    across two rows keeps its text in the top one. `mapping` (column -> field) is what
    the user chose on the check page for columns the names did not settle."""
    best: Layout | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        above = rows[index - 1] if index > 0 else []
        columns: dict[str, int] = {}
        labels: dict[str, str] = {}
        headers: dict[int, str] = {}
        for col in range(len(row)):
            raw = (
                row[col]
                if str(row[col] or "").strip()
                else (above[col] if col < len(above) else "")
            )
            text = str(raw or "").strip()
            if text:
                headers[col] = text[:40]
            field_name = _field_for(clean_header(raw))
            if field_name and field_name not in columns:
                columns[field_name] = col
                labels[field_name] = text
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = Layout(index, columns, labels, headers)
    if best is not None and mapping:
        best = best.mapped(mapping)
    return best
