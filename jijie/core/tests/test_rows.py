"""`{% rows %}`: a long table's rows drawn by Jinja2 inside a Django page, escaped,
translated and linked as the Django templates are."""

from types import SimpleNamespace

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

PAGE = Template('{% load rows %}<tbody>{% rows "residents/_household_rows.html" %}</tbody>')


def _row(**household):
    fields = {
        "pk": 7,
        "building": SimpleNamespace(name="1栋"),
        "door_number": "101",
        "is_party_centre": False,
        "is_home_isolation": False,
        "is_hardship": False,
        "get_kind_display": lambda: "住户",
        **household,
    }
    return SimpleNamespace(
        household=SimpleNamespace(**fields), head=None, size=2, place=mark_safe("<i>网格</i>")
    )


def test_the_rows_escape_text_and_keep_safe_html():
    html = PAGE.render(Context({"rows": [_row(door_number="<script>1</script>")]}))
    assert "&lt;script&gt;1&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "<small><i>网格</i></small>" in html  # already safe: kept as it is
    assert f'href="{reverse("residents:household", args=[7])}"' in html
    assert "<td>—</td>" in html  # no head


def test_the_rows_speak_the_requests_language():
    rows = {"rows": [_row(is_home_isolation=True)]}
    assert '<span class="badge">居家隔离户</span>' in PAGE.render(Context(rows))
    with translation.override("en"):
        assert '<span class="badge">Home-isolation household</span>' in PAGE.render(Context(rows))
        assert "No households yet" in PAGE.render(Context({"rows": []}))
