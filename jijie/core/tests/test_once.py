"""Stored once by the client's id, however often and however close together it is
sent."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from jijie.core import once
from tests.concurrency import race


def _find(name):
    return lambda: Group.objects.filter(name=name).first()


@pytest.mark.django_db
def test_a_record_sent_again_is_the_one_stored_first():
    first, new = once.save_once(Group(name="ref-1"), "ref-1", _find("ref-1"))
    assert new
    assert once.sent_before("ref-1", _find("ref-1")) == first
    again, new = once.save_once(Group(name="ref-1"), "ref-1", _find("ref-1"))
    assert (again.pk, new) == (first.pk, False)
    assert Group.objects.filter(name="ref-1").count() == 1


@pytest.mark.django_db
def test_without_a_client_id_nothing_is_looked_up():
    assert once.sent_before("", _find("x")) is None
    assert once.client_ref("  ") == ""
    assert once.client_ref(" a" + "b" * 80) == "a" + "b" * 63


@pytest.mark.django_db
def test_a_refusal_for_another_reason_is_raised_and_the_transaction_goes_on():
    Group.objects.create(name="taken")
    with transaction.atomic():
        # the name is taken, but `find` does not know the record: not a replay
        with pytest.raises(IntegrityError):
            once.save_once(Group(name="taken"), "other-ref", lambda: None)
        assert Group.objects.filter(name="taken").count() == 1  # still usable


@pytest.mark.django_db(transaction=True)
def test_sent_twice_at_the_same_moment_it_is_stored_once():
    def send():
        with transaction.atomic():
            return once.save_once(Group(name="at-once"), "at-once", _find("at-once"))

    results, refusals = race(send, send, send)
    assert refusals == []
    assert sorted(new for _, new in results) == [False, False, True]
    assert len({record.pk for record, _ in results}) == 1
    assert Group.objects.filter(name="at-once").count() == 1
