"""The demo-data framework. Each app may have a `demo.py` with

    ORDER = 10                      # steps run in increasing order
    def populate(ctx: DemoContext) -> None: ...

`manage.py demo_city` runs every app's step, so each later app (residents, mobilization,
...) adds its own data to the same city without this module knowing about it. A step
must be idempotent: `make demo` runs twice without harm. The random generator is seeded,
so the same seed, scale and `now` give the same city.

Every date of the demo is counted from `ctx.now`, the instant the demo is loaded: the
response began three weeks before it, the first call-up closed, its members serve until
weeks after it, the duty demands start the day after. The services a step calls check
their rules against the clock, so `now` is the present (or the clock is set to it).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

SCALES = ("small", "seed")


@dataclass
class DemoAccount:
    role: str
    username: str
    password: str
    scope: str


@dataclass
class DemoContext:
    scale: str
    seed: int
    out: Callable[[str], None]
    # The demo's present, which every date of the demo is counted from; "today" on its
    # pages is the local date of it. The present unless given (a test gives the instant
    # it has set the clock to).
    now: datetime = field(default_factory=timezone.now)
    rng: random.Random = field(init=False)
    accounts: list[DemoAccount] = field(default_factory=list)
    # What one step leaves for the next (e.g. the city it built).
    shared: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"unknown scale {self.scale!r}; choose one of {SCALES}")
        if timezone.is_naive(self.now):
            raise ValueError("now must be an aware datetime")
        self.rng = random.Random(self.seed)

    @property
    def today(self) -> date:
        """The local date of `now` (Asia/Shanghai)."""
        return timezone.localdate(self.now)

    def day(self, offset: int) -> date:
        """The date `offset` days from today (negative: before)."""
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int, minute: int = 0) -> datetime:
        """The local time of day `hour:minute`, `offset` days from today, made aware."""
        return timezone.make_aware(datetime.combine(self.day(offset), time(hour, minute)))

    def rng_for(self, name: str) -> random.Random:
        """A generator per step, so adding a step never changes another step's output."""
        return random.Random(f"{self.seed}:{self.scale}:{name}")


Step = tuple[int, str, Callable[[DemoContext], None]]


def demo_steps() -> list[Step]:
    steps: list[Step] = []
    for config in apps.get_app_configs():
        if config.name.startswith("jijie.") and module_has_submodule(config.module, "demo"):
            module = importlib.import_module(f"{config.name}.demo")
            if hasattr(module, "populate"):
                steps.append((module.ORDER, config.label, module.populate))
    return sorted(steps, key=lambda step: step[0])


def run_demo(ctx: DemoContext) -> DemoContext:
    for _order, label, populate in demo_steps():
        ctx.out(f"· {label}")
        populate(ctx)
    return ctx
