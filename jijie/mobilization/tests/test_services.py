"""Every state of a sign-up, every move between them, and every refusal, with its
message."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jijie.audit.actors import NOBODY, SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core import pii
from jijie.core.models import birth_date_of
from jijie.mobilization import services
from jijie.mobilization.models import (
    CallUpTarget,
    Deployment,
    DeploymentStatus,
    Member,
    MemberClaim,
    SignUp,
    SignUpStatus,
)
from jijie.mobilization.tests.fixtures import (
    END,
    START,
    make_id,
    member,
    member_data,
    phone_for,
    sign_up,
)
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# Organisations and members -------------------------------------------------------


def test_a_root_organisation_is_a_working_committee(tree):
    with pytest.raises(ValidationError) as error:
        services.do_organisation_create(
            actor=SYSTEM, name="某局", kind="agency", area=tree.district
        )
    assert "最上级组织应为机关工委" in _messages(error.value)


def test_a_temporary_branch_names_its_compound_or_project(mob, tree):
    with pytest.raises(ValidationError) as error:
        services.do_organisation_create(
            actor=SYSTEM,
            name="临时党支部",
            kind="temporary_branch",
            area=tree.community,
            parent=mob.unit,
        )
    assert "小区或项目" in _messages(error.value)
    branch = services.do_organisation_create(
        actor=SYSTEM,
        name="新港路临时党支部",
        kind="temporary_branch",
        area=tree.community,
        parent=mob.unit,
        project="新港路卡口值守",
    )
    assert branch.path.startswith(mob.unit.path)


def test_member_is_stored_like_the_registry_and_linked_to_their_person(mob, tree):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    number = make_id(date(1985, 5, 1), 7)
    person = do_person_add(
        actor=SYSTEM,
        household=household,
        data=PersonData(name="张伟", document_number=number, phone=phone_for(7)),
    ).person
    saved = services.member_register(
        actor=mob.unit_admin,
        data=member_data(7, organisation=mob.branch, residence=tree.community, name="张伟"),
    )
    member = saved.member
    assert member.person == person
    assert member.document_masked == pii.mask("id", number)
    assert member.phone_masked == "139****0007"
    assert pii.decrypt(member.document_cipher or b"") == number
    assert member.birth_year == 1985
    assert birth_date_of(member.birth_date_cipher) == date(1985, 5, 1)
    assert member.residence_path == tree.community.path


def test_a_member_is_registered_once(mob):
    member(1, organisation=mob.unit)
    with pytest.raises(ValidationError) as error:
        member(1, organisation=mob.unit)
    assert "已登记为队员" in _messages(error.value)


def test_member_fields_are_checked_together(mob):
    data = services.MemberData(name="", document_number="123", phone="12", kind="nobody")
    with pytest.raises(ValidationError) as error:
        services.do_member_register(actor=SYSTEM, data=data)
    assert set(error.value.message_dict) == {"name", "document_number", "phone", "kind"}


def test_unit_admin_registers_only_for_their_unit(mob):
    with pytest.raises(Http404):
        services.member_register(
            actor=mob.other_admin, data=member_data(2, organisation=mob.branch)
        )


def test_member_edits_their_own_record_with_a_version(mob, tree, actors):
    saved = member(3, organisation=mob.unit)
    saved.user = actors.member
    saved.save()
    data = member_data(3, organisation=mob.unit, residence=tree.sibling)
    data.document_number = None
    data.skills = ["driving", "medical", "nonsense"]
    updated = services.member_update(actor=actors.member, member=saved, version=1, data=data)
    assert updated.member.skills == ",driving,medical,"
    assert updated.member.residence == tree.sibling
    with pytest.raises(ValidationError) as error:
        services.member_update(actor=actors.member, member=saved, version=1, data=data)
    assert "已被他人修改" in _messages(error.value)
    with pytest.raises(Http404):
        services.member_update(actor=actors.outsider, member=saved, version=2, data=data)


# Call-ups --------------------------------------------------------------------------


def test_call_up_checks_its_targets(mob, tree):
    def issue(**kw):
        args = {
            "actor": mob.chair,
            "response": mob.response,
            "organisation": mob.committee,
            "title": "集结号",
            "quota": 2,
            "deadline": timezone.now() + timedelta(days=1),
            "targets": [services.Target(tree.community, 1)],
        }
        args.update(kw)
        return services.call_up_issue(**args)

    with pytest.raises(ValidationError) as error:
        issue(targets=[services.Target(tree.community, 2), services.Target(tree.sibling, 1)])
    assert "超过了下沉名额" in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        issue(targets=[services.Target(tree.grid, 1)])
    assert "不是社区或村" in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        issue(deadline=timezone.now() - timedelta(hours=1))
    assert "截止时间" in _messages(error.value)
    assert issue().targets.count() == 1


def test_only_the_committee_issues_call_ups(mob, actors):
    args = {
        "response": mob.response,
        "organisation": mob.committee,
        "title": "集结号",
        "quota": 1,
        "deadline": timezone.now() + timedelta(days=1),
        "targets": [],
    }
    with pytest.raises(PermissionDenied):
        services.call_up_issue(actor=mob.unit_admin, **args)
    with pytest.raises(Http404):
        services.call_up_issue(actor=mob.other_admin, **{**args, "organisation": mob.unit})
    with pytest.raises(Http404):
        services.call_up_issue(actor=actors.manager, **args)


# Sign-up ---------------------------------------------------------------------------


def test_sign_up_registers_the_member_and_their_unit(mob, tree):
    entry = sign_up(mob.call_up, 1, organisation=mob.branch, residence=tree.community)
    assert entry.status == SignUpStatus.REQUESTED
    assert entry.unit == mob.unit  # the branch's unit, right under the committee
    assert entry.member.organisation == mob.branch
    assert AuditEvent.objects.filter(action="sign_up.submit").count() == 1


def test_a_public_sign_up_is_audited_as_nobody_signed_in_and_the_fixtures_as_the_system(mob):
    sign_up(mob.call_up, 1, organisation=mob.unit)
    public = AuditEvent.objects.filter(action__in=["member.register", "sign_up.submit"])
    assert {(e.actor_id, e.actor_label) for e in public} == {(None, "")}
    issued = AuditEvent.objects.get(action="call_up.issue")
    assert (issued.actor_id, issued.actor_label) == (None, "system")
    assert mob.call_up.created_by is None


def test_signing_up_twice_is_refused(mob):
    sign_up(mob.call_up, 1, organisation=mob.unit)
    with pytest.raises(ValidationError) as error:
        sign_up(mob.call_up, 1, organisation=mob.unit)
    assert "您已报名本次集结号,无需重复报名" in _messages(error.value)
    assert SignUp.objects.count() == 1
    assert Member.objects.count() == 1


def test_an_existing_member_signs_up_with_their_registered_phone(mob):
    registered = member(1, organisation=mob.unit)
    data = member_data(1, organisation=mob.unit)
    data.phone = "13800000000"
    # another phone signs no one up: the unit reviews it
    claim = services.do_sign_up_submit(
        actor=NOBODY, call_up=mob.call_up, data=services.SignUpData(member=data)
    )
    assert isinstance(claim, MemberClaim)
    assert (claim.member, claim.user, claim.phone_masked) == (registered, None, "138****0000")
    assert not SignUp.objects.exists()
    entry = sign_up(mob.call_up, 1, organisation=mob.unit)
    assert entry.member.pk == Member.objects.get().pk


def test_sign_up_after_the_deadline_or_close_is_refused(mob):
    mob.call_up.deadline = timezone.now() - timedelta(minutes=1)
    mob.call_up.save()
    with pytest.raises(ValidationError) as error:
        sign_up(mob.call_up, 1)
    assert "报名时间已过" in _messages(error.value)
    mob.call_up.deadline = timezone.now() + timedelta(days=1)
    mob.call_up.save()
    services.call_up_close(actor=mob.chair, call_up=mob.call_up)
    mob.call_up.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        sign_up(mob.call_up, 1)
    assert "已经截止报名" in _messages(error.value)
    with pytest.raises(ValidationError):
        services.call_up_close(actor=mob.chair, call_up=mob.call_up)


# Screening -------------------------------------------------------------------------


def test_screening_records_the_reason_for_each_person(mob):
    fine = sign_up(mob.call_up, 1, born=date(1985, 1, 1))
    old = sign_up(mob.call_up, 2, born=date(1955, 1, 1))
    undeclared = sign_up(mob.call_up, 3, healthy=False)
    volunteer = sign_up(mob.call_up, 4, kind="volunteer")
    result = services.screening_apply(
        actor=mob.chair,
        call_up=mob.call_up,
        rules=services.ScreeningRules(min_age=18, max_age=60, kinds=["party_member"]),
        today=date(2020, 2, 12),
    )
    assert (result.approved, result.declined) == (1, 3)
    fine.refresh_from_db()
    old.refresh_from_db()
    undeclared.refresh_from_db()
    volunteer.refresh_from_db()
    assert fine.status == SignUpStatus.APPROVED
    assert fine.reason == "符合报名条件"
    assert old.status == SignUpStatus.DECLINED
    assert old.reason == "年龄 65 岁,超过 60 岁"
    assert undeclared.reason == "未作健康申报"
    assert "居民志愿者" in volunteer.reason
    assert old.screened_by == mob.chair
    # screening again leaves the decided ones alone
    again = services.screening_apply(
        actor=mob.chair, call_up=mob.call_up, rules=services.ScreeningRules()
    )
    assert (again.approved, again.declined) == (0, 0)


def test_screening_decides_ages_by_the_day_as_before(mob, monkeypatch):
    """The birth year is kept in clear, the date encrypted: the rules still decide by the
    day, at both limits, and decrypt only the dates whose year leaves the outcome open."""
    today = date(2020, 2, 12)
    born = [
        date(2002, 2, 12),  # 18 today
        date(2002, 2, 13),  # 18 tomorrow
        date(2001, 12, 31),  # 18
        date(1960, 1, 1),  # 60
        date(1959, 2, 12),  # 61 today
        date(1959, 2, 13),  # 60 until tomorrow
        date(1985, 6, 30),  # between the limits all year
        date(1940, 8, 1),  # 79
        date(2010, 3, 1),  # 9
    ]
    sign_ups = [sign_up(mob.call_up, n + 1, born=day) for n, day in enumerate(born)]
    rules = services.ScreeningRules(min_age=18, max_age=60)
    decrypted = []

    def counted(cipher):
        decrypted.append(cipher)
        return birth_date_of(cipher)

    monkeypatch.setattr("jijie.mobilization.services.call_ups.birth_date_of", counted)
    services.screening_apply(actor=mob.chair, call_up=mob.call_up, rules=rules, today=today)
    for day, signed_up in zip(born, sign_ups, strict=True):
        signed_up.refresh_from_db()
        reasons = services.screening_reasons(
            rules, today, birth_date=day, kind="party_member", fitness="fit", health_declared=True
        )
        assert signed_up.reason == ("; ".join(reasons) or "符合报名条件"), day
    assert [s.status for s in sign_ups] == ["approved", "declined", "approved", "approved",
                                            "declined", "approved", "approved", "declined",
                                            "declined"]  # fmt: skip
    assert len(decrypted) == 6  # born in 2002, 1959, 1940 and 2010


def test_screening_rules_are_checked(mob):
    with pytest.raises(ValidationError) as error:
        services.screening_apply(
            actor=mob.chair,
            call_up=mob.call_up,
            rules=services.ScreeningRules(min_age=60, max_age=18),
        )
    assert "年龄上限不能低于下限" in _messages(error.value)


def test_unit_admin_may_not_screen(mob):
    with pytest.raises(PermissionDenied):
        services.screening_apply(
            actor=mob.unit_admin, call_up=mob.call_up, rules=services.ScreeningRules()
        )


# Moves -----------------------------------------------------------------------------


def deploy(mob, entry, community, start=START, end=END):
    return services.deployment_create(
        actor=mob.chair, sign_up=entry, community=community, starts_on=start, ends_on=end
    )


def test_the_whole_way_approved_deployed_ended(mob, tree):
    entry = sign_up(mob.call_up, 1, residence=tree.sibling)
    entry = services.sign_up_approve(actor=mob.chair, sign_up=entry)
    assert entry.status == SignUpStatus.APPROVED
    deployment = deploy(mob, entry, tree.community)
    entry.refresh_from_db()
    assert entry.status == SignUpStatus.DEPLOYED
    assert deployment.residence == tree.sibling  # 双报到
    ended = services.deployment_end(actor=mob.chair, deployment=deployment, on=date(2020, 3, 1))
    assert ended.status == SignUpStatus.ENDED
    deployment.refresh_from_db()
    assert (deployment.status, deployment.ends_on) == (DeploymentStatus.ENDED, date(2020, 3, 1))


def test_deploying_a_declined_member_is_refused(mob, tree):
    entry = sign_up(mob.call_up, 1)
    services.sign_up_decline(actor=mob.chair, sign_up=entry, reason="岗位已满")
    with pytest.raises(ValidationError) as error:
        deploy(mob, entry, tree.community)
    assert _messages(error.value) == "队员1 的报名目前是“未通过”,不能改为“已下沉”。"
    assert not Deployment.objects.exists()


def test_deploying_before_screening_is_refused(mob, tree):
    entry = sign_up(mob.call_up, 1)
    with pytest.raises(ValidationError) as error:
        deploy(mob, entry, tree.community)
    assert "目前是“已报名”" in _messages(error.value)


def test_declining_needs_a_reason(mob):
    entry = sign_up(mob.call_up, 1)
    with pytest.raises(ValidationError) as error:
        services.sign_up_decline(actor=mob.chair, sign_up=entry, reason=" ")
    assert "原因" in _messages(error.value)


def test_a_declined_sign_up_may_be_reconsidered(mob):
    entry = sign_up(mob.call_up, 1)
    services.sign_up_decline(actor=mob.chair, sign_up=entry, reason="年龄超限")
    entry = services.sign_up_approve(actor=mob.chair, sign_up=entry, reason="复核后通过")
    assert (entry.status, entry.reason) == (SignUpStatus.APPROVED, "复核后通过")


@pytest.mark.parametrize(
    ("state", "move", "target"),
    [
        ("withdrawn", "approve", "已通过"),
        ("withdrawn", "decline", "未通过"),
        ("ended", "withdraw", "已退出"),
        ("deployed", "approve", "已通过"),
        ("deployed", "decline", "未通过"),
        ("declined", "withdraw", "已退出"),
    ],
)
def test_refused_moves_name_the_state(mob, tree, actors, state, move, target):
    entry = sign_up(mob.call_up, 1)
    if state != "declined":
        entry = services.sign_up_approve(actor=mob.chair, sign_up=entry)
    if state in ("deployed", "ended"):
        deployment = deploy(mob, entry, tree.community)
    if state == "ended":
        services.deployment_end(actor=mob.chair, deployment=deployment)
    if state == "withdrawn":
        services.sign_up_withdraw(actor=mob.chair, sign_up=entry)
    if state == "declined":
        services.sign_up_decline(actor=mob.chair, sign_up=entry, reason="不符合")
    entry.refresh_from_db()
    moves = {
        "approve": lambda: services.sign_up_approve(actor=mob.chair, sign_up=entry),
        "decline": lambda: services.sign_up_decline(actor=mob.chair, sign_up=entry, reason="x"),
        "withdraw": lambda: services.sign_up_withdraw(actor=mob.chair, sign_up=entry),
    }
    with pytest.raises(ValidationError) as error:
        moves[move]()
    label = dict(SignUpStatus.choices)[state]
    assert f"目前是“{label}”,不能改为“{target}”" in _messages(error.value)


def test_withdrawing_a_deployed_member_recalls_them(mob, tree, actors):
    entry = sign_up(mob.call_up, 1)
    entry.member.user = actors.member
    entry.member.save()
    services.sign_up_approve(actor=mob.chair, sign_up=entry)
    today = timezone.localdate()
    deployment = deploy(mob, entry, tree.community, start=today, end=today + timedelta(days=30))
    # the member themselves may withdraw
    services.sign_up_withdraw(actor=actors.member, sign_up=entry, reason="家中有事")
    deployment.refresh_from_db()
    assert deployment.status == DeploymentStatus.WITHDRAWN
    assert deployment.ends_on == timezone.localdate()


def test_someone_else_may_not_withdraw_a_member(mob, actors):
    entry = sign_up(mob.call_up, 1)
    with pytest.raises(Http404):
        services.sign_up_withdraw(actor=actors.outsider, sign_up=entry)


def test_overlapping_deployments_are_refused(mob, tree):
    # the same member, signed up for two call-ups
    second = services.do_call_up_issue(
        actor=SYSTEM,
        response=mob.response,
        organisation=mob.committee,
        title="第二批",
        quota=1,
        deadline=timezone.now() + timedelta(days=1),
        targets=[services.Target(tree.far_community, 1)],
    )
    first_entry = services.sign_up_approve(actor=mob.chair, sign_up=sign_up(mob.call_up, 1))
    second_entry = services.sign_up_approve(actor=mob.chair, sign_up=sign_up(second, 1))
    deploy(mob, first_entry, tree.community)
    with pytest.raises(ValidationError) as error:
        deploy(mob, second_entry, tree.far_community, start=date(2020, 3, 1), end=date(2020, 3, 31))
    assert _messages(error.value) == (
        "队员1 已在 2020-02-10 至 2020-03-10 下沉到“新港路社区”,时间重叠:一个人不能同时在两处。"
    )
    # after the first period it is fine
    deploy(mob, second_entry, tree.far_community, start=date(2020, 3, 11), end=date(2020, 3, 31))


def test_over_quota_is_refused(mob, tree):
    entries = [
        services.sign_up_approve(actor=mob.chair, sign_up=sign_up(mob.call_up, n))
        for n in range(1, 5)
    ]
    deploy(mob, entries[0], tree.community)
    deploy(mob, entries[1], tree.community)
    with pytest.raises(ValidationError) as error:
        deploy(mob, entries[2], tree.community)
    assert _messages(error.value) == "“新港路社区”的名额已满。"
    deploy(mob, entries[2], tree.sibling)
    # the call-up's own quota, when the communities' places add up to more
    CallUpTarget.objects.filter(call_up=mob.call_up, community=tree.sibling).update(quota=5)
    with pytest.raises(ValidationError) as error:
        deploy(mob, entries[3], tree.sibling)
    assert _messages(error.value) == "本次集结号的 3 个下沉名额已满。"


def test_a_community_the_call_up_does_not_target_is_refused(mob, tree):
    entry = services.sign_up_approve(actor=mob.chair, sign_up=sign_up(mob.call_up, 1))
    with pytest.raises(ValidationError) as error:
        deploy(mob, entry, tree.far_community)
    assert "不是本次集结号的下沉社区" in _messages(error.value)


def test_a_period_ends_after_it_starts(mob, tree):
    entry = services.sign_up_approve(actor=mob.chair, sign_up=sign_up(mob.call_up, 1))
    with pytest.raises(ValidationError) as error:
        deploy(mob, entry, tree.community, start=END, end=START)
    assert "结束日期不能早于开始日期" in _messages(error.value)


# Teams -----------------------------------------------------------------------------


def test_a_community_team_is_formed_from_people_there(mob, tree, actors):
    here = services.sign_up_approve(actor=mob.chair, sign_up=sign_up(mob.call_up, 1))
    deploy(mob, here, tree.community, start=timezone.localdate(), end=timezone.localdate())
    lives_here = member(2, residence=tree.community)
    stranger = member(3, residence=tree.far_community)
    with pytest.raises(ValidationError) as error:
        services.team_create(
            actor=actors.manager,
            name="新港路突击队",
            kind="assault",
            leader=here.member,
            members=[lives_here, stranger],
            community=tree.community,
        )
    assert "队员3" in _messages(error.value)
    team = services.team_create(
        actor=actors.manager,
        name="新港路突击队",
        kind="assault",
        leader=here.member,
        members=[lives_here],
        community=tree.community,
    )
    assert team.members.count() == 2
    with pytest.raises(PermissionDenied):
        services.team_create(
            actor=actors.lower,
            name="小分队",
            kind="squad",
            leader=here.member,
            members=[],
            community=tree.community,
        )
    with pytest.raises(Http404):
        services.team_create(
            actor=actors.outsider,
            name="小分队",
            kind="squad",
            leader=here.member,
            members=[],
            community=tree.community,
        )


def test_leaders_are_members_of_their_organisation(mob):
    secretary = member(1, organisation=mob.branch)
    stranger = member(2, organisation=mob.other_unit)
    leader = services.organisation_leader_add(
        actor=mob.unit_admin, organisation=mob.branch, member=secretary, title="书记"
    )
    assert list(mob.branch.leaders.all()) == [leader]
    with pytest.raises(ValidationError) as error:
        services.organisation_leader_add(
            actor=mob.chair, organisation=mob.branch, member=stranger, title="书记"
        )
    assert "不是“区财政局机关党支部”的成员" in _messages(error.value)
    with pytest.raises(Http404):
        services.organisation_leader_add(
            actor=mob.other_admin, organisation=mob.branch, member=secretary, title="副书记"
        )
