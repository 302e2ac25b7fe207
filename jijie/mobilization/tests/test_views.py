"""Mobilization pages with three actors each: the working committee (may), a unit's
admin (sees the call-up, only their own members, may not screen or deploy: 403), and
an outsider (the secretary of a community, or a unit elsewhere: 404)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.core import pii
from jijie.mobilization import services
from jijie.mobilization.models import Deployment, Member, SignUp, SignUpStatus, Team
from jijie.mobilization.tests.fixtures import (
    END,
    START,
    make_id,
    member_data,
    phone_for,
    sign_up,
    without_csrf,
)

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def entries(mob, tree):
    """One sign-up from each unit, both approved; the first deployed to 新港路."""
    ours = services.do_sign_up_approve(
        actor=SYSTEM,
        sign_up=sign_up(mob.call_up, 1, organisation=mob.branch, residence=tree.sibling),
    )
    theirs = services.do_sign_up_approve(
        actor=SYSTEM, sign_up=sign_up(mob.call_up, 2, organisation=mob.other_unit, name="李四")
    )
    services.do_deployment_create(
        actor=SYSTEM, sign_up=ours, community=tree.community, starts_on=START, ends_on=END
    )
    return ours, theirs


def test_index(client, mob, actors, tree):
    assert (
        "疫情防控集结号"
        in _as(client, mob.chair).get(reverse("mobilization:index")).content.decode()
    )
    assert (
        "疫情防控集结号"
        in _as(client, mob.unit_admin).get(reverse("mobilization:index")).content.decode()
    )
    # a community goes to the members deployed there
    response = _as(client, actors.manager).get(reverse("mobilization:index"))
    assert response.url == reverse("mobilization:community", args=[tree.community.code])
    assert _as(client, actors.nobody).get(reverse("mobilization:index")).status_code == 403


@pytest.mark.parametrize(("who", "status"), [("chair", 200), ("unit_admin", 403), ("manager", 403)])
def test_call_up_new(client, mob, actors, who, status):
    user = getattr(mob, who, None) or getattr(actors, who)
    assert _as(client, user).get(reverse("mobilization:call_up_new")).status_code == status


def test_call_up_new_posts(client, mob, tree):
    response = _as(client, mob.chair).post(
        reverse("mobilization:call_up_new"),
        {
            "organisation": mob.committee.pk,
            "response": mob.response.pk,
            "title": "第二批集结号",
            "quota": 5,
            "deadline": "2099-01-01T12:00",
            "targets": f"{tree.community.code} 3\n新江三路社区 2",
        },
    )
    assert response.status_code == 302
    bad = _as(client, mob.chair).post(
        reverse("mobilization:call_up_new"),
        {
            "organisation": mob.committee.pk,
            "response": mob.response.pk,
            "title": "第三批",
            "quota": 5,
            "deadline": "2099-01-01T12:00",
            "targets": "不存在社区 3",
        },
    )
    assert "第 1 行:没有找到社区“不存在社区”" in bad.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 200), ("unit_admin", 200), ("manager", 404), ("outsider", 404)]
)
def test_call_up_detail_reads(client, mob, actors, entries, who, status):
    user = getattr(mob, who, None) or getattr(actors, who)
    response = _as(client, user).get(reverse("mobilization:call_up", args=[mob.call_up.pk]))
    assert response.status_code == status


def test_the_unit_admin_sees_their_own_funnel_and_no_share_link(client, mob, entries):
    page = _as(client, mob.unit_admin).get(reverse("mobilization:call_up", args=[mob.call_up.pk]))
    text = page.content.decode()
    assert "区财政局" in text
    assert "区教育局" not in text
    assert "share-url" not in text
    chair = _as(client, mob.chair).get(reverse("mobilization:call_up", args=[mob.call_up.pk]))
    assert "区教育局" in chair.content.decode()
    assert mob.call_up.token in chair.content.decode()


@pytest.mark.parametrize(("who", "status"), [("unit_admin", 403), ("outsider", 404)])
def test_screening_refused(client, mob, actors, who, status):
    sign_up(mob.call_up, 5)
    user = getattr(mob, who, None) or getattr(actors, who)
    response = _as(client, user).post(
        reverse("mobilization:call_up", args=[mob.call_up.pk]),
        {"min_age": 18, "max_age": 60, "require_health_declaration": "on"},
    )
    assert response.status_code == status
    assert SignUp.objects.get().status == SignUpStatus.REQUESTED


def test_screening_by_the_committee(client, mob):
    sign_up(mob.call_up, 5)
    sign_up(mob.call_up, 6, healthy=False)
    response = _as(client, mob.chair).post(
        reverse("mobilization:call_up", args=[mob.call_up.pk]),
        {"min_age": 18, "max_age": 60, "require_health_declaration": "on"},
        follow=True,
    )
    assert "通过 1 人,未通过 1 人" in response.content.decode()


def test_sign_up_list_three_actors(client, mob, actors, entries):
    url = reverse("mobilization:sign_ups", args=[mob.call_up.pk])
    chair = _as(client, mob.chair).get(url).content.decode()
    assert "队员1" in chair
    assert "李四" in chair
    assert "139****0001" in chair
    assert phone_for(1) not in chair
    own = _as(client, mob.unit_admin).get(url).content.decode()
    assert "队员1" in own
    assert "李四" not in own
    theirs = _as(client, mob.other_admin).get(url).content.decode()
    assert "李四" in theirs
    assert "队员1" not in theirs
    assert _as(client, actors.outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 302), ("unit_admin", 403), ("outsider", 404)]
)
def test_decide(client, mob, actors, who, status):
    entry = sign_up(mob.call_up, 5)
    user = getattr(mob, who, None) or getattr(actors, who)
    response = _as(client, user).post(
        reverse("mobilization:sign_up_decide", args=[entry.pk]),
        {"decision": "decline", "reason": "年龄不符"},
    )
    assert response.status_code == status
    entry.refresh_from_db()
    assert entry.status == (SignUpStatus.DECLINED if status == 302 else SignUpStatus.REQUESTED)


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 302), ("unit_admin", 403), ("outsider", 404)]
)
@pytest.mark.parametrize(("move", "ends_as"), [("end", "ended"), ("withdraw", "withdrawn")])
def test_the_committee_ends_or_withdraws_a_deployment(
    client, mob, actors, entries, who, status, move, ends_as
):
    ours, _theirs = entries
    user = getattr(mob, who, None) or getattr(actors, who)
    page = _as(client, user).get(reverse("mobilization:sign_ups", args=[mob.call_up.pk]))
    if status == 302:
        assert 'data-testid="end"' in page.content.decode()
    response = client.post(
        reverse("mobilization:sign_up_decide", args=[ours.pk]),
        {"decision": move, "reason": "任务完成"},
    )
    assert response.status_code == status
    ours.refresh_from_db()
    deployment = Deployment.objects.get(sign_up=ours)
    if status == 302:
        assert (ours.status, deployment.status) == (ends_as, ends_as)
    else:
        assert ours.status == SignUpStatus.DEPLOYED


def test_a_refused_move_is_shown(client, mob, tree):
    entry = sign_up(mob.call_up, 5)
    services.do_sign_up_decline(actor=SYSTEM, sign_up=entry, reason="不符合")
    response = _as(client, mob.chair).post(
        reverse("mobilization:sign_up_deploy", args=[entry.pk]),
        {"community": tree.community.code, "starts_on": "2020-02-10", "ends_on": "2020-03-10"},
    )
    assert "队员5 的报名目前是“未通过”,不能改为“已下沉”。" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 302), ("unit_admin", 403), ("outsider", 404)]
)
def test_deploy(client, mob, actors, tree, entries, who, status):
    _ours, theirs = entries
    user = getattr(mob, who, None) or getattr(actors, who)
    response = _as(client, user).post(
        reverse("mobilization:sign_up_deploy", args=[theirs.pk]),
        {"community": tree.community.code, "starts_on": "2020-02-10", "ends_on": "2020-03-10"},
    )
    assert response.status_code == status
    assert Deployment.objects.count() == (2 if status == 302 else 1)


@pytest.mark.parametrize(
    ("who", "status"), [("chair", 200), ("unit_admin", 403), ("outsider", 404)]
)
def test_proposal_page(client, mob, actors, entries, who, status):
    user = getattr(mob, who, None) or getattr(actors, who)
    url = reverse("mobilization:proposal", args=[mob.call_up.pk])
    assert _as(client, user).get(url).status_code == status


def test_proposal_made_edited_and_accepted(client, mob, tree, entries):
    c = _as(client, mob.chair)
    url = reverse("mobilization:proposal", args=[mob.call_up.pk])
    c.post(url, {"starts_on": "2020-02-10", "ends_on": "2020-03-10"})
    made = mob.call_up.proposals.get()
    line = made.lines.get()
    page = c.get(url).content.decode()
    assert "李四" in page
    c.post(
        reverse("mobilization:proposal_line", args=[made.pk, line.pk]),
        {"community": tree.sibling.code},
    )
    line.refresh_from_db()
    assert line.community == tree.sibling
    response = c.post(reverse("mobilization:proposal_accept", args=[made.pk]), follow=True)
    assert "1 人已下沉" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("unit_admin", 403), ("outsider", 404)])
def test_proposal_accept_refused(client, mob, actors, entries, who, status):
    from jijie.mobilization.proposal import do_proposal_make

    made = do_proposal_make(actor=SYSTEM, call_up=mob.call_up, starts_on=START, ends_on=END)
    user = getattr(mob, who, None) or getattr(actors, who)
    response = _as(client, user).post(reverse("mobilization:proposal_accept", args=[made.pk]))
    assert response.status_code == status
    assert Deployment.objects.count() == 1


def test_join_on_the_shared_link(client, mob, tree):
    url = reverse("mobilization:join", args=[mob.call_up.token])
    assert "疫情防控集结号" in client.get(url).content.decode()
    form = {
        "name": "王小红",
        "document_number": make_id(date(1990, 3, 3), 88),
        "phone": "13912345678",
        "organisation": mob.branch.pk,
        "kind": "party_member",
        "residence": tree.community.code,
        "skills": ["medical"],
        "fitness": "fit",
        "availability": "full_time",
        "health_declared": "on",
    }
    done = client.post(url, form)
    assert "王小红,您对“疫情防控集结号”的报名已提交" in done.content.decode()
    member = Member.objects.get()
    assert member.phone_masked == "139****5678"
    assert member.skills == ",medical,"
    # signing up again says the same, and signs up no one twice
    again = client.post(url, form)
    assert without_csrf(again) == without_csrf(done)
    assert SignUp.objects.count() == 1
    bad = client.post(url, {**form, "document_number": "12345"})
    assert "身份证号应为 18 位" in bad.content.decode()


def test_join_with_an_unknown_token_is_404(client, mob):
    assert client.get(reverse("mobilization:join", args=["nope"])).status_code == 404


def test_community_page_three_actors(client, mob, actors, tree, entries):
    url = reverse("mobilization:community", args=[tree.community.code])
    page = _as(client, actors.manager).get(url).content.decode()
    assert "队员1" in page
    assert "139****0001" in page
    assert phone_for(1) not in page
    assert pii.mask("id", make_id(date(1985, 5, 1), 1)) not in page
    # the row: the deployment's dates as the ledger writes them, where the member lives
    row = page[page.index("队员1") : page.index("</tr>", page.index("队员1"))]
    assert re.search(r"<small>\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}</small>", row)
    assert f"<td>{tree.sibling.name}</td>" in row
    assert "队员1" in _as(client, actors.lower).get(url).content.decode()
    assert _as(client, actors.outsider).get(url).status_code == 404
    assert _as(client, actors.member).get(url).status_code == 404
    # the committee sees the area but not who is deployed there
    assert _as(client, mob.chair).get(url).status_code == 403


def test_the_residence_community_sees_who_reports_there(client, actors, tree, entries):
    # 队员1 lives in 新江三路 and serves in 新港路 (双报到)
    page = _as(client, actors.outsider).get(
        reverse("mobilization:community", args=[tree.sibling.code])
    )
    assert "队员1" in page.content.decode()


def test_my_page(client, mob, actors, entries):
    ours, _theirs = entries
    assert _as(client, actors.member).get(reverse("mobilization:me")).status_code == 404
    ours.member.user = actors.member
    ours.member.save()
    page = _as(client, actors.member).get(reverse("mobilization:me")).content.decode()
    assert "新港路社区" in page
    assert "疫情防控集结号" in page
    response = _as(client, actors.member).post(
        reverse("mobilization:me"),
        {
            "version": 1,
            "name": "队员一",
            "kind": "party_member",
            "residence": "",
            "skills": ["driving"],
            "fitness": "fit",
            "availability": "weekends",
            "phone": "",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=ours.member_id)
    assert (member.name, member.skills, member.phone_masked) == (
        "队员一",
        ",driving,",
        "139****0001",
    )


def test_a_member_withdraws_only_their_own(client, mob, actors, entries):
    ours, theirs = entries
    ours.member.user = actors.member
    ours.member.save()
    c = _as(client, actors.member)
    assert c.post(reverse("mobilization:my_withdraw", args=[theirs.pk])).status_code == 404
    c.post(reverse("mobilization:my_withdraw", args=[ours.pk]))
    ours.refresh_from_db()
    assert ours.status == SignUpStatus.WITHDRAWN


def test_member_list_three_actors(client, mob, actors, entries):
    url = reverse("mobilization:members")
    chair = _as(client, mob.chair).get(url).content.decode()
    assert "队员1" in chair
    assert "李四" in chair
    own = _as(client, mob.unit_admin).get(url).content.decode()
    assert "队员1" in own
    assert "李四" not in own
    assert _as(client, actors.manager).get(url).status_code == 403


def test_member_import_refuses_a_file_too_large_before_reading_it(client, mob, monkeypatch):
    import io

    from django.core.files.uploadedfile import InMemoryUploadedFile

    from jijie.residents.imports import reader

    def unread(self, *args):
        raise AssertionError("the upload was read before its size was checked")

    upload = io.BytesIO(b"x" * 1000)
    upload.name = "m.csv"
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(InMemoryUploadedFile, "read", unread)  # as the view receives it
    response = _as(client, mob.unit_admin).post(
        reverse("mobilization:member_import"), {"organisation": mob.unit.pk, "file": upload}
    )
    assert response.status_code == 200
    assert "文件太大" in response.content.decode()
    assert not Member.objects.exists()


def test_member_import(client, mob, actors):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = make_id(date(1980, 1, 2), 11)
    csv = (
        "财政局党员名册\n姓名,身份证号,联系电话,身份,居住社区,技能\n"
        f"赵六,{good},13911112222,党员,新港路社区,驾驶\n"
    ).encode()
    url = reverse("mobilization:member_import")
    assert _as(client, actors.manager).get(url).status_code == 403
    bad = csv + b"\xe5\xad\x99\xe4\xb8\x83,123,139,\xe5\x85\x9a\xe5\x91\x98,,\n"
    response = _as(client, mob.unit_admin).post(
        url,
        {"organisation": mob.unit.pk, "file": SimpleUploadedFile("m.csv", bad)},
    )
    text = response.content.decode()
    assert "未导入任何人" in text
    assert "身份证号应为 18 位" in text
    assert not Member.objects.exists()
    response = _as(client, mob.unit_admin).post(
        url, {"organisation": mob.unit.pk, "file": SimpleUploadedFile("m.csv", csv)}
    )
    assert response.status_code == 302
    member = Member.objects.get()
    assert (member.name, member.organisation, member.skills) == ("赵六", mob.unit, ",driving,")
    assert member.residence is not None
    assert member.residence.name == "新港路社区"
    # another unit's admin cannot import into this unit
    response = _as(client, mob.other_admin).post(
        url, {"organisation": mob.unit.pk, "file": SimpleUploadedFile("m.csv", csv)}
    )
    assert "organisation" in response.context["form"].errors


def test_organisations_three_actors(client, mob, actors):
    services.do_organisation_leader_add(
        actor=SYSTEM,
        organisation=mob.branch,
        member=services.do_member_register(
            actor=SYSTEM, data=member_data(9, organisation=mob.branch)
        ).member,
        title="书记",
    )
    url = reverse("mobilization:organisations")
    chair = _as(client, mob.chair).get(url).content.decode()
    assert "区教育局" in chair
    assert "书记 队员9" in chair
    own = _as(client, mob.unit_admin).get(url).content.decode()
    assert "区财政局机关党支部" in own
    assert "区教育局" not in own
    assert _as(client, actors.manager).get(url).status_code == 403


@pytest.mark.parametrize(("who", "status"), [("manager", 302), ("lower", 403), ("outsider", 404)])
def test_team_new(client, mob, actors, tree, who, status):
    here = services.do_member_register(
        actor=SYSTEM, data=member_data(7, residence=tree.community)
    ).member
    response = _as(client, getattr(actors, who)).post(
        reverse("mobilization:team_new", args=[tree.community.code]),
        {"name": "突击队", "kind": "assault", "leader": here.pk, "members": [here.pk]},
    )
    assert response.status_code == status
    assert Team.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(("who", "status"), [("unit_admin", 403), ("outsider", 404)])
def test_proposal_line_refused(client, mob, actors, tree, entries, who, status):
    from jijie.mobilization.proposal import do_proposal_make

    made = do_proposal_make(actor=SYSTEM, call_up=mob.call_up, starts_on=START, ends_on=END)
    line = made.lines.get()
    response = _as(client, getattr(mob, who, None) or getattr(actors, who)).post(
        reverse("mobilization:proposal_line", args=[made.pk, line.pk]), {"community": ""}
    )
    assert response.status_code == status
    assert made.lines.count() == 1


def test_a_signed_in_member_signs_up_with_one_tap(client, mob, actors):
    mine = services.do_member_register(
        actor=SYSTEM, data=member_data(4, organisation=mob.unit)
    ).member
    mine.user = actors.member
    mine.save()
    url = reverse("mobilization:join", args=[mob.call_up.token])
    c = _as(client, actors.member)
    assert "以 队员4(139****0004)的身份报名" in c.get(url).content.decode()
    done = c.post(url, {"availability": "weekends", "health_declared": "on"})
    assert "报名成功" in done.content.decode()
    entry = SignUp.objects.get()
    assert (entry.member, entry.availability, entry.unit) == (mine, "weekends", mob.unit)
    again = c.post(url, {"availability": "weekends", "health_declared": "on"})
    assert "无需重复报名" in again.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("chair", 200), ("unit_admin", 200), ("other_admin", 404), ("manager", 404)],
)
def test_organisation_detail_reads(client, mob, actors, who, status):
    url = reverse("mobilization:organisation", args=[mob.unit.pk])
    user = getattr(mob, who, None) or getattr(actors, who)
    assert _as(client, user).get(url).status_code == status


def test_the_unit_admin_names_leaders_and_the_committee_pairs(client, mob, tree):
    secretary = services.do_member_register(
        actor=SYSTEM, data=member_data(3, organisation=mob.branch)
    ).member
    url = reverse("mobilization:organisation", args=[mob.unit.pk])
    admin = _as(client, mob.unit_admin)
    assert (
        admin.post(url, {"lead": "1", "member": secretary.pk, "title": "书记"}).status_code == 302
    )
    assert mob.unit.leaders.get().member == secretary
    pairing = {"pair": "1", "community": tree.community.code, "starts_on": "2020-02-10"}
    assert admin.post(url, pairing).status_code == 403
    assert _as(client, mob.chair).post(url, pairing).status_code == 302
    page = client.get(url).content.decode()
    assert "新港路社区 · 2020-02-10" in page
    assert "书记 队员3" in page
