"""Text as people type, paste and import it: one cleaning for every way in.

A name, a door number, an area's name or a note is stored the same whichever way it
came: the project's form CharField (`jijie.core.forms`), the API's `Text` and
`MultilineText` (`jijie.core.schemas`) and the registry and member imports all call
`clean`. The rules (docs/decisions.md, "Text on the way in"):

- Refused, with the field and the reason: control characters (C0 and C1, NUL and DEL;
  tab, CR and LF are whitespace), lone surrogates, and the bidirectional controls that
  redraw text in another order (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).
  Removing those silently would store something that reads differently from what the
  sender saw, so the sender is told.
- Removed: the other invisible format characters (zero-width space, word joiner, BOM,
  soft hyphen, tag characters, ...) and the Hangul fillers that draw a blank name. They
  draw nothing, so removing them changes nothing a reader sees, and "王小明" with a
  zero-width space inside is then the same name for search and duplicates.
- Kept: the zero-width joiner and non-joiner (and the Mongolian vowel separator)
  between two letters of a script that shapes with them (Arabic script for Uyghur,
  Mongolian, Tibetan, the Indic scripts); elsewhere (between Han characters, at an end)
  they draw nothing and are removed. Private-use characters are kept: a rare character
  of a name may only exist there. Variation selectors are kept: they choose a glyph.
- Then NFC (not NFKC: NFKC would fold what a person wrote, ＡＢＣ to ABC; identity
  numbers and phones get NFKC from `jijie.core.identity.normalise`, as the import
  always did), leading and trailing whitespace stripped, and each run of whitespace
  (no-break and ideographic spaces included) inside collapsed to one space; a
  multi-line text keeps its line breaks (as LF).
- In one line of text, a dot between two letters that looks like the middle dot of a
  minority or foreign name (阿卜杜拉·买买提 typed with •, ．, ・, ‧, ∙, ⋅, ･ and the
  like) becomes the one `·` (U+00B7), without spaces around it, so that a name is the
  same name for search and duplicates however it was typed. A dot that is not between
  letters (a bullet that starts a line, 1．201) is left as it is.
- Characters outside the Basic Multilingual Plane (𠮷, CJK Extension B and beyond)
  are kept exactly.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides, pop
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # marks
)
JOINERS = frozenset("\u200c\u200d\u180e")  # ZWNJ, ZWJ, Mongolian vowel separator
# Letters, not format characters, but drawn as nothing: a "blank" name.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_KEPT_CONTROLS = frozenset("\t\n\r")
MIDDLE_DOT = "\u00b7"
# What people type for the middle dot of a name: bullet, fullwidth full stop, katakana
# and halfwidth katakana middle dots, hyphenation point, bullet and dot operators, one
# dot leader, word-separator and raised dots, the syllabics final middle dot, and the
# middle dot itself (for the spaces around it).
MIDDLE_DOT_LOOKALIKES = "\u2022\uff0e\u30fb\u2027\u2219\u22c5\uff65\u2024\u2e31\u2e33\u1427\u00b7"
_NAME_DOT = re.compile(rf"(?<=[^\W\d_]) ?[{MIDDLE_DOT_LOOKALIKES}] ?(?=[^\W\d_])")
# Scripts whose letters join or conjoin through ZWJ/ZWNJ: Hebrew to Arabic Extended,
# Devanagari to Sinhala, Tibetan and Myanmar, Khmer and Mongolian, Arabic
# presentation forms.
_JOINING_RANGES = (
    (0x0590, 0x08FF),
    (0x0900, 0x0DFF),
    (0x0F00, 0x109F),
    (0x1780, 0x18AF),
    (0xA8E0, 0xA8FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFE),
)


# Printable ASCII and the common CJK ideographs, one space between words: nothing to
# refuse and nothing to change, so such text (most cells of a ledger) is checked by one
# match instead of character by character. Nothing here is a control, an invisible or a
# look-alike dot, nothing changes under NFC, and there is no space to collapse.
_PLAIN = re.compile(r"[!-~\u4e00-\u9fff]+(?: [!-~\u4e00-\u9fff]+)*")
# Whether a text is such plain text, which `clean` returns as it is (a match or None).
is_plain = _PLAIN.fullmatch


def _joins(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _JOINING_RANGES) and (
        unicodedata.category(char)[0] in "LM"
    )


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def refusal(text: str, *, field: str) -> ValidationError | None:
    """Why `text` cannot be taken, naming `field`; None when it can."""
    if _PLAIN.fullmatch(text):
        return None
    for char in text:
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            return ValidationError(
                _(
                    "“%(field)s”含有改变文字显示顺序的方向控制符 %(code)s,可能用于伪装内容,请删除后重新输入。"
                )
                % {"field": field, "code": code_point(char)},
                code="bidi",
            )
        if (category == "Cc" and char not in _KEPT_CONTROLS) or category == "Cs":
            return ValidationError(
                _("“%(field)s”含有控制字符或无效字符 %(code)s,请删除后重新输入。")
                % {"field": field, "code": code_point(char)},
                code="control",
            )
    return None


def _invisible(text: str, index: int) -> bool:
    char = text[index]
    if char in BLANK_LETTERS:
        return True
    if unicodedata.category(char) != "Cf":
        return False
    if char in JOINERS:
        inside = 0 < index < len(text) - 1
        return not (inside and _joins(text[index - 1]) and _joins(text[index + 1]))
    return True


def _without_invisible(text: str) -> str:
    if text.isascii():
        return text
    # Removing one may bring two joiners together; a second pass settles it.
    for _pass in range(2):
        text = "".join(c for i, c in enumerate(text) if not _invisible(text, i))
    return text


def clean(text: str, *, field: str, multiline: bool = False) -> str:
    """`text` cleaned by the rules above, or ValidationError naming `field`."""
    error = refusal(text, field=field)
    if error is not None:
        raise error
    return tidy(text, multiline=multiline)


def bounded(text: str, *, field: str, label: str, limit: int, required: bool = False) -> str:
    """`clean`, then refused naming the field's label when it is empty but `required`,
    or longer than `limit` characters: a service's one check of a free-text field."""
    cleaned = clean(text or "", field=field)
    if required and not cleaned:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(cleaned) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit}}
        )
    return cleaned


def tidy(text: str, *, multiline: bool = False) -> str:
    """The cleaning part of `clean`, for text already checked by `refusal`."""
    if _PLAIN.fullmatch(text):
        return text
    return _tidy(text, multiline=multiline)


def _tidy(text: str, *, multiline: bool) -> str:
    text = unicodedata.normalize("NFC", _without_invisible(text))
    if not multiline:
        return _NAME_DOT.sub(MIDDLE_DOT, " ".join(text.split()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(lines).strip()


def visible(text: str) -> str:
    """`text` with what `refusal` refuses shown as its code point, for an error report."""
    return "".join(
        f"[{code_point(c)}]"
        if c in BIDI_CONTROLS
        or (unicodedata.category(c) in ("Cc", "Cs") and c not in _KEPT_CONTROLS)
        else c
        for c in text
    )
