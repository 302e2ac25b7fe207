"""Demo step: seed-000's 集结号. 河源市直机关工委 calls the city agencies' party members and
cadres to the epidemic response in 源城区.

`seed`: 101 agencies (each with its party branch), 10,240 sign-ups, screened by age,
health declaration and fitness, and 3,321 deployed to the 36 communities and villages
by the proposal (residence first), with the places shared out by the communities'
dwellings. `small` (default): 12 agencies, 180 sign-ups, 48 deployed to the six
communities of 源西街道, and a second call-up still open for sign-ups. In both, a third
of the members who live in the district are people of the registry (linked to them), the
community offices have map positions, each agency covers a community (包保), and
新港路社区 has an assault team. Deterministic for a seed and `now`.

The dates count from the demo's today (`ctx.today`, day 0): the call-up was issued on
day -20, the day after the response began; its sign-ups closed on day -18 at 18:00 and
were screened and deployed that evening, to serve from day -17 for 50 days, so that
they are on duty (在岗) today. The second call-up, issued yesterday, takes sign-ups
until day 14.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.models import User
from jijie.accounts.services import do_role_assign
from jijie.areas.models import Area, AreaKind
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.core.demo import DemoAccount, DemoContext
from jijie.core.models import birth_date_of, stored, stored_birth_date
from jijie.mobilization import proposal, services
from jijie.mobilization.models import (
    AreaLocation,
    Availability,
    CallUp,
    Deployment,
    Fitness,
    Member,
    MemberKind,
    Organisation,
    Proposal,
    SignUp,
    Skill,
    skills_text,
)
from jijie.residents.demo import _name
from jijie.residents.models import Person
from jijie.responses.demo import DAYS_AGO as RESPONSE_DAYS_AGO
from jijie.responses.demo import NAME as RESPONSE
from jijie.responses.models import Response

ORDER = 50
COMMITTEE = "河源市直机关工委"
CALL_UP = "疫情防控集结号:党员干部下沉社区"
SECOND_CALL_UP = "第二批集结号:卡口值守志愿者"
SEED_SIGN_UPS = 10_240
SEED_DEPLOYED = 3_321
SEED_UNITS = 101
# Days from the demo's today (see the module docstring), all within the response: the
# call-up was issued the day after the response began.
ISSUED_ON = 1 - RESPONSE_DAYS_AGO
DEADLINE_ON = -18
SERVES_FROM = -17
SERVES_DAYS = 50
SECOND_ISSUED_ON = -1
SECOND_DEADLINE_ON = 14
DEMO_PASSWORD = "jijie-demo-2026"  # noqa: S105 - the demo's printed password, as in accounts
AGENCY_NAMES = [
    "市委办公室", "市政府办公室", "市纪委监委", "市委组织部", "市委宣传部", "市委统战部",
    "市委政法委", "市发展和改革局", "市教育局", "市科学技术局", "市工业和信息化局",
    "市公安局", "市民政局", "市司法局", "市财政局", "市人力资源和社会保障局",
    "市自然资源局", "市生态环境局", "市住房和城乡建设局", "市交通运输局", "市水务局",
    "市农业农村局", "市商务局", "市文化广电旅游体育局", "市卫生健康局", "市退役军人事务局",
    "市应急管理局", "市审计局", "市市场监督管理局", "市统计局", "市医疗保障局",
    "市信访局", "市城市管理和综合执法局", "市林业局", "市政务服务数据管理局", "市总工会",
    "团市委", "市妇联", "市科协", "市残联", "市工商联", "市档案馆", "市供销社",
    "市税务局", "市气象局", "市烟草专卖局", "市邮政管理局", "市人民法院", "市人民检察院",
]  # fmt: skip
HEYUAN = (23.7437, 114.7003)  # the city centre, for the community offices' positions


@dataclass
class Scale:
    units: int
    sign_ups: int
    deployed: int
    street_only: str | None  # small: the call-up targets one street's communities


SCALES = {
    "small": Scale(units=12, sign_ups=180, deployed=48, street_only="441602004000"),
    "seed": Scale(
        units=SEED_UNITS, sign_ups=SEED_SIGN_UPS, deployed=SEED_DEPLOYED, street_only=None
    ),
}


def _unit_name(index: int) -> str:
    if index < len(AGENCY_NAMES):
        return AGENCY_NAMES[index]
    return f"{AGENCY_NAMES[index % len(AGENCY_NAMES)]}直属{index // len(AGENCY_NAMES)}中心"


def _locate(communities: list[Area], rng: random.Random) -> None:
    """Map positions of the community offices: each street around a point near the
    city centre, its communities within a couple of kilometres of it."""
    streets: dict[str, tuple[float, float]] = {}
    rows = []
    for area in communities:
        street = area.path[: 3 * Area.steplen]
        if street not in streets:
            streets[street] = (
                HEYUAN[0] + rng.uniform(-0.05, 0.05),
                HEYUAN[1] + rng.uniform(-0.05, 0.05),
            )
        lat, lon = streets[street]
        rows.append(
            AreaLocation(
                area=area,
                latitude=Decimal(f"{lat + rng.uniform(-0.015, 0.015):.6f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.015, 0.015):.6f}"),
            )
        )
    AreaLocation.objects.bulk_create(rows, ignore_conflicts=True)


def _years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _shares(total: int, weights: list[int]) -> list[int]:
    """`total` shared out in proportion to `weights`, largest remainders first."""
    raw = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


class MemberMaker:
    """Members for the sign-ups: a third of those living in the district are people of
    the registry (linked, their stored ID and phone copied), the rest made up."""

    def __init__(self, rng: random.Random, communities: list[Area], today: date) -> None:
        self.rng = rng
        self.communities = communities
        self.today = today
        self.used_ids: set[str] = set()
        self.registry: dict[str, list[Person]] = {}
        # people of 22 to 58 today
        born_after, born_before = _years_before(today, 58), _years_before(today, 22)
        for area in communities:
            # The year narrows in SQL, the decrypted day decides.
            people = Person.objects.filter(
                area_path__startswith=area.path,
                document_hash__isnull=False,
                phone_hash__isnull=False,
                birth_year__range=(born_after.year, born_before.year),
            ).order_by("pk")
            pool: list[Person] = []
            for person in people.iterator(chunk_size=500):
                born = birth_date_of(person.birth_date_cipher)
                if born is not None and born_after <= born <= born_before:
                    pool.append(person)
                    if len(pool) == 400:
                        break
            self.registry[area.path] = pool

    def _made_up_id(self, born: date, male: bool) -> str:
        while True:
            seq = self.rng.randrange(0, 999)
            if seq % 2 != int(male):
                seq = (seq + 1) % 1000
            # 441621: 紫金县, so made-up members never collide with the registry's 441602
            body = f"441621{born:%Y%m%d}{seq:03d}"
            number = body + calc_check_digit(body + "0")
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def make(self, organisation: Organisation, *, home: Area | None = None) -> Member:
        """A member of `organisation`; `home` fixes where they live (and makes them up)."""
        rng = self.rng
        residence = home or (rng.choice(self.communities) if rng.random() < 0.9 else None)
        roll = rng.random()
        kind = (
            MemberKind.PARTY_MEMBER
            if roll < 0.62
            else MemberKind.CADRE
            if roll < 0.78
            else MemberKind.CIVIL_SERVANT
            if roll < 0.94
            else MemberKind.PROBATIONARY
            if roll < 0.97
            else MemberKind.NPC_DEPUTY
            if roll < 0.985
            else MemberKind.CPPCC_MEMBER
        )
        member = Member(
            kind=kind,
            organisation=organisation,
            residence=residence,
            residence_path=residence.path if residence else "",
            skills=skills_text(
                [code for code in Skill.values if rng.random() < 0.08]  # a few have skills
            ),
            fitness=Fitness.FIT
            if rng.random() < 0.93
            else rng.choice([Fitness.LIMITED, Fitness.UNFIT]),
            availability=Availability.FULL_TIME
            if rng.random() < 0.7
            else rng.choice(Availability.values),
        )
        pool = self.registry.get(residence.path, []) if residence and not home else []
        if pool and rng.random() < 0.33:
            person = pool.pop(rng.randrange(len(pool)))
            member.person = person
            member.name = person.name
            member.sex = person.sex
            member.birth_year, member.birth_date_cipher = (
                person.birth_year,
                person.birth_date_cipher,
            )
            for field in ("document", "phone"):
                for part in ("cipher", "hash", "masked", "tail"):
                    setattr(member, f"{field}_{part}", getattr(person, f"{field}_{part}"))
            return member
        male = rng.random() < 0.55
        oldest = 58 if home else 64
        born = self.today - timedelta(days=rng.randint(22, oldest) * 365 + rng.randrange(365))
        member.name = _name(rng)
        member.sex = "M" if male else "F"
        member.birth_year, member.birth_date_cipher = stored_birth_date(born)
        number = self._made_up_id(born, male)
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        (
            member.document_cipher,
            member.document_hash,
            member.document_masked,
            member.document_tail,
        ) = stored("id", number)
        member.phone_cipher, member.phone_hash, member.phone_masked, member.phone_tail = stored(
            "phone", phone
        )
        return member


def _account(ctx: DemoContext, username: str, full_name: str, label: str, scope: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, full_name=full_name)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    ctx.accounts.append(
        DemoAccount(role=label, username=username, password=DEMO_PASSWORD, scope=scope)
    )
    return user


@transaction.atomic
def build(ctx: DemoContext) -> CallUp:
    rng = ctx.rng_for("mobilization")
    scale = SCALES[ctx.scale]
    city = Area.objects.get(code="441600")
    district = Area.objects.get(code="441602")
    response = Response.objects.get(area=district, name=RESPONSE)
    communities = list(
        Area.objects.filter(
            path__startswith=district.path, kind__in=(AreaKind.COMMUNITY, AreaKind.VILLAGE)
        ).order_by("path")
    )
    _locate(communities, rng)
    committee = services.do_organisation_create(
        actor=SYSTEM, name=COMMITTEE, kind="working_committee", area=city
    )
    units: list[tuple[Organisation, Organisation]] = []
    for index in range(scale.units):
        unit = services.do_organisation_create(
            actor=SYSTEM, name=_unit_name(index), kind="agency", area=city, parent=committee
        )
        branch = services.do_organisation_create(
            actor=SYSTEM, name=f"{unit.name}机关党支部", kind="branch", area=city, parent=unit
        )
        units.append((unit, branch))
        services.do_pairing_create(
            actor=SYSTEM,
            organisation=unit,
            community=communities[index % len(communities)],
            starts_on=ctx.day(ISSUED_ON),
        )
    targets = [
        c
        for c in communities
        if scale.street_only is None
        or c.path.startswith(Area.objects.get(code=scale.street_only).path)
    ]
    weights = [
        max(
            1,
            sum(
                a.dwelling_count
                for a in Area.objects.filter(path__startswith=c.path, kind=AreaKind.BUILDING)
            ),
        )
        for c in targets
    ]
    places = _shares(scale.deployed, weights)
    call_up = services.do_call_up_issue(
        actor=SYSTEM,
        response=response,
        organisation=committee,
        title=CALL_UP,
        quota=scale.deployed,
        # The service takes deadlines ahead of the present only; the past one is set below.
        deadline=ctx.now + timedelta(days=1),
        targets=[services.Target(c, n) for c, n in zip(targets, places, strict=True)],
        conditions="18 至 60 岁,身体健康,服从安排;全面取消周末和节假日。",
    )
    # The demo member signs up first, lives in 新港路社区 and is sent there.
    xingang = Area.objects.get(code="441602004001")
    demo_member = User.objects.filter(username="member_demo", member__isnull=True).first()
    maker = MemberMaker(rng, communities, ctx.today)
    members: list[Member] = []
    member_units: list[Organisation] = []
    for n in range(scale.sign_ups):
        # every unit has sign-ups; the rest come from units at random
        unit, branch = units[n % len(units)] if n < len(units) else rng.choice(units)
        organisation = branch if rng.random() < 0.8 else unit
        if n == 0:
            member = maker.make(organisation, home=xingang)
            member.fitness = Fitness.FIT
            member.user = demo_member
        else:
            member = maker.make(organisation)
        members.append(member)
        member_units.append(unit)
    Member.objects.bulk_create(members, batch_size=5000)
    SignUp.objects.bulk_create(
        (
            SignUp(
                call_up=call_up,
                member=member,
                unit=unit,
                health_declared=n == 0 or rng.random() < 0.97,
                availability=member.availability,
            )
            for n, (member, unit) in enumerate(zip(members, member_units, strict=True))
        ),
        batch_size=5000,
    )
    # Each branch's first member is its secretary.
    secretaries: dict[int, Member] = {}
    for member in members:
        if member.organisation is not None and member.organisation.depth == 3:
            secretaries.setdefault(member.organisation.pk, member)
    for member in secretaries.values():
        assert member.organisation is not None
        services.do_organisation_leader_add(
            actor=SYSTEM, organisation=member.organisation, member=member, title="书记"
        )
    services.do_screening_apply(
        actor=SYSTEM,
        call_up=call_up,
        rules=services.ScreeningRules(min_age=18, max_age=60),
        today=ctx.day(DEADLINE_ON),
    )
    starts_on = ctx.day(SERVES_FROM)
    made = proposal.do_proposal_make(
        actor=SYSTEM,
        call_up=call_up,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=SERVES_DAYS - 1),
    )
    proposal.do_proposal_accept(actor=SYSTEM, proposal=made)
    services.do_call_up_close(actor=SYSTEM, call_up=call_up)
    _backdate(ctx, call_up)
    _after(ctx, committee, units, response, xingang, members)
    return call_up


def _backdate(ctx: DemoContext, call_up: CallUp) -> None:
    """The services stamp what they write with the present; the first call-up happened
    weeks before it: issued, signed up to before its deadline, screened and deployed
    that evening."""
    deadline = ctx.at(DEADLINE_ON, 18)
    CallUp.objects.filter(pk=call_up.pk).update(created_at=ctx.at(ISSUED_ON, 10), deadline=deadline)
    signed_up, screened, sent = (
        ctx.at(ISSUED_ON, 16),
        ctx.at(DEADLINE_ON, 20),
        ctx.at(DEADLINE_ON, 21),
    )
    sign_ups = SignUp.objects.filter(call_up=call_up)
    sign_ups.filter(screened_at__isnull=True).update(created_at=signed_up, updated_at=signed_up)
    sign_ups.filter(screened_at__isnull=False).update(
        created_at=signed_up, screened_at=screened, updated_at=sent
    )
    Proposal.objects.filter(call_up=call_up).update(created_at=sent)
    Deployment.objects.filter(sign_up__call_up=call_up).update(created_at=sent)


def _after(
    ctx: DemoContext,
    committee: Organisation,
    units: list[tuple[Organisation, Organisation]],
    response: Response,
    xingang: Area,
    members: list[Member],
) -> None:
    """The accounts of the committee and of one unit's admin, an assault team in
    新港路社区, and (small) a second call-up open for sign-ups."""
    chair = _account(
        ctx, "committee_city", "市直机关工委", str(Role.WORKING_COMMITTEE.label), "河源市"
    )
    do_role_assign(actor=SYSTEM, user=chair, role=Role.WORKING_COMMITTEE, area=committee.area)
    admin = _account(ctx, "unit_admin", f"{units[0][0].name}管理员", "单位管理员", units[0][0].name)
    services.do_organisation_admin_grant(actor=SYSTEM, user=admin, organisation=units[0][0])
    living_here = [m for m in members if m.residence_path == xingang.path][:6]
    if living_here:
        services.do_team_create(
            actor=SYSTEM,
            name="新港路社区党员突击队",
            kind="assault",
            leader=living_here[0],
            members=living_here[1:],
            community=xingang,
        )
    if ctx.scale == "small":
        second = services.do_call_up_issue(
            actor=SYSTEM,
            response=response,
            organisation=committee,
            title=SECOND_CALL_UP,
            quota=20,
            deadline=ctx.at(SECOND_DEADLINE_ON, 18),
            targets=[services.Target(xingang, 20)],
            conditions="卡口值守,每班 4 小时。",
        )
        CallUp.objects.filter(pk=second.pk).update(created_at=ctx.at(SECOND_ISSUED_ON, 10))


def populate(ctx: DemoContext) -> None:
    if Organisation.objects.filter(name=COMMITTEE, depth=1).exists():
        ctx.out("  the call-up is already loaded")
        return
    started = datetime.now()
    call_up = build(ctx)
    deployed = call_up.sign_ups.filter(status="deployed").count()
    ctx.out(
        f"  {call_up.sign_ups.count()} sign-ups from "
        f"{call_up.sign_ups.values('unit').distinct().count()} units, {deployed} deployed to "
        f"{call_up.targets.count()} communities ({(datetime.now() - started).seconds} s)"
    )
