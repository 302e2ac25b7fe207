"""Writes of testing rounds: a round opened over an area, its sites and exemptions, a
person's sample registered into a tube at a site, a tube sealed, and a tube's result.

Each comes in two steps (docs/architecture.md): a checked entry takes a user and checks
access once; its `do_` write takes whoever acts and writes in one transaction with its
audit row. Registering a sample locks its tube's row: two samplers at one tube never
put an eleventh person in it, and a registration sent again (an offline phone's retry,
by its client id) is stored once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import KIND_DEPTH, Area, AreaKind, community_path_of
from jijie.audit.actors import Actor, account_of
from jijie.audit.services import audit_record
from jijie.care import services as care
from jijie.care.models import CaseKind, CaseStatus, IsolationCase
from jijie.core import identity, pii, text
from jijie.duty.models import Demand, DemandStatus
from jijie.mobilization.models import Member
from jijie.residents import services as residents
from jijie.residents.models import Household, Person, Relation, ResidentType
from jijie.responses.models import Response
from jijie.testing import counters, selectors, slots
from jijie.testing.models import (
    MAX_TUBE_SIZE,
    Appointment,
    Batch,
    Exemption,
    ExemptReason,
    LabResult,
    Round,
    Sample,
    Site,
    Tube,
    TubeResult,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User

# A tube's barcode as the labs print it: letters, digits and hyphens.
BARCODE = re.compile(r"[A-Z0-9][A-Z0-9-]{4,30}[A-Z0-9]")
MAX_ROUND_DAYS = 14
# How far ahead of the server's clock a phone's own time may be and still be believed.
CLOCK_SKEW = timedelta(minutes=5)


def barcode_of(value: str) -> str:
    """A scanned or typed tube barcode, cleaned and upper-cased, or ValidationError."""
    raw = value or ""
    if BARCODE.fullmatch(raw):
        return raw  # already clean: upper-case ASCII without spaces
    # Printable ASCII holds no control or direction character: a lab's file of 65,000
    # rows skips the character-by-character check (and its translated label).
    if not (raw.isascii() and raw.isprintable()):
        error = text.refusal(raw, field=str(_("管码")))
        if error is not None:
            raise ValidationError({"barcode": error})
    cleaned = text.tidy(raw).replace(" ", "").upper()
    if not BARCODE.fullmatch(cleaned):
        raise ValidationError(
            {"barcode": _("管码“%(code)s”不是有效的条码(6–32 位字母、数字或连字符)。")
             % {"code": text.visible(cleaned)[:40]}}
        )  # fmt: skip
    return cleaned


def _audit(actor: Actor, action: str, target: object, area_path: str, **data: object) -> None:
    audit_record(actor=actor, action=action, target=target, area=Area(path=area_path), data=data)


# Rounds, sites, exemptions --------------------------------------------------------------


@dataclass(frozen=True)
class RoundData:
    name: str
    starts_on: date
    ends_on: date
    tube_size: int = 10


def round_open(*, actor: User, response: Response, area: Area, data: RoundData) -> Round:
    """`do_round_open` by someone who manages testing over `area`."""
    access.require(actor, Action.TESTING_MANAGE, area)
    return do_round_open(actor=actor, response=response, area=area, data=data)


@transaction.atomic
def do_round_open(*, actor: Actor, response: Response, area: Area, data: RoundData) -> Round:
    name = text.bounded(data.name, field="name", label=_("名称"), limit=60, required=True)
    if not area.path.startswith(response.area_path):
        raise ValidationError({"area": _("检测范围须在本次响应的区域内。")})
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if (data.ends_on - data.starts_on).days >= MAX_ROUND_DAYS:
        raise ValidationError({"ends_on": _("一轮检测最长 %(n)s 天。") % {"n": MAX_ROUND_DAYS}})
    if not 1 <= data.tube_size <= MAX_TUBE_SIZE:
        raise ValidationError(
            {"tube_size": _("每管人数须在 1 到 %(n)s 之间。") % {"n": MAX_TUBE_SIZE}}
        )
    found = Round.objects.create(
        response=response,
        area=area,
        area_path=area.path,
        name=name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        tube_size=data.tube_size,
        created_by=account_of(actor),
    )
    _audit(actor, "testing.round_open", found, area.path, tube_size=data.tube_size)
    return found


@dataclass(frozen=True)
class SiteData:
    name: str
    place: str
    lanes: int
    opens_at: time
    closes_at: time
    # Posts of the duty roster in the site's community: its staff, its carriers.
    post: Demand | None = None
    transport: Demand | None = None


def site_add(*, actor: User, round: Round, area: Area, data: SiteData) -> Site:
    """`do_site_add` by someone who manages testing over the site's area."""
    access.require(actor, Action.TESTING_MANAGE, area)
    return do_site_add(actor=actor, round=round, area=area, data=data)


