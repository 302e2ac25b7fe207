"""When a unit's day is due: the hours after the day's cut-off each level has to submit
it (setting REPORT_SUBMIT_HOURS, by depth: a community first, then its street, then the
district and the city), so that each level can see its units' figures before its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from jijie.areas.models import Area
from jijie.reports import indicators
from jijie.reports.models import Report

DEFAULT_SUBMIT_HOURS = {4: 2, 3: 3, 2: 4, 1: 5}


def submit_hours(depth: int) -> int:
    hours = getattr(settings, "REPORT_SUBMIT_HOURS", DEFAULT_SUBMIT_HOURS)
    return int(hours.get(depth, max(hours.values())))


def due_at(report: Report, area: Area) -> datetime:
    return indicators.window(report.day).until + timedelta(hours=submit_hours(area.depth))
