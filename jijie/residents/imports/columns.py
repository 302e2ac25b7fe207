"""Finding the columns by the names ledgers use, under title rows and merged headers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

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
    "resident_type": ("人口类型", "户籍类型", "人员类型"),
    "household_kind": ("住户类型", "房屋类型", "房屋性质"),
}
REQUIRED = ("name",)
HEADER_SCAN_ROWS = 20


def clean_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|[*※\s:]", "", text)
    return text


def _field_for(text: str) -> str | None:
    for field, names in SYNONYMS.items():
        if text in names:
            return field
    return None


@dataclass
class Layout:
    header_row: int  # 0-based index of the header row in the sheet
    columns: dict[str, int]  # field -> column index
    labels: dict[str, str]  # field -> the header text as the file wrote it


def find_layout(rows: list[list[Any]]) -> Layout | None:
    """The header is the row (among the first 20) naming the most known columns. A column
    whose cell there is empty takes its name from the row above: a header cell merged
    across two rows keeps its text in the top one."""
    best: Layout | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        above = rows[index - 1] if index > 0 else []
        columns: dict[str, int] = {}
        labels: dict[str, str] = {}
        for col in range(len(row)):
            raw = (
                row[col]
                if str(row[col] or "").strip()
                else (above[col] if col < len(above) else "")
            )
            field = _field_for(clean_header(raw))
            if field and field not in columns:
                columns[field] = col
                labels[field] = str(raw).strip()
        if len(columns) >= 2 and (best is None or len(columns) > len(best.columns)):
            best = Layout(index, columns, labels)
    return best