@transaction.atomic
def do_site_add(*, actor: Actor, round: Round, area: Area, data: SiteData) -> Site:
    name = text.bounded(data.name, field="name", label=_("名称"), limit=60, required=True)
    place = text.bounded(data.place, field="place", label=_("地点"), limit=100)
    if not area.path.startswith(round.area_path):
        raise ValidationError({"area": _("采样点须在本轮检测范围内。")})
    if data.lanes < 1:
        raise ValidationError({"lanes": _("至少一个通道。")})
    if data.closes_at <= data.opens_at:
        raise ValidationError({"closes_at": _("结束时间须晚于开放时间。")})
    if Site.objects.filter(round=round, name=name).exists():
        raise ValidationError({"name": _("本轮已有名为“%(name)s”的采样点。") % {"name": name}})
    for field, demand in (("post", data.post), ("transport", data.transport)):
        if demand is None:
            continue
        if demand.community_path != community_path_of(area.path):
            raise ValidationError({field: _("请选择采样点所在社区的岗位。")})
        if demand.status != DemandStatus.OPEN:
            raise ValidationError({field: _("这个岗位已结束。")})
    site = Site.objects.create(
        post=data.post,
        transport=data.transport,
        round=round,
        area=area,
        area_path=area.path,
        name=name,
        place=place,
        lanes=data.lanes,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
    )
    _audit(actor, "testing.site_add", site, area.path)
    return site


def exemption_set(
    *, actor: User, round: Round, person: Person, reason: str, note: str = ""
) -> Exemption:
    """`do_exemption_set` by someone who manages testing where the person lives."""
    access.require_path(actor, Action.TESTING_MANAGE, person.area_path)
    return do_exemption_set(actor=actor, round=round, person=person, reason=reason, note=note)


@transaction.atomic
def do_exemption_set(
    *, actor: Actor, round: Round, person: Person, reason: str, note: str = ""
) -> Exemption:
    """Record why someone in the round's scope is not to come to a site (replacing an
    earlier reason)."""
    if reason not in ExemptReason.values:
        raise ValidationError({"reason": _("“%(value)s”不是可选的值。") % {"value": reason}})
    cleaned = text.bounded(note, field="note", label=_("说明"), limit=200)
    if reason == ExemptReason.OTHER and not cleaned:
        raise ValidationError({"note": _("请说明免检原因。")})
    if not person.area_path.startswith(round.area_path):
        raise ValidationError({"person": _("此人不在本轮检测范围内。")})
    counters.lock_person(person)
    sampled = Sample.objects.filter(round=round, person=person).exists()
    before = Exemption.objects.filter(round=round, person=person).first()
    if before is not None and before.is_excused and not sampled:
        counters.add(round, before.area_path, excused=-1)
    exemption, _created = Exemption.objects.update_or_create(
        round=round,
        person=person,
        defaults={
            "area_path": person.area_path,
            "reason": reason,
            "note": cleaned,
            "created_by": account_of(actor),
        },
    )
    if exemption.is_excused and not sampled:
        counters.add(round, exemption.area_path, excused=1)
    _audit(actor, "testing.exemption_set", exemption, person.area_path, reason=reason)
    return exemption


