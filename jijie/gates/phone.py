"""What a guard's phone sends (jijie/core/outbox.py): one passage at a gate, recorded
with or without a signal and sent with the id the phone gave it, which is the scan's
client id. The answer carries the decision (`data`: allowed, and the testing ledger's
standing), which the guard's page shows in large type as soon as it comes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas.access import Action
from jijie.core import outbox
from jijie.gates import selectors, services
from jijie.gates.forms import ScanForm
from jijie.gates.models import Scan

KIND = "gates.scan"


def _said(scan: Scan) -> tuple[str, dict[str, object]]:
    if scan.is_allowed:
        said = _("放行") + (f" · {scan.message}" if scan.proof else "")
    else:
        said = _("禁止通行:%(why)s") % {"why": scan.message}
    return said, {"allowed": scan.is_allowed, "proof": scan.proof, "why": scan.message}


def scan_from_phone(item: outbox.Item) -> outbox.Outcome:
    gate = selectors.gate_for(actor=item.user, pk=item.number("gate"), action=Action.GATE_SCAN)
    response, rule = selectors.rule_in_force(gate)
    form = ScanForm({**item.fields, "client_id": item.client_ref})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    now = timezone.now()
    try:
        done = services.scan_record(
            actor=item.user,
            gate=gate,
            response=response,
            rule=rule,
            data=form.scan_data(device_at=item.recorded_at(now) or now),
        )
    except services.ScanConflictError as error:
        raise ValidationError(str(error)) from None
    said, decision = _said(done.scan)
    if not done.is_new:
        return outbox.already(_("此前已登记:%(what)s") % {"what": said}, data=decision)
    return outbox.stored(said, data=decision)
