"""Pinyin initials, the key people search names by (王小明 → wxm): the registry's search
index and the pickers that filter a list of names as one types."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_TOKENS = re.compile(r"[A-Za-z]+|[^\sA-Za-z0-9·.,'-]")


@lru_cache(maxsize=32768)
def _initial(char: str) -> str:
    parts = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return parts[0][:1].lower() if parts else ""


def initials(name: str) -> str:
    """Pinyin initials of a name (王小明 → wxm), for search. Character by character (a
    name is not a phrase, and a ledger repeats the same few thousand characters, so each
    is looked up once); a Latin word gives its first letter (John Smith → js)."""
    return "".join(
        token[0].lower() if token.isascii() else _initial(token) for token in _TOKENS.findall(name)
    )