# Appointment windows --------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A site's day planned: its buildings' windows, the buildings the day could not
    take (in walking order), and those another site of the round calls that day."""

    appointments: list[Appointment]
    left: list[Area]
    elsewhere: list[Area]
    per_slot: int


def appointments_plan(*, actor: User, site: Site, day: date) -> Planned:
    """`do_appointments_plan` by someone who manages testing where the site is."""
    access.require_path(actor, Action.TESTING_MANAGE, site.area_path)
    return do_appointments_plan(actor=actor, site=site, day=day)


@transaction.atomic
def do_appointments_plan(*, actor: Actor, site: Site, day: date) -> Planned:
    """Call the buildings under the site's area to it on `day`, each in a window its
    people still to come fill at the site's pace (`slots.plan`; settings
    `TESTING_LANE_PER_HOUR`, `TESTING_SLOT_MINUTES`), replacing the day's earlier plan.
    A building another site calls that day is left to it."""
    round = site.round
    if not round.starts_on <= day <= round.ends_on:
        raise ValidationError(
            {"day": _("本轮检测在 %(start)s 至 %(end)s。")
             % {"start": round.starts_on, "end": round.ends_on}}
        )  # fmt: skip
    Site.objects.select_for_update().filter(pk=site.pk).get()  # one plan at a time
    buildings = list(
        Area.objects.filter(path__startswith=site.area_path, kind=AreaKind.BUILDING).order_by(
            "path"
        )
    )
    taken = set(
        Appointment.objects.filter(round=round, day=day)
        .exclude(site=site)
        .values_list("building_id", flat=True)
    )
    covered = selectors.coverage(round, depth=KIND_DEPTH[AreaKind.BUILDING], within=site.area_path)
    to_come = [
        (b.pk, covered[b.path].untested if b.path in covered else 0)
        for b in buildings
        if b.pk not in taken
    ]
    made = slots.plan(
        to_come,
        opens=timezone.make_aware(datetime.combine(day, site.opens_at)),
        closes=timezone.make_aware(datetime.combine(day, site.closes_at)),
        lanes=site.lanes,
        per_lane_hour=settings.TESTING_LANE_PER_HOUR,
        slot_minutes=settings.TESTING_SLOT_MINUTES,
    )
    by_id = {b.pk: b for b in buildings}
    Appointment.objects.filter(site=site, day=day).delete()
    appointments = Appointment.objects.bulk_create(
        Appointment(
            round=round,
            site=site,
            building=by_id[w.building],
            area_path=by_id[w.building].path,
            day=day,
            starts_at=w.starts_at,
            ends_at=w.ends_at,
            people=w.people,
        )
        for w in made.windows
    )
    _audit(
        actor, "testing.appointments_plan", site, site.area_path,
        day=day.isoformat(), windows=len(appointments), left=len(made.left),
    )  # fmt: skip
    return Planned(
        appointments=appointments,
        left=[by_id[b] for b in made.left],
        elsewhere=[b for b in buildings if b.pk in taken],
        per_slot=made.per_slot,
    )


# Sampling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Presented:
    """Who stands at the lane: the ID number on their card, read or typed; and, for
    someone the registry does not hold (a walk-in), their name and the building and
    door where they stay in the site's community."""

    id_number: str
    name: str = ""
    building_code: str = ""
    door: str = ""
    # Or their household's pass scanned, and which of its people they are (picked).
    pass_token: str = ""
    member: int = 0


def lane_person(*, actor: User, site: Site, presented: Presented) -> Person:
    """`do_lane_person` by someone who samples at the site's area."""
    access.require_path(actor, Action.TESTING_SAMPLE, site.area_path)
    return do_lane_person(actor=actor, site=site, presented=presented)


