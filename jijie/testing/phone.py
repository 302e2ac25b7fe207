"""What a sampler's phone sends (jijie/core/outbox.py): a person's swab put into a tube
at a site, recorded at the lane with or without a signal and sent with the id the phone
gave it. The sampler page's form posts the same fields when the page runs without its
script."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import outbox
from jijie.testing import selectors, services
from jijie.testing.models import Sample, Site

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User

KIND = "testing.sample"


def site_for(user: User | AnonymousUser, pk: int) -> Site:
    """The site `pk` where `user` may take samples, or Http404."""
    found = Site.objects.select_related("round").filter(pk=pk).first()
    if found is None or not access.may_path(user, Action.TESTING_SAMPLE, found.area_path):
        raise Http404
    return found


def _said(sample: Sample) -> str:
    tube = sample.tube
    said = _("管码 %(code)s 第 %(n)s/%(capacity)s 人") % {
        "code": tube.barcode, "n": tube.size, "capacity": tube.capacity,
    }  # fmt: skip
    return said + (_(",已满封管") if tube.is_sealed else "")


def sample_from_phone(item: outbox.Item) -> outbox.Outcome:
    site = site_for(item.user, item.number("site"))
    try:
        ref = uuid.UUID(item.client_ref)
    except ValueError:
        raise ValidationError(_("记录编号无效,请重新登记。")) from None
    stored = selectors.sample_sent(ref)
    if stored is not None:
        return outbox.already(_("此前已登记:%(what)s。") % {"what": _said(stored)})
    person = services.lane_person(
        actor=item.user,
        site=site,
        presented=services.Presented(
            id_number=item.get("id_number"),
            name=item.get("name"),
            building_code=item.get("building"),
            door=item.get("door"),
            pass_token=item.get("pass_token"),
            member=item.number("member"),
        ),
    )
    done = services.sample_register(
        actor=item.user,
        site=site,
        barcode=item.get("barcode"),
        person=person,
        retest_reason=item.get("retest_reason"),
        taken_at=item.recorded_at(timezone.now()),
        client_ref=ref,
    )
    if not done.created:
        return outbox.already(_("此前已登记:%(what)s。") % {"what": _said(done.sample)})
    return outbox.stored(_("已登记:%(what)s。") % {"what": _said(done.sample)})


SEAL = "testing.seal"


def seal_from_phone(item: outbox.Item) -> outbox.Outcome:
    """A tube closed before it is full (the queue ran out), from the lane's phone: the
    tube is named by its barcode at the site, as scanned."""
    site = site_for(item.user, item.number("site"))
    code = services.barcode_of(item.get("barcode"))
    tube = selectors.site_tube(site, code)
    if tube is None:
        raise ValidationError({"barcode": _("本采样点没有管码 %(code)s。") % {"code": code}})
    if tube.is_sealed:
        return outbox.already(_("管码 %(code)s 此前已封管。") % {"code": code})
    sealed = services.tube_seal(
        actor=item.user,
        tube=tube,
        now=timezone.now(),
    )
    return outbox.stored(_("管码 %(code)s 已封管,共 %(n)s 人。") % {"code": code, "n": sealed.size})
