"""A finding's photo over the size cap, posted on the inspector's form: the form says
why, and nothing of the visit is stored."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.core import uploads
from jijie.inspections import services
from jijie.inspections.models import Finding, Order, Photo, Visit

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_THE_DAY = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0"


@time_machine.travel(ON_THE_DAY, tick=False)
def test_a_photo_over_the_cap_is_refused_on_the_form(client, inspections):
    # given the inspector at 新港路社区's 东门
    plan = services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )
    visit = plan.visits.get(label="新港路社区 东门")
    lines = inspections.gate_lines
    data = {f"item-{line.pk}": "pass" for line in lines} | {
        f"item-{lines[0].pk}": "fail",
        "finding-1-kind": "problem",
        "finding-1-severity": "major",
        "finding-1-text": "值守人员脱岗",
    }
    too_large = JPEG + b"0" * (uploads.LIMIT + 1 - len(JPEG))
    client.force_login(inspections.inspector)
    # when they record it with a photo one byte over the cap
    response = client.post(
        reverse("inspections:visit", args=[visit.pk]),
        data | {"finding-1-photo": SimpleUploadedFile("a.jpg", too_large, "image/jpeg")},
    )
    # then the form says why, and nothing is stored
    assert response.status_code == 200
    assert "照片不能超过 5 MB。" in response.content.decode()
    assert Visit.objects.get(pk=visit.pk).recorded_at is None
    assert (Finding.objects.count(), Order.objects.count(), Photo.objects.count()) == (0, 0, 0)
    # at the cap, it is taken
    at_the_cap = too_large[:-1]
    response = client.post(
        reverse("inspections:visit", args=[visit.pk]),
        data | {"finding-1-photo": SimpleUploadedFile("a.jpg", at_the_cap, "image/jpeg")},
    )
    assert response.status_code == 302
    assert Photo.objects.get().size == uploads.LIMIT
