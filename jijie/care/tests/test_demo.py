"""The demo city's care step: open cases with follow-ups, errands and alerts in 新港路社区."""

from io import StringIO

import pytest
from django.core.management import call_command

from jijie.care.models import (
    Alert,
    AlertKind,
    CarePlan,
    CareVisit,
    Errand,
    ErrandState,
    FollowUp,
    IsolationCase,
)
from jijie.residents.models import Household

pytestmark = pytest.mark.django_db


def test_demo_cases_and_errands():
    call_command("demo_city", stdout=StringIO())
    cases = IsolationCase.objects.filter(community_path__isnull=False)
    assert cases.count() == 3
    assert all(c.area_path.startswith(c.community_path) for c in cases)
    assert Household.objects.filter(is_home_isolation=True).count() == 3
    assert FollowUp.objects.exists()
    assert Alert.objects.filter(kind=AlertKind.FEVER).count() <= 1
    assert Errand.objects.filter(state=ErrandState.CONFIRMED).count() == 1
    plans = CarePlan.objects.all()
    assert plans.count() == 2
    assert CareVisit.objects.count() == 1
    assert all(p.household.is_hardship for p in plans)
    # loading again changes nothing
    call_command("demo_city", stdout=StringIO())
    assert IsolationCase.objects.count() == 3
    assert CarePlan.objects.count() == 2
