"""`{% rows "app/…" %}`: a long table's rows, drawn by Jinja2 (`jijie.core.jinja`)."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from jijie.core import jinja

register = template.Library()


@register.simple_tag(takes_context=True)
def rows(context: Context, template_name: str) -> SafeString:
    """The Jinja2 template `template_name` drawn with the page's context (escaped by
    Jinja2 as it is drawn)."""
    return mark_safe(jinja.render(template_name, context.flatten()))  # noqa: S308 - autoescaped
