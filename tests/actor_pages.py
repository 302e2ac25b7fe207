"""Every page of an app asked by three actors, for an app's `test_actors`: nobody signed
in (sent to sign in, nothing written), someone with no role or out of the record's scope
(the status the page names, nothing written, nothing of the record shown) and the one
who may (answered, the deed done). An app describes each of its URL names as a `Page`
over its own `World` (the records the pages are about, and `user(who)` for an actor by
name); a URL added without its case fails `every_url_has_its_case`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.apps import apps
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from jijie.accounts.models import User
from jijie.audit.models import AuditEvent


class World(Protocol):
    def user(self, who: str) -> User: ...


W = TypeVar("W", bound=World)


def _nothing(world: Any) -> None:
    return None


@dataclass(frozen=True)
class Page(Generic[W]):
    """How one URL is asked for: by GET, by POST (with `data`) or both; the status each
    actor out of scope gets, for every method; the actor who may, and what they get."""

    url: Callable[[W], str]
    denied: dict[str, int]
    may: str
    # after the one who may asked: what the page showed (GET) or what was done (POST)
    shows: str | bytes
    get: int | None = 200  # what the one who may gets; None: the view takes no GET
    post: int | None = None  # None: the view takes no POST
    data: Callable[[W], dict[str, Any]] = field(default=lambda w: {})
    given: Callable[[W], None] = _nothing  # the state the request needs
    done: Callable[[W], bool] = field(default=lambda w: True)

    @property
    def methods(self) -> list[str]:
        return [method for method, then in (("get", self.get), ("post", self.post)) if then]


def url_names(patterns: Iterable[URLPattern | URLResolver]) -> list[str]:
    return [p.name for p in patterns if isinstance(p, URLPattern) and p.name]


def every_url_has_its_case(pages: dict[str, Page[Any]], patterns: Iterable[Any]) -> None:
    assert set(pages) == set(url_names(patterns))


def ask(client: Client, method: str, page: Page[W], world: W) -> Any:
    if method == "post":
        return client.post(page.url(world), page.data(world))
    return client.get(page.url(world))


def written(app_label: str) -> dict[str, Any]:
    """Every row of the app's tables, and how many audit rows: what a refused request
    must leave as it was."""
    rows: dict[str, Any] = {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config(app_label).get_models()
    }
    rows["audit"] = AuditEvent.objects.count()
    return rows


def nobody_is_sent_to_sign_in(client: Client, page: Page[W], world: W, app_label: str) -> None:
    page.given(world)
    before = written(app_label)
    for method in ("get", "post"):
        response = ask(client, method, page, world)
        assert response.status_code == 302, method
        assert response.url.startswith(reverse("accounts:login")), method
    assert written(app_label) == before


def outsiders_are_refused(
    client: Client,
    page: Page[W],
    world: W,
    app_label: str,
    shows_nothing: Callable[[HttpResponse], bool],
) -> None:
    page.given(world)
    before = written(app_label)
    for who, status in page.denied.items():
        client.force_login(world.user(who))
        for method in page.methods:
            response = ask(client, method, page, world)
            assert response.status_code == status, (who, method)
            assert shows_nothing(response), (who, method)
    assert written(app_label) == before


def the_one_who_may_is_answered(client: Client, page: Page[W], world: W) -> None:
    page.given(world)
    client.force_login(world.user(page.may))
    if page.get is not None:
        response = client.get(page.url(world))
        assert response.status_code == page.get
        shows = page.shows if isinstance(page.shows, bytes) else page.shows.encode()
        assert shows in response.content
    if page.post is not None:
        response = client.post(page.url(world), page.data(world))
        assert response.status_code == page.post
        assert page.done(world)
