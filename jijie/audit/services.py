"""The audit chain: append a row (inside the caller's transaction) and verify the chain.

Each row's hash is HMAC-SHA256(AUDIT_KEY, previous hash + canonical JSON of the row), so
the chain cannot be rebuilt after an edit without the key. Appending locks the single
`AuditHead` row, which serialises writers and keeps `seq` free of gaps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from jijie.audit.actors import Audited, account_of
from jijie.audit.models import AuditEvent, AuditHead

if TYPE_CHECKING:
    from jijie.areas.models import Area

GENESIS = "0" * 64


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "area_path": event.area_path,
        "reason": event.reason,
        "ip": event.ip_address,
        "data": event.data,
    }


def compute_hash(event: AuditEvent, prev_hash: str) -> str:
    body = json.dumps(_payload(event), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    message = (prev_hash + body).encode()
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


# No savepoint of its own: it is written inside the service's transaction, whose write
# must fail with it (two round trips a write saved); alone, it is its own transaction.
@transaction.atomic(savepoint=False)
def audit_record(
    *,
    actor: Audited,
    action: str,
    target: Any = None,
    area: Area | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one row to the audit chain; call it inside the service's transaction.

    `actor` is the user who acts, `SYSTEM` (recorded with no account and the label
    "system"), or `NOBODY` (no one signed in: a failed sign-in, the public sign-up
    page; recorded with no account and no label)."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    # Microseconds are kept exactly by both databases; the hash covers them.
    at = timezone.now()
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=at,
        actor=account_of(actor),
        actor_label=actor.get_username(),
        action=action,
        target_type=(target._meta.label_lower if target is not None else ""),
        target_id=(str(target.pk) if target is not None else ""),
        area_path=(area.path if area is not None else ""),
        reason=reason,
        ip_address=client_ip(request),
        data=data or {},
        prev_hash=head.last_hash,
    )
    event.hash = compute_hash(event, head.last_hash)
    event.save()
    AuditHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def verify_chain(*, chunk_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every place where the chain is broken: an edited row (its hash no longer
    matches), a deleted or inserted row (a gap in `seq` or a broken link), or a
    truncated tail (the head remembers more than the table holds)."""
    head = AuditHead.objects.filter(pk=1).first()
    expected_seq = 1
    prev_hash = GENESIS
    rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for event in rows:
        if event.seq != expected_seq:
            yield ChainProblem(expected_seq, f"rows {expected_seq}..{event.seq - 1} are missing")
        if event.prev_hash != prev_hash:
            yield ChainProblem(event.seq, "link to the previous row is broken")
        if compute_hash(event, event.prev_hash) != event.hash:
            yield ChainProblem(event.seq, "row content does not match its hash")
        prev_hash = event.hash
        expected_seq = event.seq + 1
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        yield ChainProblem(
            head.last_seq, f"chain ends at {last_seq} but the head records {head.last_seq}"
        )
    if head is None and last_seq:
        yield ChainProblem(last_seq, "the chain head is missing")
