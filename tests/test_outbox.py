"""The phone's outbox on the server: a sync answers item by item, each in its own
transaction, a refusal by field; a bad batch is refused whole; a signed-out phone is
told so. The service worker is served from the root, and only marked pages are kept."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from jijie.accounts.models import User
from jijie.areas.models import Area
from jijie.core import outbox
from jijie.core.views import OFFLINE_HEADER, offline_page

pytestmark = pytest.mark.django_db


def _echo(item: outbox.Item) -> outbox.Outcome:
    """A kind for the test: stores an area's name; `fail` refuses after the write."""
    Area.objects.filter(code="441602").update(name=item.get("name"))
    if item.get("fail") == "field":
        raise ValidationError({"name": "名称不对。", "door": ["门牌不对。"]})
    if item.get("fail") == "whole":
        raise ValidationError("整条不对。")
    if item.get("fail") == "denied":
        raise PermissionDenied("不能做。")
    if item.get("fail") == "fault":
        raise RuntimeError("a fault of the server's")
    return outbox.stored(f"已保存 {item.get('name')}")


@pytest.fixture
def echo():
    outbox.register("test.echo", _echo)
    yield
    outbox._handlers.pop("test.echo")


def _sync(client, *items: object):
    return client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    )


def _item(ref: str, **fields: str) -> dict[str, object]:
    return {"kind": "test.echo", "client_ref": ref, "fields": fields}


def test_each_item_is_answered_on_its_own(client, echo, tree, actors):
    client.force_login(actors.manager)
    answer = _sync(
        client,
        _item("a", name="甲", fail="field"),
        _item("b", name="乙"),
        _item("c", name="丙", fail="whole"),
        _item("d", name="丁", fail="denied"),
        {"kind": "test.nothing", "client_ref": "e", "fields": {}},
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["client_ref"] for r in results] == ["a", "b", "c", "d", "e"]
    assert [r["status"] for r in results] == ["refused", "stored", "refused", "refused", "refused"]
    assert results[0]["errors"] == {"name": ["名称不对。"], "door": ["门牌不对。"]}
    assert results[2]["errors"] == {"": ["整条不对。"]}
    assert results[3]["message"] == "不能做。"
    assert "请刷新页面" in results[4]["message"]
    # the refused items' writes were undone, the stored one's kept
    assert Area.objects.get(code="441602").name == "乙"


def test_a_fault_of_the_server_refuses_its_item_alone(client, echo, tree, actors, caplog):
    client.force_login(actors.manager)
    answer = _sync(
        client,
        _item("a", name="甲", fail="fault"),
        _item("b", name="乙"),
    )
    assert answer.status_code == 200
    first, second = answer.json()["results"]
    assert (first["status"], second["status"]) == ("refused", "stored")
    assert "留在手机上" in first["message"]
    assert Area.objects.get(code="441602").name == "乙"  # the fault's write undone
    assert "甲" not in caplog.text  # the item's fields are not logged
    assert "test.echo" in caplog.text


def test_a_bad_batch_is_refused_whole(client, echo, tree, actors):
    client.force_login(actors.manager)
    url = reverse("sync")
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, "{}", content_type="application/json").status_code == 400
    assert _sync(client, {"kind": "test.echo", "fields": {}}).status_code == 400
    assert _sync(client, "x").status_code == 400
    too_many = [_item(str(n), name="x") for n in range(outbox.MAX_ITEMS + 1)]
    answer = _sync(client, *too_many)
    assert answer.status_code == 400
    assert str(outbox.MAX_ITEMS) in answer.json()["detail"]
    assert Area.objects.get(code="441602").name != "x"
    assert client.get(url).status_code == 405


def test_a_signed_out_phone_is_told_and_nothing_is_stored(client, echo, tree):
    answer = _sync(client, _item("a", name="甲"))
    assert answer.status_code == 401
    assert "重新登录" in answer.json()["detail"]
    assert Area.objects.get(code="441602").name != "甲"


def test_a_sync_needs_the_pages_csrf_token(echo, tree, actors):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(actors.manager)
    assert _sync(strict, _item("a", name="甲")).status_code == 403


def test_the_service_worker_is_served_from_the_root(client):
    answer = client.get(reverse("service_worker"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/"
    body = answer.content.decode()
    assert "/static/jijie/outbox.js" in body
    assert "X-Offline-Page" in body
    assert "没有网络" in body


def test_only_a_marked_page_is_kept_and_only_when_it_is_shown(rf: RequestFactory):
    from django.http import HttpResponse

    kept = offline_page(lambda request: HttpResponse("ok"))
    assert kept(rf.get("/"))[OFFLINE_HEADER] == "keep"
    refused = offline_page(lambda request: HttpResponse("no", status=403))
    assert OFFLINE_HEADER not in refused(rf.get("/"))


def test_a_page_of_the_app_carries_the_sync_address_for_its_user(client, tree, actors):
    client.force_login(actors.manager)
    shown = client.get(reverse("accounts:home")).content.decode()
    assert f'data-user="{actors.manager.pk}"' in shown
    assert 'data-sync="/sync/"' in shown
    assert "no-store" in client.get(reverse("accounts:home"))["Cache-Control"]
    assert OFFLINE_HEADER not in client.get(reverse("accounts:home"))


def test_an_item_names_its_user(echo, tree, actors):
    raw = {"kind": "test.echo", "client_ref": " r1 ", "fields": {"name": "甲", "n": None}}
    items = outbox.read({"items": [raw]}, actors.manager)
    assert items[0].client_ref == "r1"
    assert items[0].fields == {"name": "甲"}
    assert isinstance(items[0].user, User)
