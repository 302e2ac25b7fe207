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
    # the testing demo's positive tube opens cases of its own
    care_cases = IsolationCase.objects.exclude(reason__startswith="核酸混管阳性")
    cases = care_cases.filter(community_path__isnull=False)
    assert cases.count() == 3
    assert all(c.area_path.startswith(c.community_path) for c in cases)
    isolated = set(IsolationCase.objects.values_list("household_id", flat=True))
    assert (
        set(Household.objects.filter(is_home_isolation=True).values_list("pk", flat=True))
        == isolated
    )
    assert FollowUp.objects.exists()
    assert Alert.objects.filter(kind=AlertKind.FEVER).count() <= 1
    assert Errand.objects.filter(state=ErrandState.CONFIRMED).count() == 1
    plans = CarePlan.objects.all()
    assert plans.count() == 2
    assert CareVisit.objects.count() == 1
    assert all(p.household.is_hardship for p in plans)
    # loading again changes nothing
    total = IsolationCase.objects.count()
    call_command("demo_city", stdout=StringIO())
    assert care_cases.count() == 3
    assert IsolationCase.objects.count() == total
    assert CarePlan.objects.count() == 2
