"""Demo step: the daily reports of the response, counted by the roll-up from what the
other steps left (the sweep, the cases, the gates, the shifts, the stores, the money,
the problems and the inspections), for every day since the response began and today
so far; and yesterday's sign-off under 源西街道: most communities on time, one late, one
not yet, and the street's own — so the street's page shows its completeness and
timeliness, and the command's the communities still missing. The map's outlines are
made up (`plausible_boundaries`): a deployment loads its surveyed ones."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoContext
from jijie.reports import boundaries, indicators, rules, services
from jijie.reports.models import Boundary, Report, Submission
from jijie.responses.models import Response, ResponseStatus

ORDER = 100
STREET = "源西街道"


def populate(ctx: DemoContext) -> None:
    _outlines(ctx)
    response = (
        Response.objects.filter(status=ResponseStatus.ACTIVE, area__kind=AreaKind.DISTRICT)
        .select_related("area")
        .order_by("started_at")
        .first()
    )
    if response is None:
        ctx.out("  no response in force: skipped")
        return
    today = indicators.report_day(ctx.now)
    first = timezone.localdate(response.started_at)
    counted = 0
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        services.report_refresh(response=response, day=day, now=ctx.now)
        counted += 1
    ctx.out(f"  daily reports: {counted} days of {response.name}")
    yesterday = today - timedelta(days=1)
    report = Report.objects.filter(
        response=response, day=yesterday, closed_at__isnull=False
    ).first()
    street = Area.objects.filter(name=STREET, kind=AreaKind.STREET).first()
    if report is None or street is None:
        return
    if Submission.objects.filter(report=report).exists():
        ctx.out("  sign-off already there")
        return
    communities = list(
        Area.objects.filter(path__startswith=street.path, depth=street.depth + 1).order_by("path")
    )
    submitted = 0
    for n, community in enumerate(communities):
        if n == len(communities) - 1:
            continue  # not yet submitted
        due = rules.due_at(report, community)
        # the second one late, the others within the hour after the cut-off; none after
        # the present (a demo loaded at 18:30 has yesterday's, not tonight's)
        at = due + timedelta(minutes=50) if n == 1 else due - timedelta(minutes=70 - 7 * n)
        if at <= ctx.now:
            services.do_report_submit(actor=SYSTEM, report=report, area=community, now=at)
            submitted += 1
    at = rules.due_at(report, street) - timedelta(minutes=20)
    if at <= ctx.now:
        services.do_report_submit(actor=SYSTEM, report=report, area=street, now=at)
    ctx.out(f"  sign-off of {yesterday}: {submitted} of {len(communities)} communities")


# Where the demo's district is drawn: around 源城区 (Heyuan), a lattice cell a community.
CENTRE = (114.70, 23.74)
CELL = (0.0065, 0.0055)  # about 660 m east-west, 610 m north-south


def _outlines(ctx: DemoContext) -> None:
    district = Area.objects.filter(kind=AreaKind.DISTRICT).order_by("path").first()
    if district is None:
        return
    if Boundary.objects.filter(area_path__startswith=district.path).exists():
        ctx.out("  map outlines already there")
        return
    drawn = plausible_boundaries(district, ctx.rng_for("reports:boundaries"))
    # Checked like a deployment's file: the demo's outlines pass the same door.
    loaded = boundaries.do_boundaries_load(actor=SYSTEM, features=boundaries.check(drawn))
    ctx.out(f"  map outlines: {loaded.created} communities")


def plausible_boundaries(district: Area, rng: random.Random) -> dict[str, Any]:
    """Made-up outlines of `district`'s communities, as a GeoJSON FeatureCollection: its
    streets side by side in blocks of one jittered lattice, each street's communities
    one or two lattice cells within its block. Neighbours are drawn from the same
    lattice points, so they share their edges exactly and the map has no gaps."""
    streets = list(Area.objects.get_children(district).order_by("path"))
    members = [list(Area.objects.get_children(s).order_by("path")) for s in streets]
    rows = max(1, math.ceil(max((len(m) for m in members), default=1) / 2))  # a block's
    across = math.ceil(len(streets) / 2)  # blocks east-west
    down = math.ceil(len(streets) / across)  # blocks north-south
    lattice = _Lattice(columns=2 * across, rows=rows * down, rng=rng)
    features = []
    for n, communities in enumerate(members):
        if not communities:
            continue
        west, south = 2 * (n % across), rows * (down - 1 - n // across)  # first ones north
        for community, (c0, r0, c1, r1) in zip(
            communities, _cells(len(communities), rows, rng), strict=True
        ):
            ring = lattice.ring(west + c0, south + r0, west + c1, south + r1)
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": community.code, "name": community.name},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _cells(count: int, rows: int, rng: random.Random) -> list[tuple[int, int, int, int]]:
    """A street block of 2 × `rows` lattice cells shared by `count` communities, north
    to south, west to east: each band of rows is one community, or two side by side."""
    bands = min(rows, count)
    sizes = [rows // bands + (1 if i < rows % bands else 0) for i in range(bands)]
    split = set(rng.sample(range(bands), count - bands))
    cells = []
    top = rows
    for band, size in enumerate(sizes):
        bottom = top - size
        if band in split:
            cells += [(0, bottom, 1, top), (1, bottom, 2, top)]
        else:
            cells.append((0, bottom, 2, top))
        top = bottom
    return cells


class _Lattice:
    """Lattice points jittered once, and a point bent out of each edge's middle once, so
    that two cells that meet draw their common edge with the same points."""

    def __init__(self, *, columns: int, rows: int, rng: random.Random) -> None:
        self.rng = rng
        west = CENTRE[0] - columns * CELL[0] / 2
        south = CENTRE[1] - rows * CELL[1] / 2
        self.points = {
            (c, r): (
                round(west + (c + rng.uniform(-0.18, 0.18)) * CELL[0], 6),
                round(south + (r + rng.uniform(-0.18, 0.18)) * CELL[1], 6),
            )
            for c in range(columns + 1)
            for r in range(rows + 1)
        }
        self.middles: dict[tuple[tuple[int, int], tuple[int, int]], tuple[float, float]] = {}

    def middle(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        key = (min(a, b), max(a, b))
        if key not in self.middles:
            (x1, y1), (x2, y2) = self.points[key[0]], self.points[key[1]]
            bend = self.rng.uniform(-0.12, 0.12)
            # across the edge: north-south for an east-west edge, and the other way
            dx, dy = (0, bend * CELL[1]) if a[1] == b[1] else (bend * CELL[0], 0)
            self.middles[key] = (round((x1 + x2) / 2 + dx, 6), round((y1 + y2) / 2 + dy, 6))
        return self.middles[key]

    def ring(self, c0: int, r0: int, c1: int, r1: int) -> list[list[float]]:
        """The outline of cells [c0, c1) × [r0, r1), anticlockwise (RFC 7946), closed."""
        corners = (
            [(c, r0) for c in range(c0, c1)]
            + [(c1, r) for r in range(r0, r1)]
            + [(c, r1) for c in range(c1, c0, -1)]
            + [(c0, r) for r in range(r1, r0, -1)]
        )
        ring = []
        for a, b in zip(corners, [*corners[1:], corners[0]], strict=True):
            ring += [list(self.points[a]), list(self.middle(a, b))]
        return [*ring, ring[0]]
