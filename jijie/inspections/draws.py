"""The random, unannounced draw of a plan's targets (四不两直), reproducible from its
seed.

A team's draws within a cycle (a calendar month of its plans' first days) are spread:
no target is drawn a second time before every candidate has been drawn once. The draw
is a pure function of the candidates (in a fixed order), the keys already drawn this
cycle (in the order they were drawn), the seed and the size; a plan keeps all four, so
`verify` makes the draw again and says whether it is the one recorded."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta


def fresh(candidates: Sequence[str], drawn_before: Sequence[str]) -> list[str]:
    """The candidates not yet drawn in the current round of the cycle: the earlier
    draws are replayed, a round ending each time every candidate has been drawn."""
    everyone = set(candidates)
    seen: set[str] = set()
    for key in drawn_before:
        if key in everyone:
            seen.add(key)
            if seen == everyone:
                seen = set()
    return [key for key in candidates if key not in seen]


def draw(candidates: Sequence[str], drawn_before: Sequence[str], seed: int, size: int) -> list[str]:
    """`size` distinct keys (at most every candidate), the ones not yet drawn in this
    round first; when the round runs out in the middle of a plan, the next round
    begins with the rest of the plan, never repeating a key within it."""
    rng = random.Random(seed)  # noqa: S311 - made again from the seed for audit, no secret
    pool = fresh(candidates, drawn_before)
    picked: list[str] = []
    size = min(size, len(set(candidates)))
    while len(picked) < size:
        if not pool:
            pool = [key for key in candidates if key not in picked]
        chosen = rng.sample(pool, min(size - len(picked), len(pool)))
        picked += chosen
        taken = set(chosen)
        pool = [key for key in pool if key not in taken]
    return picked


def days(first: date, last: date, count: int, seed: int) -> list[date]:
    """A day for each of `count` visits, spread over [first, last] at random (from the
    seed), so that the order of visits tells nothing of the draw."""
    rng = random.Random(seed ^ 0x5EED)  # noqa: S311 - made again from the seed, no secret
    span = (last - first).days + 1
    return sorted(first + timedelta(days=rng.randrange(span)) for _ in range(count))


def verify(
    candidates: Sequence[str], drawn_before: Sequence[str], seed: int, recorded: Sequence[str]
) -> bool:
    """Whether the draw recorded is the one the seed makes."""
    return draw(candidates, drawn_before, seed, len(recorded)) == list(recorded)
