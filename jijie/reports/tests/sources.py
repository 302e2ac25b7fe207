"""Random activity of the report's sources other than screening and problems (care, gates,
mobilization and duty, funds, supplies, inspections) around one day's window, made
through the apps' own services on a clock moved to each moment, and the brute-force
count of their indicators from the raw rows, in Python, for the roll-up's tests
(`test_rollup_sources.py`)."""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import partial
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.utils import timezone

from conftest import Tree, make_user
from jijie.accounts.models import User
from jijie.areas.models import Area, AreaKind
from jijie.areas.roles import Role
from jijie.areas.services import do_area_create
from jijie.audit.actors import SYSTEM
from jijie.care import services as care
from jijie.care.models import Alert, AlertKind, Errand, FollowUp, IsolationCase
from jijie.duty import catalogue
from jijie.duty import services as duty
from jijie.duty.models import Participation, ParticipationStatus, PostType, Shift
from jijie.duty.tests.fixtures import with_account
from jijie.funds import services as funds
from jijie.funds.models import Donation, Fund, Holder, Posting, PostingKind
from jijie.gates import services as gates
from jijie.gates.models import Gate, GateRule, Scan
from jijie.inspections import services as inspections
from jijie.inspections.models import ChecklistItem, Order, Visit
from jijie.mobilization import services as mobilization
from jijie.mobilization.models import CallUp, Deployment, Member, SignUp
from jijie.mobilization.tests.fixtures import member, sign_up
from jijie.reports import services
from jijie.reports.models import Report
from jijie.residents.models import Household
from jijie.residents.services import do_household_register
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate
from jijie.supplies import services as supplies
from jijie.supplies.models import Item, Movement, Stock, Store, Threshold

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
UNTIL = datetime(2026, 3, 10, 18, 0, tzinfo=TZ)
SINCE = UNTIL - timedelta(days=1)
# The last run of the roll-up before the cut-off, whose figures the test reads first.
BEFORE_CUT_OFF = UNTIL - timedelta(minutes=5)
# Where the setup happens, and the 2½ days the activity is spread over.
START = SINCE - timedelta(days=5)
FIRST = SINCE - timedelta(hours=12)
LAST = UNTIL + timedelta(hours=18)
FEVER = Decimal("37.3")

CARE = (
    "cases_open",
    "cases_started_today",
    "cases_ended_today",
    "followups_today",
    "followups_missed_today",
    "fever_alerts_today",
    "errands_open",
    "errands_overdue",
    "errands_done_today",
)
GATES = ("passages_today", "refusals_today")
DUTY = (
    "members_deployed",
    "on_shift_today",
    "minutes_served_today",
    "posts_filled_today",
    "posts_open_today",
)
FUNDS = ("donations_today", "donations_total", "spending_today")
# The key supplies the settings name (医用外科口罩, 84消毒液); 医用手套 is not one.
SUPPLIES = ("stock_below", "stock_masks", "stock_disinfectant")
INSPECTIONS = ("orders_open",)
CHECKED = CARE + GATES + DUTY + FUNDS + SUPPLIES + INSPECTIONS

TEMPERATURES = ("36.4", "36.8", "37.0", "37.3", "38.1", None)
NORMAL = ("36.4", "36.8", "37.0")

Action = Callable[[], object]


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def in_window(at: datetime | None) -> bool:
    return at is not None and SINCE <= at < UNTIL


def before_cut_off(at: datetime | None) -> bool:
    return at is not None and at < UNTIL


@dataclass
class Place:
    """A community of the tree with who answers for it there: its secretary (duty,
    care) and the members living in it (双报到), who take its shifts and errands."""

    area: Area
    secretary: User
    residents: list[Member]


