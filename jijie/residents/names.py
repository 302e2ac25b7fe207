"""Names as search keys: pinyin initials, and the name-piece index (NameGram) kept in
step with people's names and places."""

from __future__ import annotations

from collections.abc import Iterable

from jijie.core.pinyin import initials
from jijie.residents.models import NameGram, Person

__all__ = ["grams", "grams_for", "initials", "reindex", "search_gram"]


def grams(name: str) -> set[str]:
    """Every 1- and 2-character piece of a name: 王小明 → 王 小 明 王小 小明."""
    name = name.strip()
    return {name[i : i + n] for n in (1, 2) for i in range(len(name) - n + 1)}


def search_gram(query: str) -> str:
    """The piece a name search looks up: the query itself if short, else its start."""
    return query[:2]


def grams_for(people: Iterable[Person]) -> list[NameGram]:
    return [
        NameGram(person=person, gram=gram, area_path=person.area_path)
        for person in people
        for gram in grams(person.name)
    ]


def reindex(people: list[Person]) -> None:
    """Rewrite the pieces of these (saved) people."""
    NameGram.objects.filter(person__in=[p.pk for p in people]).delete()
    NameGram.objects.bulk_create(grams_for(people), batch_size=10_000)
