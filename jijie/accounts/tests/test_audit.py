"""The audit chain detects any edited, inserted or deleted row."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jijie.audit.models import AuditEvent, AuditHead
from jijie.audit.services import audit_record, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(actors):
    for i in range(5):
        audit_record(actor=actors.manager, action="test.event", data={"i": i})
    return list(AuditEvent.objects.order_by("seq"))


def _sql(statement, params):
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


def test_intact_chain_verifies(chain):
    assert list(verify_chain()) == []
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_seq_has_no_gaps_and_links(chain):
    seqs = [e.seq for e in AuditEvent.objects.order_by("seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    head = AuditHead.objects.get()
    assert head.last_seq == seqs[-1]


def test_edited_row_is_detected(chain):
    target = chain[-3]
    _sql("UPDATE {table} SET action = %s WHERE seq = %s", ["test.forged", target.seq])
    problems = list(verify_chain())
    assert [(p.seq, p.reason) for p in problems] == [
        (target.seq, "row content does not match its hash")
    ]
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())


def test_edited_data_is_detected(chain):
    _sql("UPDATE {table} SET data = %s WHERE seq = %s", ['{"i": 99}', chain[1].seq])
    assert [p.seq for p in verify_chain()] == [chain[1].seq]


def test_deleted_middle_row_is_detected(chain):
    _sql("DELETE FROM {table} WHERE seq = %s", [chain[2].seq])
    reasons = [p.reason for p in verify_chain()]
    assert any("missing" in r for r in reasons)
    assert any("link" in r for r in reasons)


def test_deleted_last_row_is_detected(chain):
    _sql("DELETE FROM {table} WHERE seq = %s", [chain[-1].seq])
    assert any("head records" in p.reason for p in verify_chain())


def test_rehashing_without_the_key_does_not_help(chain, settings):
    """An attacker who edits a row and recomputes the hash with another key is caught."""
    real_key = settings.AUDIT_KEY
    settings.AUDIT_KEY = "attacker-key"
    from jijie.audit.services import compute_hash

    forged = AuditEvent.objects.get(seq=chain[0].seq)
    forged.action = "test.forged"
    new_hash = compute_hash(forged, forged.prev_hash)
    settings.AUDIT_KEY = real_key
    _sql(
        "UPDATE {table} SET action = %s, hash = %s WHERE seq = %s",
        ["test.forged", new_hash, chain[0].seq],
    )
    assert list(verify_chain())


def test_the_model_refuses_updates_and_deletes(chain):
    event = chain[0]
    event.action = "x"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