class World:
    """A response over the district and the setup of every source, then random activity
    of each, scheduled at its moment and played in time order on the frozen clock
    (`run`): every row is written by the source's own service, as at its moment."""

    def __init__(self, tree: Tree, clock: time_machine.TimeMachineFixture, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tree = tree
        self.clock = clock
        self._queue: list[tuple[datetime, int, Action]] = []
        self._order = itertools.count()
        # Members are numbered for their ID numbers (three digits) and phones.
        self._numbers = itertools.count(1)
        clock.move_to(START, tick=False)
        self.response = do_response_activate(
            actor=SYSTEM, area=tree.district, name="疫情防控", level="2"
        )
        far_grid = Area.objects.get(code="441602001001-01")
        do_area_create(
            actor=SYSTEM,
            parent=far_grid,
            kind=AreaKind.BUILDING,
            code="441602001001-01-001",
            name="1栋",
            dwelling_count=40,
        )
        self.places = [
            self._place(tree.community), self._place(tree.sibling),
            self._place(tree.far_community),
        ]  # fmt: skip
        buildings = Area.objects.filter(
            kind=AreaKind.BUILDING, path__startswith=tree.district.path
        ).order_by("path")
        self.households = [
            do_household_register(actor=SYSTEM, building=b, door_number=f"{n}01")
            for b in buildings
            for n in range(1, 5)
        ]

    # The clock and the schedule ---------------------------------------------------------

    def at(self, moment: datetime, action: Action) -> None:
        heapq.heappush(self._queue, (moment, next(self._order), action))

    def run(self) -> None:
        """Play what is scheduled in time order, the clock at each moment (an action
        may schedule what follows it)."""
        while self._queue:
            moment, _n, action = heapq.heappop(self._queue)
            self.clock.move_to(moment, tick=False)
            action()

    def moment(self, *, first: datetime = FIRST, last: datetime = LAST) -> datetime:
        return first + minutes(self.rng.randint(0, int((last - first).total_seconds() // 60)))

    def late(self) -> datetime:
        """When a late entry is made: after the cut-off."""
        return UNTIL + minutes(self.rng.randint(5, 100))

    def populate(self) -> list[Visit]:
        """Every source set up and its random activity scheduled (`run` plays it).
        Returns the inspection visits held back, to be recorded late."""
        self.gates_setup()
        self.mobilization_setup()
        self.duty_setup()
        self.funds_setup()
        self.supplies_setup()
        self.inspections_setup()
        self.care_activity()
        self.gates_activity(40)
        self.mobilization_activity(24)
        self.duty_activity()
        self.funds_activity(24)
        self.supplies_activity(16)
        return self.inspections_activity()

    def late_entries(self, held_back: list[Visit]) -> None:
        """What comes in after the cut-off with an earlier time of its own: follow-ups
        and scans made without signal, check-outs taken down later, the visits held
        back, gifts and payments of the day entered in the evening; and what is entered
        after it for the next day (a case, a deployment), which the day never counts.
        Scheduled after the cut-off; `run` plays it."""
        self.late_follow_ups(3)
        for _ in range(6):
            made = self.moment(first=SINCE, last=UNTIL - minutes(1))
            self.at(self.late(), partial(self.scan, made))
        # One at the community's gate, so that its correction has something to take in.
        self.at(self.late(), partial(self.scan, UNTIL - minutes(30), at_gate=0))
        self.late_check_outs()
        for visit in held_back:
            made = self.moment(first=SINCE, last=UNTIL - minutes(1))
            self.at(self.late(), partial(self.inspect, visit, made, chain=False))
        for holder in self.holders[:4]:
            self.at(self.late(), partial(self.donate, holder, DAY))
            self.at(self.late(), partial(self.spend, holder, DAY))
        self.at(self.late(), self._next_days_case)
        community = self.places[0].area
        deployment = partial(self.deploy, self.approved(), community, DAY, DAY + timedelta(days=2))
        self.at(self.late(), deployment)

    def _next_days_case(self) -> None:
        busy = set(self.open_cases().values_list("household_id", flat=True))
        free = [h for h in self.households if h.pk not in busy]
        self.open_case(self.rng.choice(free), starts_on=DAY)

    def refresh(self, now: datetime) -> Report:
        return services.report_refresh(response=self.response, day=DAY, now=now).report

    def _place(self, community: Area) -> Place:
        return Place(
            community,
            make_user(f"secretary{community.pk}", Role.COMMUNITY_SECRETARY, community),
            [member(next(self._numbers), residence=community) for _ in range(6)],
        )

    def place_of(self, path: str) -> Place:
        return next(p for p in self.places if path.startswith(p.area.path))

    # Care --------------------------------------------------------------------------------

    def open_case(
        self, household: Household, *, starts_on: date | None = None, days: int = 14
    ) -> IsolationCase:
        today = timezone.localdate()
        return care.do_case_open(
            actor=SYSTEM,
            response=self.response,
            household=household,
            person=None,
            data=care.CaseData(
                kind=self.rng.choice(["isolation", "observation"]),
                reason="密切接触者",
                starts_on=starts_on or today,
                days=days,
                checks_per_day=self.rng.randint(1, 2),
            ),
            supervisor_user=self.place_of(household.area_path).secretary,
        )

    def follow_up(
        self, case: IsolationCase, *, temperature: str | None, at: datetime | None = None
    ) -> FollowUp | None:
        case.refresh_from_db()
        if not case.is_open:
            return None
        return care.do_follow_up_record(
            actor=SYSTEM,
            case=case,
            data=care.FollowUpData(
                contact=self.rng.choice(["visit", "phone"]), temperature=temperature
            ),
            at=at,
        )

    def _case_life(self, household: Household) -> None:
        """A case opened now, followed up, with errands, perhaps ended."""
        opened = timezone.now()
        case = self.open_case(
            household,
            starts_on=timezone.localdate() - timedelta(days=self.rng.randint(0, 4)),
            days=self.rng.randint(2, 14),
        )
        for _ in range(self.rng.randint(1, 6)):
            at = opened + minutes(self.rng.randint(10, 48 * 60))
            temperature = self.rng.choice(TEMPERATURES)
            self.at(at, partial(self.follow_up, case, temperature=temperature))
        for _ in range(self.rng.randint(0, 3)):
            self.at(
                opened + minutes(self.rng.randint(5, 30 * 60)), partial(self._errand, household)
            )
        if self.rng.random() < 0.5:
            ended = opened + minutes(self.rng.randint(60, 40 * 60))
            self.at(ended, partial(care.do_case_end, actor=SYSTEM, case=case, outcome="other"))

    def _errand(self, household: Household) -> None:
        household.refresh_from_db()
        if not household.is_home_isolation:  # its case has ended
            return
        now = timezone.now()
        errand = care.do_errand_create(
            actor=SYSTEM,
            household=household,
            data=care.ErrandData(
                kind=self.rng.choice(["groceries", "medicine", "parcel"]),
                needed="买菜、买药",
                due_by=now + timedelta(hours=self.rng.randint(1, 20)),
            ),
        )
        later = now + minutes(self.rng.randint(20, 24 * 60))
        runner = self.rng.choice(self.place_of(household.area_path).residents)
        fate = self.rng.random()
        if fate < 0.55:
            self.at(later, partial(self._run_errand, errand, runner))
        elif fate < 0.75:
            self.at(
                later,
                partial(care.do_errand_cancel, actor=SYSTEM, errand=errand, reason="已自行解决"),
            )

    def _run_errand(self, errand: Errand, runner: Member) -> None:
        """A member of the community takes the errand now and runs it in a while."""
        care.do_errand_assign(actor=SYSTEM, errand=errand, member=runner)
        care.do_errand_accept(actor=SYSTEM, errand=errand, member=runner)
        self.at(
            timezone.now() + minutes(self.rng.randint(10, 6 * 60)),
            partial(
                care.do_errand_done, actor=SYSTEM, errand=errand, member=runner,
                proof_note="已送到门口",
            ),
        )  # fmt: skip

    def care_activity(self) -> None:
        for household in self.households:
            if self.rng.random() < 0.85:
                opened = self.moment(first=FIRST - timedelta(hours=36))
                self.at(opened, partial(self._case_life, household))
        # The scheduler's escalation of missed follow-ups, every two hours.
        run = FIRST - timedelta(hours=12)
        while run < LAST:
            self.at(run, self._escalate)
            run += timedelta(hours=2)

    def _escalate(self) -> None:
        care.escalate(now=timezone.now())

    def late_follow_ups(self, n: int) -> None:
        """Follow-ups made in the window, with no signal, recorded after the cut-off with
        their own time (none with a fever: see the fever test)."""
        made_before = [c for c in self.open_cases() if c.created_at < UNTIL - minutes(1)]
        for case in self.rng.sample(made_before, k=min(n, len(made_before))):
            made = self.moment(first=max(SINCE, case.created_at), last=UNTIL - minutes(1))
            temperature = self.rng.choice(NORMAL)
            self.at(self.late(), partial(self.follow_up, case, temperature=temperature, at=made))

    def open_cases(self) -> QuerySet[IsolationCase]:
        return IsolationCase.objects.filter(response=self.response, status="open").order_by("pk")

    # Gates -------------------------------------------------------------------------------

    def gates_setup(self) -> None:
        self.gates: list[tuple[Gate, GateRule]] = []
        hours_of = [(time(6), time(22)), (None, None), (None, None)]  # one closes at night
        for place, hours in zip(self.places, hours_of, strict=True):
            gate = gates.do_gate_create(
                actor=SYSTEM, area=place.area, name="东门", opens_at=hours[0], closes_at=hours[1]
            )
            rule = gates.do_gate_rule_set(
                actor=SYSTEM,
                gate=gate,
                response=self.response,
                data=gates.RuleData(temperature_limit=FEVER, visitors_allowed=True),
            )
            self.gates.append((gate, rule))

    def scan(self, device_at: datetime, *, at_gate: int | None = None) -> Scan:
        """A visitor scanned at `device_at`: in with a fever, or at night at a gate that
        closes, refused."""
        gate, rule = self.gates[at_gate if at_gate is not None else self.rng.randrange(3)]
        temperature = self.rng.choice(TEMPERATURES)
        return gates.do_scan_record(
            actor=SYSTEM,
            gate=gate,
            response=self.response,
            rule=rule,
            data=gates.ScanData(
                client_id=uuid.UUID(int=self.rng.getrandbits(128)),
                device_at=device_at,
                direction=self.rng.choice(["in", "out"]),
                temperature=None if temperature is None else Decimal(temperature),
                visitor_name="访客",
            ),
        ).scan

    def gates_activity(self, n: int) -> None:
        for _ in range(n):
            device_at = self.moment()
            # Sent a moment later, as a phone with signal sends it.
            self.at(device_at + minutes(self.rng.randint(0, 3)), partial(self.scan, device_at))

    # Mobilization ------------------------------------------------------------------------

    def mobilization_setup(self) -> None:
        committee = mobilization.do_organisation_create(
            actor=SYSTEM, name="区直机关工委", kind="working_committee", area=self.tree.district
        )
        self.call_up: CallUp = mobilization.do_call_up_issue(
            actor=SYSTEM,
            response=self.response,
            organisation=committee,
            title="下沉社区集结号",
            quota=36,
            deadline=START + timedelta(days=10),
            targets=[mobilization.Target(p.area, 12) for p in self.places],
        )

    def approved(self) -> SignUp:
        entry = sign_up(self.call_up, next(self._numbers))
        assert isinstance(entry, SignUp)
        return mobilization.do_sign_up_approve(actor=SYSTEM, sign_up=entry)

    def deploy(self, entry: SignUp, community: Area, starts_on: date, ends_on: date) -> Deployment:
        return mobilization.do_deployment_create(
            actor=SYSTEM, sign_up=entry, community=community, starts_on=starts_on, ends_on=ends_on
        )

    def mobilization_activity(self, n: int) -> None:
        for _ in range(n):
            entry = self.approved()
            created = self.moment(first=FIRST - timedelta(hours=48))
            starts_on = DAY + timedelta(days=self.rng.randint(-3, 1))
            ends_on = starts_on + timedelta(days=self.rng.randint(0, 4))
            community = self.rng.choice(self.places).area
            self.at(created, partial(self.deploy, entry, community, starts_on, ends_on))
            # The roll-up reads a deployment's status as it is when it runs: here they
            # end before the run the test reads; one ended after the day is a test of
            # its own.
            if created < BEFORE_CUT_OFF - timedelta(hours=1) and self.rng.random() < 0.45:
                end = self.moment(first=created + minutes(30), last=BEFORE_CUT_OFF)
                how = self.rng.choice(
                    [mobilization.do_sign_up_end] * 3 + [mobilization.do_sign_up_withdraw]
                )
                self.at(end, partial(how, actor=SYSTEM, sign_up=entry))

    # Duty --------------------------------------------------------------------------------

    def duty_setup(self) -> None:
        catalogue.install()
        self.post = PostType.objects.get(code="checkpoint")
        for place in self.places:
            for someone in place.residents[:2]:
                with_account(someone, f"member{someone.pk}")

    def demand(
        self, place: Place, *, first_shift_at: time, hours: int, per_day: int, low: int
    ) -> list[Shift]:
        demand = duty.do_demand_create(
            actor=SYSTEM,
            community=place.area,
            post_type=self.post,
            place="东门卡口",
            schedule=duty.Schedule(
                starts_on=DAY - timedelta(days=1),
                days=3,
                first_shift_at=first_shift_at,
                shifts_per_day=per_day,
                shift_hours=hours,
                min_per_shift=low,
                max_per_shift=low + self.rng.randint(0, 2),
            ),
        )
        return list(demand.shifts.order_by("starts_at"))

    def duty_activity(self) -> None:
        """Demands of each community over the three days, their places taken now (before
        any shift starts), some confirmed, declined or cancelled, then attendance at the
        shifts' times. Served minutes are whole tenths of an hour (check-ins six minutes
        apart): the hours of a unit are then exact at every level; how odd minutes round
        is a test of its own."""
        for place in self.places:
            for _ in range(self.rng.randint(1, 2)):
                hours = self.rng.choice([3, 4, 6])
                shifts = self.demand(
                    place,
                    first_shift_at=time(self.rng.randint(0, 23)),
                    hours=hours,
                    per_day=self.rng.randint(1, 12 // hours),
                    low=self.rng.randint(1, 2),
                )
                for shift in shifts:
                    self._staff(place, shift)

    def _staff(self, place: Place, shift: Shift) -> None:
        for someone in self.rng.sample(place.residents, k=self.rng.randint(1, shift.max_people)):
            try:
                if someone.user is not None and self.rng.random() < 0.5:
                    taken = duty.shift_claim(actor=someone.user, shift=shift)
                else:
                    taken = duty.do_shift_assign(actor=SYSTEM, shift=shift, member=someone)
            except ValidationError:  # refused by the rest rules or full: nothing taken
                continue
            fate = self.rng.random()
            if taken.status == ParticipationStatus.REQUESTED:
                if fate < 0.3:
                    duty.do_participation_decline(
                        actor=SYSTEM, participation=taken, reason="人已够"
                    )
                    continue
                if fate < 0.7:
                    continue  # still waiting: holds its place, attends nothing
                taken = duty.do_participation_confirm(actor=SYSTEM, participation=taken)
            elif fate < 0.15:
                duty.participation_cancel(
                    actor=place.secretary, participation=taken, reason="临时有事"
                )
                continue
            if self.rng.random() < 0.8:
                arrived = shift.starts_at + minutes(6 * self.rng.randint(-5, 10))
                if arrived <= LAST:
                    self.at(arrived, partial(self._attend, taken, place.secretary))

    def _attend(self, taken: Participation, secretary: User) -> None:
        now = timezone.now()
        duty.check_in(actor=secretary, participation=taken, now=now)
        if self.rng.random() < 0.8:
            started = max(now, taken.starts_at)
            left = started + minutes(6 * self.rng.randint(1, 80))
            if left <= LAST:
                self.at(left, partial(self._leave, taken, secretary, None))

    def _leave(self, taken: Participation, secretary: User, at: datetime | None) -> None:
        duty.check_out(actor=secretary, participation=taken, now=at or timezone.now())

    def late_check_outs(self) -> None:
        """Check-outs in the window taken down after the cut-off by the community, at
        the time the member left."""
        for taken in Participation.objects.filter(
            checked_in_at__gte=SINCE, checked_in_at__lt=UNTIL, checked_out_at=None
        ).select_related("shift"):
            started = max(taken.checked_in_at or UNTIL, taken.starts_at)
            left = started + minutes(6 * self.rng.randint(1, 20))
            if left < UNTIL:
                secretary = self.place_of(taken.shift.community_path).secretary
                self.at(self.late(), partial(self._leave, taken, secretary, left))

    # Funds -------------------------------------------------------------------------------

    def funds_setup(self) -> None:
        def fund(name: str, kind: str) -> Fund:
            return funds.do_fund_create(
                actor=SYSTEM, response=self.response, area=self.tree.district, name=name, kind=kind
            )

        self.party_fees, self.donations = (
            fund("党费专项", "party_fee"),
            fund("防疫捐款", "donation"),
        )
        tree = self.tree
        self.holders: list[Holder] = [
            funds.do_holder_create(actor=SYSTEM, area=area, name=area.name, kind=kind)
            for area, kind in [
                (tree.district, "committee"), (tree.street, "street"),
                (tree.other_street, "street"), (tree.community, "community"),
                (tree.sibling, "community"), (tree.far_community, "community"),
            ]
        ]  # fmt: skip
        for holder in self.holders:
            funds.do_income_receive(
                actor=SYSTEM,
                fund=self.party_fees,
                holder=holder,
                entry=funds.Entry(amount="5000", on=START.date(), summary="区委拨付党费"),
                now=START,
            )

    def money(self) -> Decimal:
        return Decimal(self.rng.randint(100, 50000)) / 100

    def donate(
        self, holder: Holder, received_on: date, *, amount: Decimal | None = None
    ) -> Donation:
        return funds.do_donation_record(
            actor=SYSTEM,
            response=self.response,
            holder=holder,
            data=funds.DonationData(
                donor_kind="person",
                donor="张先生",
                received_on=received_on,
                amount=amount or self.money(),
                fund=self.donations,
            ),
        )

    def spend(self, holder: Holder, on: date, amount: Decimal | None = None) -> Posting:
        return funds.do_expend(
            actor=SYSTEM,
            fund=self.party_fees,
            holder=holder,
            expense=funds.Expense(
                amount=amount or self.money(),
                on=on,
                summary="购买防疫用品",
                voucher=f"ZC{self.rng.randint(1, 10**6)}",
                payee="仁济药房",
            ),
        )

    def _some_day_to(self, at: datetime) -> date:
        """The day a gift or a payment made at `at` is dated: that day, or the day before
        (entered a day late)."""
        return timezone.localdate(at) - timedelta(days=self.rng.randint(0, 1))

    def funds_activity(self, n: int) -> None:
        for _ in range(n):
            holder = self.rng.choice(self.holders)
            at = self.moment()
            if self.rng.random() < 0.5:
                self.at(at, partial(self._gift, holder, at))
            else:
                self.at(at, partial(self.spend, holder, self._some_day_to(at)))

    def _gift(self, holder: Holder, at: datetime) -> None:
        gift = self.donate(holder, self._some_day_to(at))
        if self.rng.random() < 0.25:  # a receipt made in error, cancelled later
            self.at(
                at + minutes(self.rng.randint(30, 20 * 60)),
                partial(funds.do_donation_cancel, actor=SYSTEM, donation=gift, reason="收据填错"),
            )

    # Supplies ----------------------------------------------------------------------------

    def supplies_setup(self) -> None:
        self.items: list[Item] = [
            supplies.do_item_create(
                actor=SYSTEM,
                data=supplies.ItemData(name="医用外科口罩", category="protection", unit="只"),
            ),
            supplies.do_item_create(
                actor=SYSTEM,
                data=supplies.ItemData(name="医用手套", category="protection", unit="副"),
            ),
            supplies.do_item_create(
                actor=SYSTEM,
                data=supplies.ItemData(
                    name="84消毒液", category="disinfection", unit="升", is_counted=False
                ),
            ),
        ]
        tree = self.tree
        self.stores: list[Store] = [
            supplies.do_store_create(actor=SYSTEM, area=area, name=f"{area.name}物资库")
            for area in (
                tree.district,
                tree.street,
                tree.community,
                tree.sibling,
                tree.far_community,
            )
        ]

    def quantity(self, item: Item, low: int, high: int) -> Decimal:
        if item.is_counted:
            return Decimal(self.rng.randint(low, high))
        return Decimal(self.rng.randint(low * 10, high * 10)) / 10

    def receive(self, store: Store, item: Item, quantity: Decimal) -> Movement:
        return supplies.do_stock_receive(
            actor=SYSTEM,
            store=store,
            response=self.response,
            receipt=supplies.Receipt(item=item, quantity=quantity, source="purchase"),
        )

    def issue(self, store: Store, item: Item, quantity: Decimal) -> list[Movement]:
        return supplies.do_stock_issue(
            actor=SYSTEM,
            store=store,
            response=self.response,
            issue=supplies.Issue(
                item=item, quantity=quantity, recipient_kind="post", recipient="东门卡口"
            ),
        )

    def supplies_activity(self, n: int) -> None:
        """Thresholds and opening stock, then receipts and issues. The roll-up reads the
        stock as it stands when it runs: here nothing moves after the run the test reads;
        stock moved after the cut-off is a test of its own."""
        for store, item in itertools.product(self.stores, self.items):
            if self.rng.random() < 0.7:
                minimum = self.quantity(item, 10, 60)
                supplies.do_threshold_set(actor=SYSTEM, store=store, item=item, minimum=minimum)
            if self.rng.random() < 0.8:
                self.receive(store, item, self.quantity(item, 1, 120))
        for _ in range(n):
            store, item = self.rng.choice(self.stores), self.rng.choice(self.items)
            self.at(self.moment(last=BEFORE_CUT_OFF - minutes(1)), partial(self._move, store, item))

    def _move(self, store: Store, item: Item) -> None:
        held = Stock.objects.filter(store=store, item=item).aggregate(n=Sum("quantity"))["n"]
        share = Decimal(self.rng.randint(1, 100)) / 100
        step = Decimal(1) if item.is_counted else Decimal("0.001")
        part = ((held or 0) * share).quantize(step, rounding=ROUND_DOWN)
        if part > 0 and self.rng.random() < 0.6:
            self.issue(store, item, part)
        else:
            self.receive(store, item, self.quantity(item, 1, 40))

    # Inspections -------------------------------------------------------------------------

    def inspections_setup(self) -> None:
        inspector = make_user("inspector", Role.INSPECTOR, self.tree.district)
        team = inspections.do_team_create(
            actor=SYSTEM,
            response=self.response,
            area=self.tree.district,
            name="第一督查组",
            members=[inspector],
            covers=[self.tree.district],
        )
        inspections.do_checklist_set(
            actor=SYSTEM,
            response=self.response,
            kind="gate",
            lines=["值守人员在岗", "测温登记规范"],
        )
        inspections.do_checklist_set(
            actor=SYSTEM, response=self.response, kind="store", lines=["台账与实物相符"]
        )
        plan = inspections.do_plan_create(
            actor=SYSTEM,
            team=team,
            data=inspections.PlanData(
                starts_on=DAY - timedelta(days=2),
                ends_on=DAY + timedelta(days=1),
                kinds=["gate", "store"],
                size=20,
                seed=self.rng.getrandbits(32),
            ),
        )
        self.visits: list[Visit] = list(plan.visits.order_by("position"))

    def inspect(self, visit: Visit, now: datetime, *, chain: bool = True) -> None:
        """A visit recorded as at `now` with 0–3 problems, each an order; the owner fixes
        some, the team rechecks some (closed, or escalated and open again)."""
        lines = ChecklistItem.objects.filter(
            response=self.response, kind=visit.kind, is_active=True
        )
        problems = self.rng.randint(0, 3)
        answers = {
            str(line.pk): "fail" if problems and n == 0 else "pass" for n, line in enumerate(lines)
        }
        findings = [
            inspections.FindingData(
                kind="problem",
                text=f"问题{k}",
                severity=self.rng.choice(["minor", "major", "critical"]),
            )
            for k in range(problems)
        ]
        inspections.do_visit_record(
            actor=SYSTEM, visit=visit, answers=answers, note="", findings=findings, now=now
        )
        if not chain:
            return
        for order in Order.objects.filter(finding__visit=visit):
            if self.rng.random() < 0.6:
                fixed = now + minutes(self.rng.randint(60, 20 * 60))
                self.at(fixed, partial(self._fix, order))

    def _fix(self, order: Order) -> None:
        now = timezone.now()
        inspections.do_order_fix(actor=SYSTEM, order=order, fix="已整改", photos=[], now=now)
        if self.rng.random() < 0.7:
            self.at(
                now + minutes(self.rng.randint(30, 10 * 60)),
                partial(self._recheck, order, is_fixed=self.rng.random() < 0.7),
            )

    def _recheck(self, order: Order, *, is_fixed: bool) -> None:
        inspections.do_order_recheck(
            actor=SYSTEM, order=order, is_fixed=is_fixed, note="仍未整改到位", now=timezone.now()
        )

    def inspections_activity(self) -> list[Visit]:
        """The plan's visits at random moments; a quarter are held back, to be recorded
        late. Returns those."""
        held_back = []
        for visit in self.visits:
            if self.rng.random() < 0.25:
                held_back.append(visit)
                continue
            at = self.moment()
            self.at(at, partial(self.inspect, visit, at))
        return held_back


# The brute force ---------------------------------------------------------------------


@dataclass
class Rows:
    """Every row the checked indicators are counted from, as the tables hold it now."""

    cases: list[IsolationCase]
    follow_ups: list[FollowUp]
    alerts: list[Alert]
    errands: list[Errand]
    scans: list[Scan]
    deployments: list[Deployment]
    participations: list[Participation]
    shifts: list[Shift]
    donations: list[Donation]
    spending: list[tuple[str, Posting]]
    thresholds: list[Threshold]
    movements: list[Movement]
    items: dict[int, str]
    orders: list[Order]

    @classmethod
    def read(cls, response: Response) -> Rows:
        # One response in these tests: the rows of the other apps are all its.
        return cls(
            cases=list(IsolationCase.objects.filter(response=response)),
            follow_ups=list(FollowUp.objects.all()),
            alerts=list(Alert.objects.all()),
            errands=list(Errand.objects.all()),
            scans=list(Scan.objects.all()),
            deployments=list(Deployment.objects.all()),
            participations=list(Participation.objects.select_related("shift")),
            shifts=list(Shift.objects.all()),
            donations=list(Donation.objects.all()),
            spending=[
                (p.credit.area_path, p)
                for p in Posting.objects.filter(kind=PostingKind.EXPENDITURE).select_related(
                    "credit"
                )
            ]
            + [
                (p.debit.area_path, p)
                for p in Posting.objects.filter(kind=PostingKind.REFUND).select_related("debit")
            ],
            thresholds=list(Threshold.objects.all()),
            movements=list(Movement.objects.all()),
            items=dict(Item.objects.values_list("pk", "name")),
            orders=list(Order.objects.select_related("finding")),
        )


def brute(rows: Rows, prefix: str) -> dict[str, Decimal]:
    """Every checked indicator of DAY under `prefix`, counted row by row from what each
    formula says: flows in the window [SINCE, UNTIL), stocks as at the cut-off."""
    out: Counter[str] = Counter()
    money: defaultdict[str, Decimal] = defaultdict(Decimal)

    def under(path: str) -> bool:
        return path.startswith(prefix)

    for case in rows.cases:
        if not under(case.area_path):
            continue
        # 在册: registered by the cut-off and its end not recorded by it, past its last
        # day or not (the community's board lists a case past due among the open ones).
        out["cases_open"] += (
            case.starts_on <= DAY
            and before_cut_off(case.created_at)
            and not before_cut_off(case.ended_at)
        )
        out["cases_started_today"] += in_window(case.created_at)
        out["cases_ended_today"] += in_window(case.ended_at)
    for follow_up in rows.follow_ups:
        if under(follow_up.area_path) and in_window(follow_up.recorded_at):
            out["followups_today"] += 1
            # 当日随访发现的发热: a fever found at a follow-up of the day.
            out["fever_alerts_today"] += follow_up.is_fever
    for alert in rows.alerts:
        if under(alert.area_path) and alert.kind == AlertKind.MISSED:
            out["followups_missed_today"] += in_window(alert.created_at)
    for errand in rows.errands:
        if not under(errand.area_path) or not before_cut_off(errand.created_at):
            continue
        still_open = not before_cut_off(errand.done_at) and not before_cut_off(errand.cancelled_at)
        out["errands_open"] += still_open
        out["errands_overdue"] += still_open and errand.due_by < UNTIL
        out["errands_done_today"] += in_window(errand.done_at)
    for scan in rows.scans:
        if under(scan.area_path) and in_window(scan.device_at):
            out["passages_today" if scan.is_allowed else "refusals_today"] += 1
    for deployment in rows.deployments:
        out["members_deployed"] += (
            under(deployment.community_path)
            and deployment.starts_on <= DAY <= deployment.ends_on
            and before_cut_off(deployment.created_at)
        )
    served = 0
    holding: Counter[int] = Counter()
    for taken in rows.participations:
        holding[taken.shift_id] += taken.status in ("requested", "confirmed")
        if not under(taken.shift.community_path):
            continue
        out["on_shift_today"] += in_window(taken.checked_in_at)
        if in_window(taken.checked_out_at):
            served += taken.minutes
    for shift in rows.shifts:
        if under(shift.community_path) and in_window(shift.starts_at):
            filled = holding[shift.pk] >= shift.min_people
            out["posts_filled_today" if filled else "posts_open_today"] += 1
    for gift in rows.donations:
        # entered by the cut-off and not cancelled by it: 登记且有效
        valid = before_cut_off(gift.created_at) and not before_cut_off(gift.cancelled_at)
        if under(gift.area_path) and valid and gift.amount:
            money["donations_total"] += gift.amount
            if in_window(gift.created_at):
                money["donations_today"] += gift.amount
    for path, posting in rows.spending:
        if under(path) and in_window(posting.at):
            sign = -1 if posting.kind == PostingKind.REFUND else 1
            money["spending_today"] += sign * posting.amount
    level: defaultdict[tuple[int, int], Decimal] = defaultdict(Decimal)
    key_supplies = {"医用外科口罩": "stock_masks", "84消毒液": "stock_disinfectant"}
    for movement in rows.movements:
        if movement.at < UNTIL:
            level[movement.store_id, movement.item_id] += movement.quantity
            key = key_supplies.get(rows.items[movement.item_id])
            if key and under(movement.area_path):
                money[key] += movement.quantity
    for threshold in rows.thresholds:
        if under(threshold.area_path):
            out["stock_below"] += level[threshold.store_id, threshold.item_id] < threshold.minimum
    for order in rows.orders:
        if under(order.area_path) and before_cut_off(order.finding.created_at):
            out["orders_open"] += not before_cut_off(order.closed_at)
    found = {k: Decimal(v) for k, v in out.items()}
    found.update(money)
    if served:
        found["minutes_served_today"] = Decimal(served)
    return {k: v for k, v in found.items() if v}


def checked(values: dict[str, str], keys: Iterable[str] = CHECKED) -> dict[str, Decimal]:
    wanted = set(keys)
    return {k: Decimal(v) for k, v in values.items() if k in wanted}
