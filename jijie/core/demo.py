"""The demo-data framework. Each app may have a `demo.py` with

    ORDER = 10                      # steps run in increasing order
    def populate(ctx: DemoContext) -> None: ...

`manage.py demo_city` runs every app's step, so each later app (residents, mobilization,
...) adds its own data to the same city without this module knowing about it. A step
must be idempotent: `make demo` runs twice without harm. The random generator is seeded,
so the same seed and scale give the same city.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
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
    rng: random.Random = field(init=False)
    accounts: list[DemoAccount] = field(default_factory=list)
    # What one step leaves for the next (e.g. the city it built).
    shared: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"unknown scale {self.scale!r}; choose one of {SCALES}")
        self.rng = random.Random(self.seed)

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
