"""Every area page with three actors: the manager (community secretary), a lower role in
the same community (403 on writes), an outsider from the sibling community (404)."""

import pytest
from django.urls import reverse

from jijie.areas.models import Area


def _client(client, user):
    client.force_login(user)
    return client


PAGES_READ = ["areas:detail"]
PAGES_WRITE = ["areas:add_child", "areas:edit", "areas:add_compound"]


@pytest.mark.parametrize("name", PAGES_READ + PAGES_WRITE)
def test_outsider_gets_404_everywhere(client, tree, actors, name):
    _client(client, actors.outsider)
    assert client.get(reverse(name, args=[tree.community.code])).status_code == 404
    assert client.post(reverse(name, args=[tree.community.code]), {"name": "x"}).status_code in (
        404,
        405,
    )


@pytest.mark.parametrize("name", PAGES_WRITE)
def test_lower_role_gets_403_on_writes(client, tree, actors, name):
    _client(client, actors.lower)
    assert client.get(reverse(name, args=[tree.community.code])).status_code == 403
    response = client.post(reverse(name, args=[tree.community.code]), {"name": "新名字"})
    assert response.status_code == 403
    assert "您的角色不能" in response.content.decode()
    assert Area.objects.get(pk=tree.community.pk).name == "新港路社区"


@pytest.mark.parametrize("name", PAGES_READ + PAGES_WRITE)
def test_manager_opens_every_page(client, tree, actors, name):
    _client(client, actors.manager)
    assert client.get(reverse(name, args=[tree.community.code])).status_code == 200


def test_lower_role_reads(client, tree, actors):
    _client(client, actors.lower)
    response = client.get(reverse("areas:detail", args=[tree.community.code]))
    assert response.status_code == 200
    assert "第01网格" in response.content.decode()
    assert reverse("areas:add_child", args=[tree.community.code]) not in response.content.decode()


def test_detail_shows_counts_and_breadcrumb(client, tree, actors):
    _client(client, actors.street)
    page = client.get(reverse("areas:detail", args=[tree.street.code])).content.decode()
    assert "新港路社区" in page
    assert "新江三路社区" in page
    assert "232" in page  # dwellings of 新港路社区: 64 + 48 + 120
    assert reverse("areas:detail", args=[tree.district.code]) not in page  # no link upwards


def test_manager_adds_a_grid_through_the_form(client, tree, actors):
    _client(client, actors.manager)
    response = client.post(
        reverse("areas:add_child", args=[tree.community.code]),
        {"kind": "grid", "name": "第03网格", "code": "441602004001-03"},
    )
    assert response.status_code == 302
    assert Area.objects.get(code="441602004001-03").ancestor_path(4) == tree.community.path


def test_form_shows_the_reason_for_a_bad_code(client, tree, actors):
    _client(client, actors.manager)
    response = client.post(
        reverse("areas:add_child", args=[tree.community.code]),
        {"kind": "grid", "name": "第03网格", "code": "441602004002-03"},
    )
    assert response.status_code == 200
    assert "代码应为上级代码加" in response.content.decode()
    assert not Area.objects.filter(code="441602004002-03").exists()


def test_malformed_code_is_a_clear_400(client, tree, actors):
    _client(client, actors.manager)
    response = client.get("/areas/not-a-code/")
    assert response.status_code == 400
    assert "格式不正确" in response.content.decode()


def test_unknown_code_is_a_clear_404(client, tree, actors):
    _client(client, actors.manager)
    response = client.get(reverse("areas:detail", args=["441602004099"]))
    assert response.status_code == 404
    assert "管辖范围" in response.content.decode()


def test_index_redirects_to_the_single_scope(client, tree, actors):
    _client(client, actors.manager)
    response = client.get(reverse("areas:index"))
    assert response.url == reverse("areas:detail", args=[tree.community.code])


def test_member_without_area_role_gets_a_clear_403(client, tree, actors):
    _client(client, actors.member)
    response = client.get(reverse("areas:index"))
    assert response.status_code == 403
    assert "不包含浏览区域" in response.content.decode()


def test_search_page_and_htmx_fragment_stay_in_scope(client, tree, actors):
    _client(client, actors.manager)
    page = client.get(reverse("areas:search"), {"q": "网格"}).content.decode()
    assert "441602004001-01" in page
    assert "441602004002-01" not in page
    fragment = client.get(reverse("areas:search"), {"q": "新江三路"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "没有匹配" in fragment.content.decode()


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(reverse("areas:detail", args=[tree.community.code]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_detail_query_count_does_not_grow_with_children(
    client, tree, actors, django_assert_max_num_queries
):
    from jijie.areas.services import do_area_create
    from jijie.audit.actors import SYSTEM

    _client(client, actors.manager)
    url = reverse("areas:detail", args=[tree.community.code])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(3, 12):
        do_area_create(
            actor=SYSTEM,
            parent=tree.community,
            kind="grid",
            code=f"441602004001-{n:02d}",
            name=f"第{n:02d}网格",
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)
