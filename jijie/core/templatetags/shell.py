"""The page shell's pieces (`base.html`)."""

from __future__ import annotations

from django import template
from django.template.context import Context

register = template.Library()

_MENU_ENTRIES = "core/_menu_entries.html"


@register.simple_tag(takes_context=True)
def menu_entries(context: Context) -> str:
    """The menu's entries (its links, the user's name, signing out, the language): a
    page draws them twice, a desktop's row and a phone's list, the same both times, so
    they are rendered once a page."""
    drawn = context.render_context.get(_MENU_ENTRIES)
    if drawn is None:
        assert context.template is not None  # a tag renders inside a template
        entries = context.template.engine.get_template(_MENU_ENTRIES)
        drawn = context.render_context[_MENU_ENTRIES] = entries.render(context)
    return drawn
