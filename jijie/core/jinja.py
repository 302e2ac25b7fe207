"""Long tables' rows drawn by Jinja2 (`{% rows %}`, core/templatetags/rows.py).

Pages are Django templates. A ledger's page draws fifty rows of several cells each,
and Django's engine walks every cell's nodes and every variable's lookups at each
request: on the household ledger at seed scale that was most of the page's time. Jinja2
compiles a template to Python once, so a table's body is written as a Jinja2 template
under its app's `jinja2/` directory, included by the Django page where the loop was,
with the page's context. What it can use is what the Django templates use: `url(name,
*args)` for `{% url %}`, `_()` for `{% translate %}` (Django's own gettext, in the
request's language, and read by makemessages as in any template), Django's `date`
filter, autoescaping on (Django's safe strings stay safe).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.template.backends.jinja2 import Jinja2
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], **options)  # noqa: S701 - the backend turns autoescape on
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    env.filters["date"] = date  # Django's, as `{{ day|date:"Y-m-d" }}` formats
    return env


@cache
def _backend() -> Jinja2:
    return Jinja2(
        {
            "NAME": "rows",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {"environment": "jijie.core.jinja.environment"},
        }
    )


def render(template_name: str, context: Mapping[Any, Any]) -> str:
    """`template_name` (under an app's `jinja2/`) drawn with `context`: escaped HTML."""
    drawn: str = _backend().env.get_template(template_name).render(context)
    return drawn
