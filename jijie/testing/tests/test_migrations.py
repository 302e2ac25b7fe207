"""The migration that moved a tube's result to the lab's ledger: the results recorded
before are there after it, pending tubes have none, and reversing puts them back on the
tubes."""

from datetime import UTC, date, datetime, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("testing", "0006_batch_carrier_member")]
AFTER = [("testing", "0007_lab_results")]
AT = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_recorded_results_move_to_the_ledger_and_back():
    try:
        # given: a round's three tubes as they were stored before, two with results
        old = migrate(BEFORE)
        area = old.get_model("areas", "Area").objects.create(
            path="0001", depth=1, name="新港路社区", kind="community", code="441602004001"
        )
        response = old.get_model("responses", "Response").objects.create(
            name="应急响应", area=area, area_path="0001", level="2", started_at=AT
        )
        round_ = old.get_model("testing", "Round").objects.create(
            response=response, area=area, area_path="0001", name="第一轮",
            starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 2),
        )  # fmt: skip
        site = old.get_model("testing", "Site").objects.create(
            round=round_, area=area, area_path="0001", name="采样点",
            opens_at=time(7), closes_at=time(19),
        )  # fmt: skip
        tubes = old.get_model("testing", "Tube").objects
        for code, result, at in (
            ("AB-0001", "positive", AT),
            ("AB-0002", "negative", AT),
            ("AB-0003", "pending", None),
        ):
            tubes.create(
                round=round_, site=site, area_path="0001", barcode=code, capacity=10, size=1,
                opened_at=AT, sealed_at=AT, result=result, result_at=at,
            )  # fmt: skip
        # when
        new = migrate(AFTER)
        # then
        Tube = new.get_model("testing", "Tube")
        assert "result" not in {f.name for f in Tube._meta.get_fields()}
        ledger = new.get_model("testing", "LabResult").objects
        moved = {r.tube.barcode: (r.result, r.result_at) for r in ledger.select_related("tube")}
        assert moved == {"AB-0001": ("positive", AT), "AB-0002": ("negative", AT)}
        # and back
        old = migrate(BEFORE)
        back = old.get_model("testing", "Tube").objects.order_by("barcode")
        assert [(t.barcode, t.result, t.result_at) for t in back] == [
            ("AB-0001", "positive", AT),
            ("AB-0002", "negative", AT),
            ("AB-0003", "pending", None),
        ]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