@transaction.atomic
def do_lane_person(*, actor: Actor, site: Site, presented: Presented) -> Person:
    """The registry's person with the ID number presented, wherever they live (they
    stand at the lane with their card); or a walk-in, added to the registry at the door
    they give in the site's community. Nothing is registered for a number the registry
    holds, whatever name is given with it. Or, with the household's pass shown, the
    person picked from its people."""
    if presented.pass_token.strip():
        return _pass_member(site, presented)
    if not presented.id_number.strip():
        raise ValidationError({"id_number": _("请扫描或填写身份证号。")})
    try:
        number = identity.check_resident_id(presented.id_number, today=timezone.localdate()).value
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    found = selectors.person_by_id_number(number)
    if found is not None:
        return found
    if not presented.name.strip() or not presented.building_code or not presented.door.strip():
        raise ValidationError(
            {"id_number": ValidationError(
                _("登记库中没有身份证号 %(id)s:请核对号码;外来人员请填写姓名、楼栋和门牌,当场登记。")
                % {"id": pii.mask("id", number)}, code="unknown")}
        )  # fmt: skip
    community = community_path_of(site.area_path)
    building = Area.objects.filter(
        code=presented.building_code, kind=AreaKind.BUILDING, path__startswith=community
    ).first()
    if building is None:
        raise ValidationError({"building": _("请从采样点所在社区的楼栋中选择。")})
    door = text.bounded(presented.door, field="door", label=_("门牌号"), limit=32, required=True)
    household = Household.objects.filter(building=building, door_number=door).first()
    if household is None:
        household = residents.do_household_register(
            actor=actor, building=building, door_number=door
        )
    return residents.do_person_add(
        actor=actor,
        household=household,
        data=residents.PersonData(
            name=presented.name,
            document_number=number,
            relation=Relation.OTHER,
            resident_type=ResidentType.FLOATING,
            note=_("核酸采样时当场登记"),
        ),
    ).person


def _pass_member(site: Site, presented: Presented) -> Person:
    household = selectors.pass_household(site, presented.pass_token.strip())
    if household is None:
        raise ValidationError(
            {"pass_token": _("通行证二维码无效、已作废或不属于本轮检测范围:请用身份证号登记。")}
        )
    if not presented.member:
        raise ValidationError({"member": _("请选择本户中来采样的人。")})
    person = Person.objects.filter(pk=presented.member, household=household).first()
    if person is None:
        raise ValidationError({"member": _("所选的人不在出示通行证的这一户。")})
    return person


@dataclass(frozen=True)
class Registered:
    """A registration's outcome: the sample, and whether this call stored it (False for
    a retry of one already stored, by its client id)."""

    sample: Sample
    created: bool

    @property
    def tube(self) -> Tube:
        return self.sample.tube


