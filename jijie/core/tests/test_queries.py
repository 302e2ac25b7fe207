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


def test_a_row_reader_reads_instances_as_the_orm_does(db):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from jijie.core.queries import RowReader, prepared_cursor

    expires = timezone.now().replace(microsecond=123000) + timedelta(days=1)
    Session.objects.create(session_key="k1", session_data="data", expire_date=expires)
    reader = RowReader(Session, ["session_key", "expire_date"])
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT {reader.columns('s')} FROM django_session s WHERE s.session_key = %s",  # noqa: S608
            ["k1"],
        )
        row = cursor.fetchone()
    session = reader.read(row, connection)
    assert session is not None
    # SQLite answers the time as text: the reader converts it as the ORM would.
    assert session.expire_date == Session.objects.get().expire_date == expires
    assert session.pk == "k1"
    assert not session._state.adding
    assert reader.read([None, None], connection) is None  # a LEFT JOIN that found none


def test_a_number_past_every_key_is_not_sent(db):
    from jijie.core.queries import fits_key

    assert fits_key(5, Group, connection)
    assert not fits_key(2**70, Group, connection)
    assert not fits_key(-(2**70), Group, connection)
