"""Days as pages ask for them: a day in the address (?start=2026-12-01), a period of days
with its defaults, and the instants a period of days spans in the local zone. A day
that is malformed or impossible (2026-02-30) is a 400 that says how to write one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _


def day(params: Mapping[str, str], name: str) -> date | None:
    """The day `params[name]` names, None when it is absent or empty."""
    raw = params.get(name, "")
    if not raw:
        return None
    try:
        found = parse_date(raw)
    except ValueError:  # well formed, but no such day
        found = None
    if found is None:
        raise BadRequest(_("日期格式应为 2026-12-01。"))
    return found


def period(params: Mapping[str, str], *, end: date, days: int) -> tuple[date, date]:
    """`?start=&end=`, by default the `days` days up to `end`; a start after its end
    is a 400."""
    last = day(params, "end") or end
    first = day(params, "start") or last - timedelta(days=days - 1)
    if first > last:
        raise BadRequest(_("开始日期不能晚于结束日期。"))
    return first, last


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants of the days from `first` to `last`, both included: [start, end)."""
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)),
    )
