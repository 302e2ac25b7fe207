"""Text on every way in (forms, API, imports) is cleaned by one set of rules, and a
name that would be drawn in another order (U+202E) or that carries NUL is refused."""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

import pytest
from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, BeforeValidator

import jijie
from jijie.core import forms, schemas, text

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "王小明\u202egpj.exe" reads "王小明exe.jpg"
ROOT = Path(jijie.__file__).parent
T = TypeVar("T")


def _project_modules() -> list[str]:
    return [
        module.name
        for module in pkgutil.walk_packages([str(ROOT)], prefix="jijie.")
        if ".tests" not in module.name and ".migrations" not in module.name
    ]


def _subclasses(cls: type[T]) -> set[type[T]]:
    found: set[type[T]] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


# The rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  王小明  ", "王小明"),
        ("王\u3000\u3000小明", "王 小明"),  # a run of ideographic spaces inside
        ("Mary\t \nAnn", "Mary Ann"),
        ("王\u200b小明\ufeff", "王小明"),  # zero-width space and BOM pasted from a page
        ("\u3164", ""),  # a Hangul filler: a "blank" name
        ("王\u200d小明", "王小明"),  # a joiner between Han characters joins nothing
        ("e\u0301", "\u00e9"),  # NFC
        ("ＡＢＣ５０２", "ＡＢＣ５０２"),  # not NFKC: what the person wrote
        ("\ue000明", "\ue000明"),  # private use: a rare character of a name
    ],
)
def test_text_is_cleaned(raw: str, expected: str) -> None:
    assert text.clean(raw, field="姓名") == expected


# Text the quick path takes (printable ASCII and common ideographs, single spaces), and
# text around it: ASCII controls and whitespace, look-alike dots, invisibles, spaces.
_PLAIN_ALPHABET = st.sampled_from([*"王小明陈一丁鿿ab.Z-09~!", " "])
_NEAR_ALPHABET = st.sampled_from(
    [*"王小明a.", " ", "  ", "\t", "\n", "\x7f", "\u00b7", "\uff0e", "\u200b", "\u3000",
     "\u202e", "\u3400", "\u0301", "\ufeff"]
)  # fmt: skip


@given(st.lists(_PLAIN_ALPHABET | _NEAR_ALPHABET, max_size=12).map("".join))
def test_the_quick_path_gives_what_the_rules_give(raw: str) -> None:
    """Whatever the quick check lets through unchanged, the character-by-character
    rules leave unchanged and accept too."""
    quick = text._PLAIN.fullmatch(raw) is not None
    for multiline in (False, True):
        assert text.tidy(raw, multiline=multiline) == text._tidy(raw, multiline=multiline)
    if quick:
        assert text._tidy(raw, multiline=False) == raw
        assert all(
            not (unicodedata.category(c) in ("Cc", "Cf", "Cs") or c in text.BIDI_CONTROLS)
            for c in raw
        )


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\U000e0041"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_invisible_characters_leave_a_name(invisible: str) -> None:
    """A search for 陈明 missed 陈\u200b明."""
    assert text.clean(f"{invisible}陈{invisible}明{invisible}", field="姓名") == "陈明"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2007", "\u3000", "\u2003"])
def test_no_break_and_wide_spaces_collapse_to_one_space(space: str) -> None:
    assert text.clean(f"{space}John{space}{space}Smith{space}", field="姓名") == "John Smith"


@pytest.mark.parametrize("dot", list(text.MIDDLE_DOT_LOOKALIKES), ids=lambda c: f"U+{ord(c):04X}")
def test_a_middle_dot_look_alike_in_a_name_becomes_the_middle_dot(dot: str) -> None:
    assert text.clean(f"阿卜杜拉{dot}买买提", field="姓名") == "阿卜杜拉·买买提"
    assert text.clean(f"阿卜杜拉 {dot} 买买提", field="姓名") == "阿卜杜拉·买买提"
    assert text.clean(f"Jean{dot}Paul", field="姓名") == "Jean·Paul"


def test_a_dot_that_is_not_between_letters_is_left() -> None:
    assert text.clean("1．201", field="门牌号") == "1．201"
    assert text.clean("• 一楼", field="备注") == "• 一楼"
    assert text.clean("• 一楼\n• 二楼", field="备注", multiline=True) == "• 一楼\n• 二楼"


def test_characters_outside_the_basic_plane_are_kept_exactly() -> None:
    for name in ("𠮷野家", "𪚥", "王\U0002a6a5明", "𠮷•𡈽"):
        cleaned = text.clean(name, field="姓名")
        assert [c for c in cleaned if ord(c) > 0xFFFF] == [c for c in name if ord(c) > 0xFFFF]
    assert text.clean("𠮷•𡈽", field="姓名") == "𠮷·𡈽"


