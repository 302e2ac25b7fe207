from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijie.core.queries import unique_or_none


def test_the_row_of_a_unique_key_or_none_without_ordering(db):
    group = Group.objects.create(name="卡口值守")
    with CaptureQueriesContext(connection) as queries:
        assert unique_or_none(Group.objects.filter(pk=group.pk)) == group
        assert unique_or_none(Group.objects.filter(pk=group.pk + 1)) is None
    assert all("ORDER BY" not in q["sql"] for q in queries.captured_queries)
