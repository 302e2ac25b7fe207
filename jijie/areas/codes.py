"""Area codes: what a well-formed code looks like at each level, with clear reasons.

City and district: GB/T 2260, six digits (441600 河源市, 441602 源城区).
Street/town and community/village: the 12-digit statistical division code, whose first
six digits are the district's and first nine the street's (441602004000 源西街道,
441602004001 a community of it). Grids and buildings: the parent's code, a hyphen,
and a local number (441602004001-03, 441602004001-03-017).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jijie.areas.models import AreaKind

_SIX = re.compile(r"\d{6}")
_TWELVE = re.compile(r"\d{12}")
_LOCAL = re.compile(r"\d{1,4}")
# Any code the tree can hold: used to refuse junk before a lookup ever runs.
_ANY_CODE = re.compile(r"\d{6}(\d{6})?(-\d{1,4}){0,2}")


def is_well_formed(code: str) -> bool:
    """True when `code` has the shape of some area code (a URL may be tried with it)."""
    return bool(_ANY_CODE.fullmatch(code))


def validate_child_code(*, kind: str, code: str, parent_code: str | None) -> str:
    """Return the normalised code or raise ValidationError naming the reason."""
    code = code.strip()
    if kind == AreaKind.CITY:
        if not _SIX.fullmatch(code) or not code.endswith("00") or code.endswith("0000"):
            raise ValidationError(
                _("市级代码应为 6 位 GB/T 2260 代码且以 00 结尾(如 441600),而不是“%(code)s”。"),
                code="malformed",
                params={"code": code},
            )
        return code
    if parent_code is None:
        raise ValidationError(_("只有市级区域可以没有上级。"), code="no_parent")
    if kind == AreaKind.DISTRICT:
        if not _SIX.fullmatch(code) or code.endswith("00"):
            raise ValidationError(
                _("区县代码应为 6 位 GB/T 2260 代码(如 441602),而不是“%(code)s”。"),
                code="malformed",
                params={"code": code},
            )
        if code[:4] != parent_code[:4]:
            raise ValidationError(
                _("区县代码“%(code)s”的前 4 位应与所属市“%(parent)s”一致。"),
                code="not_under_parent",
                params={"code": code, "parent": parent_code},
            )
        return code
    if kind in (AreaKind.STREET, AreaKind.TOWN):
        if not _TWELVE.fullmatch(code) or code[6:9] == "000" or code[9:] != "000":
            raise ValidationError(
                _(
                    "街道/镇代码应为 12 位统计用区划代码,以 000 结尾(如 441602004000),"
                    "而不是“%(code)s”。"
                ),
                code="malformed",
                params={"code": code},
            )
        if code[:6] != parent_code:
            raise ValidationError(
                _("街道/镇代码“%(code)s”的前 6 位应为所属区县代码“%(parent)s”。"),
                code="not_under_parent",
                params={"code": code, "parent": parent_code},
            )
        return code
    if kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE):
        if not _TWELVE.fullmatch(code) or code[9:] == "000":
            raise ValidationError(
                _(
                    "社区/村代码应为 12 位统计用区划代码,末 3 位不为 000(如 441602004001),"
                    "而不是“%(code)s”。"
                ),
                code="malformed",
                params={"code": code},
            )
        if code[:9] != parent_code[:9]:
            raise ValidationError(
                _("社区/村代码“%(code)s”的前 9 位应与所属街道/镇“%(parent)s”一致。"),
                code="not_under_parent",
                params={"code": code, "parent": parent_code},
            )
        return code
    if kind in (AreaKind.GRID, AreaKind.BUILDING):
        prefix, _sep, local = code.rpartition("-")
        if prefix != parent_code or not _LOCAL.fullmatch(local):
            raise ValidationError(
                _("代码应为上级代码加“-”和 1 至 4 位数字(如 %(example)s),而不是“%(code)s”。"),
                code="malformed",
                params={"code": code, "example": f"{parent_code}-01"},
            )
        return code
    raise ValidationError(_("未知的区域类型“%(kind)s”。"), code="kind", params={"kind": kind})