def sample_register(
    *,
    actor: User,
    site: Site,
    barcode: str,
    person: Person,
    retest_reason: str = "",
    taken_at: datetime | None = None,
    client_ref: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Registered:
    """`do_sample_register` by someone who samples at the site's area."""
    access.require_path(actor, Action.TESTING_SAMPLE, site.area_path)
    return do_sample_register(
        actor=actor,
        site=site,
        barcode=barcode,
        person=person,
        retest_reason=retest_reason,
        taken_at=taken_at,
        client_ref=client_ref,
        now=now,
    )


def do_sample_register(
    *,
    actor: Actor,
    site: Site,
    barcode: str,
    person: Person,
    retest_reason: str = "",
    taken_at: datetime | None = None,
    client_ref: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Registered:
    """Put `person`'s swab into the tube `barcode` at `site`, opening the tube with its
    first sample and sealing it when it is full. `taken_at` is when the phone took it
    (an offline registration arrives later); the same `client_ref` sent again returns
    the sample already stored."""
    now = now or timezone.now()
    if client_ref is not None:
        stored = Sample.objects.filter(client_ref=client_ref).select_related("tube").first()
        if stored is not None:
            return Registered(stored, created=False)
    with transaction.atomic():
        return _register(
            actor, site, barcode_of(barcode), person, retest_reason, taken_at, client_ref, now
        )


def _register(
    actor: Actor,
    site: Site,
    barcode: str,
    person: Person,
    retest_reason: str,
    taken_at: datetime | None,
    client_ref: uuid.UUID | None,
    now: datetime,
) -> Registered:
    round = site.round
    taken_at = taken_at or now
    if taken_at > now + CLOCK_SKEW:
        raise ValidationError({"taken_at": _("采样时间晚于现在。")})
    day = timezone.localdate(taken_at)
    if not round.starts_on <= day <= round.ends_on:
        raise ValidationError(
            {"taken_at": _("本轮检测在 %(from)s 至 %(to)s。")
             % {"from": round.starts_on.isoformat(), "to": round.ends_on.isoformat()}}
        )  # fmt: skip
    reason = text.bounded(retest_reason, field="retest_reason", label=_("复采原因"), limit=100)
    tube = _tube(round, site, barcode, now)
    if client_ref is not None:
        # The same registration sent again at once waited for this tube: it stands.
        stored = Sample.objects.filter(client_ref=client_ref).select_related("tube").first()
        if stored is not None:
            return Registered(stored, created=False)
    if tube.site_id != site.pk:
        raise ValidationError(
            {
                "barcode": _("管码 %(code)s 已在%(site)s使用。")
                % {"code": barcode, "site": tube.site}
            }
        )
    if tube.is_sealed:
        raise ValidationError({"barcode": _("管码 %(code)s 已封管,请换新管。") % {"code": barcode}})
    if tube.size >= tube.capacity:
        raise ValidationError(
            {"barcode": _("管码 %(code)s 已满 %(n)s 人,请换新管。")
             % {"code": barcode, "n": tube.capacity}}
        )  # fmt: skip
    if Sample.objects.filter(tube=tube, person=person).exists():
        raise ValidationError({"person": _("%(name)s 已在这一管中。") % {"name": person.name}})
    # Two sites registering one person at once: the second waits, then sees the first.
    counters.lock_person(person)
    earlier = (
        Sample.objects.filter(round=round, person=person).select_related("tube").order_by("pk")
    ).last()
    if earlier is not None and not reason:
        said = _("%(name)s 本轮已于 %(when)s 采样(管码 %(code)s)。如需复采,请填写复采原因。") % {
            "name": person.name,
            "when": timezone.localtime(earlier.taken_at).strftime("%m-%d %H:%M"),
            "code": earlier.tube.barcode,
        }
        raise ValidationError({"retest_reason": ValidationError(said, code="retest")})
    sample = Sample.objects.create(
        round=round,
        tube=tube,
        person=person,
        area_path=person.area_path,
        taken_at=taken_at,
        retest_reason=reason,
        client_ref=client_ref,
        taken_by=account_of(actor),
        taken_by_label=actor.get_username(),
    )
    if earlier is None:
        counters.first_sample(round, person, sample.area_path)
    tube.size += 1
    fields = ["size"]
    if tube.size == tube.capacity:
        tube.sealed_at = now
        fields.append("sealed_at")
    tube.save(update_fields=fields)
    sample.tube = tube
    _audit(actor, "testing.sample_register", tube, site.area_path, retest=bool(reason))
    return Registered(sample, created=True)


def _tube(round: Round, site: Site, barcode: str, now: datetime) -> Tube:
    """The round's tube `barcode`, locked; opened at `site` by its first sample."""
    Tube.objects.get_or_create(
        round=round,
        barcode=barcode,
        defaults={
            "site": site,
            "area_path": site.area_path,
            "capacity": round.tube_size,
            "opened_at": now,
        },
    )
    # Its own row alone: the site joined is not locked, so the lanes of a site do not
    # wait for each other.
    return (
        Tube.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(round=round, barcode=barcode)
    )


def tube_seal(*, actor: User, tube: Tube, now: datetime | None = None) -> Tube:
    """`do_tube_seal` by someone who samples at the tube's site."""
    access.require_path(actor, Action.TESTING_SAMPLE, tube.area_path)
    return do_tube_seal(actor=actor, tube=tube, now=now)


@transaction.atomic
def do_tube_seal(*, actor: Actor, tube: Tube, now: datetime | None = None) -> Tube:
    """Close a tube before it is full (the queue ran out): nothing more goes into it."""
    now = now or timezone.now()
    current = Tube.objects.select_for_update().get(pk=tube.pk)
    if current.is_sealed:
        return current
    if current.size == 0:
        raise ValidationError({"barcode": _("空管不能封管。")})
    current.sealed_at = now
    current.save(update_fields=["sealed_at"])
    _audit(actor, "testing.tube_seal", current, current.area_path, size=current.size)
    return current


# Batches to the lab -----------------------------------------------------------------------


def batch_send(
    *,
    actor: User,
    site: Site,
    barcodes: list[str],
    carrier: str = "",
    member: Member | None = None,
    now: datetime | None = None,
) -> Batch:
    """`do_batch_send` by someone who samples at the site's area."""
    access.require_path(actor, Action.TESTING_SAMPLE, site.area_path)
    return do_batch_send(
        actor=actor, site=site, barcodes=barcodes, carrier=carrier, member=member, now=now
    )


@transaction.atomic
def do_batch_send(
    *,
    actor: Actor,
    site: Site,
    barcodes: list[str],
    carrier: str = "",
    member: Member | None = None,
    now: datetime | None = None,
) -> Batch:
    """Hand sealed tubes of the site to whoever carries them to the lab: all of them in
    one batch, or none (a tube not sealed, of another site, or already sent). The
    carrier is a `member` on shift now at the site's carrying post, or, where nobody is,
    a name written down."""
    now = now or timezone.now()
    if member is not None:
        if member.pk not in {held.member_id for held in selectors.carriers_on_shift(site, now)}:
            raise ValidationError(
                {"member": _("%(name)s 此刻不在本采样点的转运岗上。") % {"name": member.name}}
            )
        who = member.name
    else:
        who = text.bounded(carrier, field="carrier", label=_("转运人"), limit=50, required=True)
    codes = sorted({barcode_of(code) for code in barcodes})
    if not codes:
        raise ValidationError({"tubes": _("请选择要送检的采样管。")})
    tubes = {
        t.barcode: t
        for t in Tube.objects.select_for_update().filter(round_id=site.round_id, barcode__in=codes)
    }
    problems = []
    for code in codes:
        tube = tubes.get(code)
        if tube is None or tube.site_id != site.pk:
            problems.append(_("管码 %(code)s 不是本采样点的。") % {"code": code})
        elif not tube.is_sealed:
            problems.append(_("管码 %(code)s 还没有封管。") % {"code": code})
        elif tube.batch_id is not None:
            problems.append(_("管码 %(code)s 已送出。") % {"code": code})
    if problems:
        raise ValidationError({"tubes": problems})
    batch = Batch.objects.create(
        round_id=site.round_id,
        site=site,
        area_path=site.area_path,
        carrier=who,
        carrier_member=member,
        sent_at=now,
        sent_by=account_of(actor),
    )
    Tube.objects.filter(pk__in=[t.pk for t in tubes.values()]).update(batch=batch)
    _audit(actor, "testing.batch_send", batch, site.area_path, tubes=len(codes))
    return batch


def batch_receive(
    *, actor: User, batch: Batch, received_at: datetime, now: datetime | None = None
) -> Batch:
    """`do_batch_receive` by someone who manages testing over the round's area."""
    access.require(actor, Action.TESTING_MANAGE, batch.round.area)
    return do_batch_receive(actor=actor, batch=batch, received_at=received_at, now=now)


@transaction.atomic
def do_batch_receive(
    *, actor: Actor, batch: Batch, received_at: datetime, now: datetime | None = None
) -> Batch:
    """The lab's receipt of a batch, at the time it says. Never before the batch left,
    nor in the future; the same receipt again changes nothing, another is refused."""
    now = now or timezone.now()
    current = Batch.objects.select_for_update().get(pk=batch.pk)
    if received_at > now + CLOCK_SKEW:
        raise ValidationError({"received_at": _("接收时间晚于现在。")})
    if received_at < current.sent_at:
        raise ValidationError(
            {"received_at": _("接收时间早于送出时间(%(sent)s)。")
             % {"sent": timezone.localtime(current.sent_at).strftime("%m-%d %H:%M")}}
        )  # fmt: skip
    if current.received_at is not None:
        if current.received_at == received_at:
            return current
        raise ValidationError({"received_at": _("这一批已于其他时间接收。")})
    current.received_at = received_at
    current.received_by = account_of(actor)
    current.save(update_fields=["received_at", "received_by"])
    _audit(actor, "testing.batch_receive", current, current.area_path)
    return current


# Results --------------------------------------------------------------------------------


def result_record(
    *, actor: User, round: Round, barcode: str, result: str, now: datetime | None = None
) -> Tube:
    """`do_result_record` by someone who manages testing over the round's area."""
    access.require(actor, Action.TESTING_MANAGE, round.area)
    return do_result_record(actor=actor, round=round, barcode=barcode, result=result, now=now)


@transaction.atomic
def do_result_record(
    *, actor: Actor, round: Round, barcode: str, result: str, now: datetime | None = None
) -> Tube:
    """A tube's result from the lab. The same result sent again changes nothing; another
    result for a tube that has one is refused (a correction is the lab's own record)."""
    now = now or timezone.now()
    code = barcode_of(barcode)
    if result not in (TubeResult.NEGATIVE, TubeResult.POSITIVE):
        raise ValidationError({"result": _("“%(value)s”不是可选的值。") % {"value": result}})
    current = (
        Tube.objects.select_for_update(of=("self",))
        .select_related("lab")
        .filter(round=round, barcode=code)
        .first()
    )
    if current is None:
        raise ValidationError({"barcode": _("本轮没有管码 %(code)s。") % {"code": code}})
    if current.result == TubeResult.PENDING:
        try:
            # The tube's lock keeps out another hand; a file imported meanwhile, which
            # appends without it, is found by the ledger's key.
            with transaction.atomic():
                LabResult.objects.create(tube=current, result=result, result_at=now)
        except IntegrityError:
            current.lab = LabResult.objects.get(pk=current.pk)
        else:
            if not current.is_sealed:
                current.sealed_at = now  # a tube sent to the lab was closed when it was sent
                current.save(update_fields=["sealed_at"])
            _audit(actor, "testing.result_record", current, current.area_path, result=result)
            return current
    if current.result != result:
        raise ValidationError(
            {"result": _("管码 %(code)s 已是%(result)s。")
             % {"code": code, "result": current.get_result_display()}}
        )  # fmt: skip
    return current


# A positive tube -------------------------------------------------------------------------


@dataclass(frozen=True)
class Isolated:
    """What `tube_isolate` did: the cases it opened, the people already in an open
    case, and those living outside the actor's care (for their own community)."""

    opened: list[IsolationCase]
    already: list[Person]
    elsewhere: list[Person]


def tube_isolate(
    *,
    actor: User,
    tube: Tube,
    days: int,
    supervisor_user: User | None = None,
    supervisor_member: Member | None = None,
    now: datetime | None = None,
) -> Isolated:
    """`do_tube_isolate` for the people of a positive tube whose homes `actor` manages
    care over; the others are listed, not opened."""
    access.require_path(actor, Action.TESTING_VIEW, tube.area_path)
    mine = [
        p
        for p in selectors.tube_people(tube)
        if access.may_path(actor, Action.CARE_MANAGE, p.area_path)
    ]
    return do_tube_isolate(
        actor=actor,
        tube=tube,
        people=mine,
        days=days,
        supervisor_user=supervisor_user,
        supervisor_member=supervisor_member,
        now=now,
    )


@transaction.atomic
def do_tube_isolate(
    *,
    actor: Actor,
    tube: Tube,
    people: list[Person],
    days: int,
    supervisor_user: User | None = None,
    supervisor_member: Member | None = None,
    now: datetime | None = None,
) -> Isolated:
    """Open a home-isolation case from today for each of `people` of a positive tube
    who is not already in one, its reason naming the tube: all of them or none."""
    now = now or timezone.now()
    current = (
        Tube.objects.select_for_update(of=("self",))
        .select_related("round__response")
        .get(pk=tube.pk)
    )
    if current.result != TubeResult.POSITIVE:
        raise ValidationError({"tube": _("只有阳性管的人员需要转居家隔离。")})
    wanted = {p.pk for p in people}
    everyone = selectors.tube_people(current)
    open_now = set(
        IsolationCase.objects.filter(
            person_id__in=[p.pk for p in everyone], status=CaseStatus.OPEN
        ).values_list("person_id", flat=True)
    )
    opened: list[IsolationCase] = []
    for person in everyone:
        if person.pk not in wanted or person.pk in open_now:
            continue
        opened.append(
            care.do_case_open(
                actor=actor,
                response=current.round.response,
                household=person.household,
                person=person,
                data=care.CaseData(
                    kind=CaseKind.ISOLATION,
                    reason=_("核酸混管阳性(管码 %(code)s)") % {"code": current.barcode},
                    starts_on=timezone.localdate(now),
                    days=days,
                ),
                supervisor_user=supervisor_user,
                supervisor_member=supervisor_member,
            )
        )
    return Isolated(
        opened=opened,
        already=[p for p in everyone if p.pk in open_now],
        elsewhere=[p for p in everyone if p.pk not in wanted and p.pk not in open_now],
    )
