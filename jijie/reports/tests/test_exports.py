"""The daily report's workbook and printed report: read back, the totals row equal to
the sum of the rows and to the kept figures, merged headers, a period's one sheet a
day, text neutralised, three actors and an outsider, and the audit rows."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from jijie.areas.models import Area
from jijie.audit.models import AuditEvent
from jijie.problems.tests.fixtures import raise_problem
from jijie.reports import indicators, services, tables
from jijie.reports.models import Figures
from jijie.reports.tests.test_rollup import DAY, SINCE, UNTIL, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, actors):
    made = World(tree, 4)
    made.visits(25)
    made.problems(8)
    raise_problem(tree.street, title="人手不足", kind="staff", now=SINCE + timedelta(hours=2))
    for back in (2, 1, 0):
        services.report_refresh(
            response=made.response,
            day=DAY - timedelta(days=back),
            now=UNTIL - timedelta(days=back) + timedelta(minutes=1),
        )
    return made


def fetch(client, user, name, **params):
    client.force_login(user)
    with time_machine.travel(UNTIL + timedelta(hours=1), tick=False):
        client.force_login(user)
        return client.get(reverse(f"reports:{name}"), {"day": DAY.isoformat(), **params})


def number(value):
    return Decimal(str(value or 0))


def test_the_street_workbook_adds_up_to_the_kept_figures(client, tree, actors, world):
    reply = fetch(client, actors.street, "workbook")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.content))
    sheet = book[f"{DAY:%m-%d}"]
    assert sheet["A1"].value.startswith("源西街道疫情防控工作日报表")
    assert "A1" in str(sheet.merged_cells)
    assert "A3:A5" in str(sheet.merged_cells)
    assert sheet["B3"].value == "入户排查"
    columns = tables.COLUMNS
    rows = list(sheet.iter_rows(min_row=6, values_only=True))
    labels = [r[0] for r in rows]
    assert labels[:2] == ["新港路社区", "新江三路社区"]
    assert labels[-1] == "合计"
    kept = Figures.objects.get(report__day=DAY, area=tree.street).total
    body, total = rows[:-1], rows[-1]
    for n, key in enumerate(columns, start=1):
        if key in indicators.RATE_BY_KEY:
            continue  # a rate is made from the summed figures, as in every row
        if key in indicators.SCALED_BY_KEY:  # hours: from the kept minutes, to 0.1
            scaled = indicators.SCALED_BY_KEY[key]
            minutes = Decimal(kept.get(scaled.source, "0"))
            assert number(total[n]) == (minutes / scaled.divisor).quantize(Decimal("0.1"))
            continue
        assert sum(number(r[n]) for r in body) == number(total[n]), key
        assert number(total[n]) == Decimal(kept.get(key, "0")), key
    assert "每日通报" in book.sheetnames
    assert book["每日通报"]["A1"].value.startswith("截至3月10日18时,源西街道")
    event = AuditEvent.objects.get(action="reports.export")
    assert event.actor == actors.street


def test_a_period_has_a_sheet_a_day_and_a_district_a_row_a_community(client, actors, world):
    start = (DAY - timedelta(days=2)).isoformat()
    reply = fetch(client, actors.command, "workbook", start=start, end=DAY.isoformat())
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames[:3] == [f"{DAY - timedelta(days=d):%m-%d}" for d in (2, 1, 0)]
    labels = [r[0] for r in book[f"{DAY:%m-%d}"].iter_rows(min_row=6, values_only=True)]
    assert labels[-1] == "合计"
    assert "源西街道(本级)" in labels  # a problem raised at the street itself
    assert {"新港路社区", "新江三路社区", "上角社区"} <= set(labels)
    too_long = fetch(client, actors.command, "workbook", start="2026-01-01", end=DAY.isoformat())
    assert too_long.status_code == 400


def test_names_that_look_like_formulas_stay_text(client, tree, actors, world):
    Area.objects.filter(pk=tree.community.pk).update(name="=HYPERLINK(1)")
    services.report_refresh(response=world.response, day=DAY, now=UNTIL + timedelta(hours=1))
    reply = fetch(client, actors.street, "workbook")
    sheet = load_workbook(io.BytesIO(reply.content))[f"{DAY:%m-%d}"]
    cell = sheet["A6"]
    assert cell.value == "'=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_each_office_exports_its_own_tree_only(client, tree, actors, world):
    assert fetch(client, actors.street, "workbook", area=tree.other_street.code).status_code == 404
    assert fetch(client, actors.outsider, "workbook", area=tree.community.code).status_code == 404
    assert fetch(client, actors.manager, "print", area=tree.sibling.code).status_code == 404
    assert fetch(client, actors.grid_worker, "workbook").status_code == 403
    assert fetch(client, actors.manager, "workbook").status_code == 200


def test_the_printed_report_holds_the_bulletin_and_every_community(client, actors, world):
    reply = fetch(client, actors.command, "print")
    assert reply["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.content)).pages)
    compact = text.replace("\n", "").replace(" ", "")
    assert "源城区疫情防控工作日报表" in compact
    assert "截至3月10日18时,源城区累计排查住户" in compact
    for name in ("新港路社区", "新江三路社区", "上角社区", "合计"):
        assert name in compact
    assert AuditEvent.objects.filter(action="reports.export", actor=actors.command).exists()
    assert fetch(client, actors.command, "print", day="2026-01-01").status_code == 404
