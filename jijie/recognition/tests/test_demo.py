"""The demo's recognition: last week's shifts at 新港路社区's 东门 checked in and out,
each unit's records approved, a certificate, a party-activist candidate; loaded twice,
the same."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.core.demo import DemoContext, demo_steps
from jijie.duty.models import Participation
from jijie.recognition.models import Approval, Certificate, Nomination

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_last_weeks_service_is_approved_and_certified():
    ctx = DemoContext(scale="small", seed=2020, out=lambda _line: None, now=NOW)
    with time_machine.travel(NOW, tick=False):
        for _order, _label, populate in demo_steps():
            populate(ctx)
        served = Participation.objects.filter(checked_out_at__isnull=False).count()
        for _order, label, populate in demo_steps():
            if label == "recognition":
                populate(ctx)
    assert served >= 14 * 2 - 4  # two a shift, fourteen shifts, a few resting
    assert Participation.objects.filter(checked_out_at__isnull=False).count() == served
    approvals = Approval.objects.all()
    assert approvals.exists()
    assert all(a.ends_on.isoformat() == "2026-03-09" for a in approvals)
    certificate = Certificate.objects.get()
    assert certificate.number == "2026-000001"
    assert certificate.record.minutes > 0
    nomination = Nomination.objects.get()
    assert nomination.minutes > 0
    assert "入党积极分子" in nomination.reason