def test_a_control_character_in_a_name_is_refused_naming_the_field() -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        text.clean("陈\x01明", field="姓名")
    assert "“姓名”" in raised.value.messages[0]
    assert "U+0001" in raised.value.messages[0]


def test_a_joiner_inside_a_joining_script_is_kept() -> None:
    # Persian needs ZWNJ (می‌خواهم); Malayalam chillu forms need ZWJ.
    assert text.clean("می\u200cخواهم", field="姓名") == "می\u200cخواهم"
    assert text.clean("ന\u0d4d\u200d", field="姓名") == "ന\u0d4d"  # at the end: removed
    assert text.clean("ന\u0d4d\u200dന", field="姓名") == "ന\u0d4d\u200dന"


def test_multiline_text_keeps_its_line_breaks() -> None:
    assert text.clean(" 一楼\r\n\r\n二楼  东 ", field="备注", multiline=True) == "一楼\n\n二楼 东"


@pytest.mark.parametrize(
    ("char", "code"),
    [
        (RLO, "bidi"),
        ("\u2066", "bidi"),
        ("\u200f", "bidi"),
        ("\u061c", "bidi"),
        ("\x00", "control"),
        ("\x1b", "control"),
        ("\x85", "control"),  # C1
        ("\x7f", "control"),
        ("\ud800", "control"),  # a lone surrogate, from a JSON "\\ud800"
    ],
)
def test_control_and_bidi_characters_are_refused_naming_field_and_reason(
    char: str, code: str
) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        text.clean(f"王小明{char}gpj.exe", field="姓名")
    assert raised.value.code == code
    message = raised.value.messages[0]
    assert "“姓名”" in message
    assert f"U+{ord(char):04X}" in message
    assert ("方向控制符" if code == "bidi" else "控制字符") in message


def test_the_refusal_reads_in_english_too() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        text.clean(f"a{RLO}b", field="Name")
    assert "U+202E" in raised.value.messages[0]
    assert "Name" in raised.value.messages[0]
    assert "方向" not in raised.value.messages[0]


# Every form -----------------------------------------------------------------------------


def test_every_text_field_of_every_form_cleans_its_text() -> None:
    """A form written with Django's own CharField would take U+202E and store it."""
    for name in _project_modules():
        importlib.import_module(name)
    project_forms = [
        form for form in _subclasses(django_forms.Form) if form.__module__.startswith("jijie.")
    ]
    assert len(project_forms) > 40
    unguarded = [
        f"{form.__module__}.{form.__qualname__}.{field_name}"
        for form in project_forms
        for field_name, field in form.base_fields.items()
        if isinstance(field, django_forms.CharField)
        and not isinstance(field, forms.CharField | django_forms.UUIDField)
        and not isinstance(field.widget, django_forms.PasswordInput)
    ]
    assert unguarded == []


def test_no_form_module_builds_fields_from_djangos_forms_directly() -> None:
    """Fields a form adds in __init__ are not in base_fields: their module must be the
    project's forms module."""
    direct = re.compile(r"^from django import forms\b|^from django\.forms import .*CharField", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts
        and path != ROOT / "core" / "forms.py"
        and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_password_is_left_as_typed() -> None:
    field = forms.CharField(widget=forms.PasswordInput)
    assert field.clean(" pass\u200bword ") == " pass\u200bword ".strip()


# Every API operation --------------------------------------------------------------------


def _unguarded(annotation: Any, metadata: Sequence[Any], where: str, seen: set[type]) -> list[str]:
    """Where a str in `annotation` is taken without the text cleaning."""
    if any(
        isinstance(m, BeforeValidator) and m.func in (schemas.clean_line, schemas.clean_lines)
        for m in metadata
    ):
        return []
    if annotation is str:
        return [where]
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        return _unguarded(inner, extra, where, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return []
        seen.add(annotation)
        return [
            found
            for name, field in annotation.model_fields.items()
            for found in _unguarded(
                field.annotation, field.metadata, f"{annotation.__qualname__}.{name}", seen
            )
        ]
    return [
        found
        for arg in get_args(annotation)
        if not isinstance(arg, str)  # Literal["in", "out"]
        for found in _unguarded(arg, (), where, seen)
    ]


def test_every_text_an_api_operation_takes_is_cleaned() -> None:
    """A schema written with a plain `str` would take U+202E and NUL and store them."""
    api = importlib.import_module("config.api").api  # the wiring, looked up not layered
    unguarded = []
    operations = 0
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                operations += 1
                # Path and query parameters look up and filter; a body is what is stored.
                for model in operation.models:
                    if model.__name__ != "BodyParams":
                        continue
                    where = f"{'/'.join(operation.methods)} {prefix}{path}"
                    unguarded += [f"{where}: {found}" for found in _unguarded(model, (), "", set())]
    assert operations > 20
    assert unguarded == []
