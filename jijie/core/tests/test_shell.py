"""The shell: language switch, error pages, assets served locally, API docs."""

from pathlib import Path

import polib
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse


def test_english_catalog_is_complete():
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po"))
    assert len(po) > 50
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_language_switch_to_english(client, actors):
    client.force_login(actors.manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("areas:detail", args=["441602004001"])).content.decode()
    assert "Dwellings" in page
    assert 'lang="en"' in page
    # the menu, made once per language, is the page's
    assert 'data-menu="residents">Residents<' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("areas:detail", args=["441602004001"])).content.decode()
    assert "户数" in page
    assert 'data-menu="residents">居民<' in page


def test_front_end_assets_are_local():
    for name in ["vendor/htmx.min.js", "vendor/echarts.min.js", "vendor/pico.min.css"]:
        assert finders.find(name), f"{name} missing: run `make setup`"


def test_api_docs_are_served_without_a_cdn(client, db):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "cdn" not in page.content.decode().lower()
    schema = client.get("/api/openapi.json").json()
    assert "/api/areas/{code}" in schema["paths"]


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_healthz(client, db):
    assert client.get("/healthz").content == b"ok"
