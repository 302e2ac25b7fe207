"""Identity documents and phone numbers: normalise, validate, and explain.

GB 11643-1999 resident ID numbers: 6-digit address code (GB/T 2260), 8-digit birth date,
3-digit sequence (odd for men), and a check digit (ISO 7064 MOD 11-2, 10 written X).
Old 15-digit numbers (two-digit year, no check digit) are upgraded to 18 digits. An
address code that no longer exists is a warning, not an error: people keep the number
they were given. The address codes and their validity years come from python-stdnum.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from stdnum import numdb
from stdnum.cn.ric import calc_check_digit

PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}  # fmt: skip


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", gettext_lazy("居民身份证")
    OLD_RESIDENT_ID = "old_resident_id", gettext_lazy("15 位旧身份证")
    HK_MO_PERMIT = "hk_mo_permit", gettext_lazy("港澳居民来往内地通行证")
    TW_PERMIT = "tw_permit", gettext_lazy("台湾居民来往大陆通行证")
    PASSPORT = "passport", gettext_lazy("护照")


@dataclass
class Checked:
    """A normalised value, the document type it was stored as, and any warnings."""

    value: str
    document_type: str = DocumentType.RESIDENT_ID
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str | None = None  # "M" / "F" from a resident ID's sequence number


_SEPARATORS = re.compile(r"[\s\-‐‑–—_]")


def normalise(raw: object) -> str:
    """Full-width to half-width, drop spaces and separators, upper-case."""
    if isinstance(raw, str) and raw.isascii() and raw.isalnum():
        return raw.upper()  # the usual case, and a ledger has hundreds of thousands
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else ""))
    return _SEPARATORS.sub("", text).upper()


def _fail(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def looks_damaged_by_excel(raw: object) -> bool:
    """An ID number that a spreadsheet stored as a float: 4.41602E+17, or 18 digits whose
    tail became zeros (Excel keeps 15 significant digits)."""
    if isinstance(raw, float):
        return True
    return _damaged_text(normalise(raw))


_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
_ZEROED = re.compile(r"\d{15}000")
_OLD_ID = re.compile(r"\d{15}")
_NEW_ID = re.compile(r"\d{17}[\dX]")


def _damaged_text(text: str) -> bool:
    return bool(_SCIENTIFIC.fullmatch(text)) or bool(
        _ZEROED.fullmatch(text) and not _check_digit_ok(text)
    )


def _check_digit_ok(number: str) -> bool:
    return bool(_NEW_ID.fullmatch(number)) and calc_check_digit(number) == number[17]


@lru_cache(maxsize=4096)
def _address_status(code: str) -> tuple[str, str, str]:
    """("current" | "retired" | "unknown", county name, year retired) of an address
    code. Cached: a ledger repeats the same few codes on every row."""
    results = numdb.get("cn/loc").info(code)
    counties = [props["county"] for part, props in results if "county" in props]
    if not counties:
        return ("unknown", "", "")
    names = counties[-1].split(",")
    current = [n for n in names if not n.startswith("[") or n[1:].split("]")[0].endswith("-")]
    if current:
        return ("current", current[0].split("]")[-1], "")
    return ("retired", names[-1].split("]")[-1], names[-1][1:].split("]")[0].split("-")[-1])


def _address_warnings(code: str) -> list[str]:
    status, name, until = _address_status(code)
    if status == "unknown":
        return [_("地址码 %(code)s 不在行政区划代码表中,请核对。") % {"code": code}]
    if status == "retired":
        return [
            _("地址码 %(code)s(%(name)s)已于 %(year)s 年撤销,号码仍然有效,请核对。")
            % {"code": code, "name": name, "year": until}
        ]
    return []


@sensitive_variables()
def check_resident_id(raw: object, *, today: date | None = None) -> Checked:
    """Validate a mainland resident ID (18 digits, or 15 upgraded to 18)."""
    number = normalise(raw)
    # The usual case first: 18 characters with a right check digit (a ledger has
    # hundreds of thousands), which cannot be a number a spreadsheet damaged.
    sound = bool(_NEW_ID.fullmatch(number)) and calc_check_digit(number) == number[17]
    if isinstance(raw, float) or (not sound and _damaged_text(number)):
        raise _fail(
            _("身份证号已被表格软件改成数字(如 4.41602E+17),末几位已丢失,请从原始资料重新录入。"),
            "damaged",
        )
    warnings: list[str] = []
    if _OLD_ID.fullmatch(number):
        number = number[:6] + "19" + number[6:]
        number += calc_check_digit(number + "0")
        warnings.append(_("15 位旧身份证号已升级为 18 位。"))
    if not _NEW_ID.fullmatch(number):
        raise _fail(_("身份证号应为 18 位(最后一位可为 X),或 15 位旧号码。"), "format")
    if number[:2] not in PROVINCES:
        raise _fail(
            _("身份证号前两位“%(code)s”不是有效的省级代码。") % {"code": number[:2]}, "province"
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _fail(
            _("身份证号中的出生日期“%(date)s”不存在。") % {"date": number[6:14]}, "date"
        ) from None
    if born > (today or date.today()) or born.year < 1890:
        raise _fail(_("身份证号中的出生日期“%(date)s”不合理。") % {"date": number[6:14]}, "date")
    if not sound and calc_check_digit(number) != number[17]:
        raise _fail(_("身份证号校验位不正确,可能有数字录错。"), "checksum")
    warnings += _address_warnings(number[:6])
    return Checked(
        value=number,
        document_type=DocumentType.RESIDENT_ID,
        warnings=warnings,
        birth_date=born,
        sex="M" if int(number[16]) % 2 else "F",
    )


def check_document(document_type: str, raw: object, *, today: date | None = None) -> Checked:
    """Validate an identity document number of the given type (a resident ID's birth date
    against `today`, by default the server's)."""
    if document_type in (DocumentType.RESIDENT_ID, DocumentType.OLD_RESIDENT_ID):
        return check_resident_id(raw, today=today)
    number = normalise(raw)
    if document_type == DocumentType.HK_MO_PERMIT:
        if not re.fullmatch(r"[HM]\d{8}(\d{2})?", number):
            raise _fail(_("港澳通行证号应为 H 或 M 加 8 或 10 位数字。"), "format")
    elif document_type == DocumentType.TW_PERMIT:
        if not re.fullmatch(r"\d{8}|T?\d{8}|[A-Z]\d{9}", number):
            raise _fail(_("台湾居民通行证号应为 8 位数字。"), "format")
    elif document_type == DocumentType.PASSPORT:
        if not re.fullmatch(r"[A-Z0-9]{5,17}", number):
            raise _fail(_("护照号应为 5 到 17 位字母或数字。"), "format")
    else:
        raise _fail(_("未知的证件类型“%(type)s”。") % {"type": document_type}, "type")
    return Checked(value=number, document_type=document_type)


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")


@sensitive_variables()
def check_phone(raw: object) -> str:
    """A mainland mobile (13800138000) or landline with area code (07623386000),
    normalised: full-width digits, spaces, hyphens and a +86/0086 prefix removed."""
    number = normalise(raw).replace("(", "").replace(")", "")
    number = re.sub(r"^(\+86|0086)", "", number)
    if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number):
        return number
    raise _fail(_("联系电话应为 11 位手机号,或带区号的固定电话。"), "phone")
