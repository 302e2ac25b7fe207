"""The demo call-up: small by default; the seed shape (every community, 100+ units) with
fewer people, so that the test stays quick (the full seed is `demo_city --scale seed`)."""

from io import StringIO

import pytest
from django.core.management import call_command

from jijie.accounts.models import User
from jijie.core.demo import DemoContext, demo_steps
from jijie.mobilization import demo
from jijie.mobilization.models import (
    CallUp,
    Deployment,
    Member,
    Organisation,
    OrganisationLeader,
    SignUp,
    SignUpStatus,
    Team,
)

pytestmark = pytest.mark.django_db


def test_small_demo():
    out = StringIO()
    call_command("demo_city", stdout=out)
    call_up = CallUp.objects.get(title=demo.CALL_UP)
    assert call_up.sign_ups.count() == 180
    assert call_up.sign_ups.filter(status=SignUpStatus.DEPLOYED).count() == 48
    assert call_up.sign_ups.values("unit").distinct().count() == 12
    member = Member.objects.get(user__username="member_demo")
    deployment = Deployment.objects.get(member=member)
    assert deployment.community.name == "新港路社区"
    assert deployment.residence == deployment.community
    assert Member.objects.filter(person__isnull=False).exists()  # linked to the registry
    assert Team.objects.filter(community__code="441602004001").exists()
    assert OrganisationLeader.objects.filter(title="书记").count() == 12
    assert CallUp.objects.get(title=demo.SECOND_CALL_UP).status == "open"
    assert "committee_city" in out.getvalue()
    assert "unit_admin" in out.getvalue()
    # loading again changes nothing
    call_command("demo_city", stdout=out)
    assert SignUp.objects.count() == 180


def test_seed_shape(monkeypatch):
    # the demo up to this app's step (the apps above it hold shifts of those deployed)
    loaded = DemoContext(scale="small", seed=2020, out=lambda _line: None)
    for order, _label, populate in demo_steps():
        if order <= demo.ORDER:
            populate(loaded)
    Deployment.objects.all().delete()
    SignUp.objects.all().delete()
    # a second committee with the seed's shape: 101 units, every community, fewer people
    Organisation.objects.filter(depth=1).update(name="已有工委")
    monkeypatch.setitem(
        demo.SCALES, "seed", demo.Scale(units=101, sign_ups=1200, deployed=333, street_only=None)
    )
    ctx = DemoContext(scale="seed", seed=1, out=lambda _line: None)
    call_up = demo.build(ctx)
    assert call_up.targets.count() == 36
    assert call_up.sign_ups.values("unit").distinct().count() == 101
    deployed = call_up.sign_ups.filter(status=SignUpStatus.DEPLOYED)
    assert deployed.count() == 333
    assert sum(t.quota for t in call_up.targets.all()) == 333
    assert User.objects.filter(username="committee_city").exists()
