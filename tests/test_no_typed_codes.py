"""No form asks a user to type a code or a number only the database knows: a field for an
area, a building, a household or a member is picked (a picker, a list, a hidden value
the page fills), never a bare text or number box."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from django import forms as django_forms

import jijie
from jijie.areas.forms import AreaPicker
from jijie.residents.forms import HouseholdPicker

# Fields named like a reference to a record: an area's or a building's code, a
# household's or a member's number.
REFERENCE = re.compile(r"(^|_)(area|building|community|household|member|person)(_codes?|_ids?)?$")

# A new area's own code, chosen by whoever creates it (its official division code), is
# not a reference to pick; a second factor's code comes from the authenticator app.
DEFINES_A_CODE = {("AreaChildForm", "code"), ("MfaCodeForm", "code"), ("MfaVerifyForm", "code")}

PICKED = (
    AreaPicker,
    HouseholdPicker,
    django_forms.HiddenInput,
    django_forms.Select,
    django_forms.RadioSelect,
    django_forms.CheckboxSelectMultiple,
)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _forms() -> set[type[django_forms.Form]]:
    root = Path(jijie.__file__).parent
    for module in pkgutil.walk_packages([str(root)], prefix="jijie."):
        if module.name.endswith(".forms") and ".tests" not in module.name:
            importlib.import_module(module.name)
    return {form for form in _subclasses(django_forms.Form) if form.__module__.startswith("jijie.")}


def test_every_reference_field_is_picked() -> None:
    typed = []
    seen = 0
    for form in _forms():
        for name, field in form.base_fields.items():
            if (form.__name__, name) in DEFINES_A_CODE:
                continue
            if name == "code" or name.endswith("_code") or REFERENCE.search(name):
                seen += 1
                if not isinstance(field.widget, PICKED):
                    typed.append(f"{form.__module__}.{form.__name__}.{name}")
    assert seen > 10  # the walk found the forms
    assert typed == []
