"""FindRadio: a list of people to tap, narrowed by a name or its pinyin initials typed
in a box that belongs to no form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jijie.core import forms

PEOPLE = [("1", "王小明"), ("2", "李华"), ("3", "王芳"), ("4", "John Smith")]
SCRIPT = Path(__file__).resolve().parents[1] / "static" / "jijie" / "picker.js"


class ChooseForm(forms.Form):
    person = forms.ChoiceField(label="队员", choices=PEOPLE, widget=forms.FindRadio)


def test_each_choice_carries_its_name_and_initials_and_the_box_is_never_sent():
    html = str(ChooseForm()["person"])
    radios = re.findall(
        r'<input type="radio" name="person" value="(\d)"[^>]*data-find="([^"]*)"', html
    )
    assert dict(radios) == {"1": "王小明 wxm", "2": "李华 lh", "3": "王芳 wf", "4": "john smith js"}
    (box,) = re.findall(r'<input type="search"[^>]*>', html)
    assert "name=" not in box  # what is typed is no field of the form
    assert 'form="id_person_alone"' in box  # and belongs to no form on the page


def test_the_choice_is_taken_as_a_plain_radio():
    form = ChooseForm({"person": "3"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == "3"


@pytest.mark.browser
def test_typing_initials_narrows_the_list_on_a_phone(phone):
    html = str(ChooseForm()["person"])
    phone.set_content(f"<form>{html}</form><script>{SCRIPT.read_text()}</script>")
    shown = "input[type=radio]:visible"
    assert phone.locator(shown).count() == 4
    phone.fill("input[type=search]", "wxm")
    assert [phone.locator(shown).nth(0).get_attribute("value")] == ["1"]
    assert phone.locator(shown).count() == 1
    phone.fill("input[type=search]", "王")
    assert phone.locator(shown).count() == 2
    phone.check("input[value='3']")
    phone.fill("input[type=search]", "zzz")  # nothing matches: the one chosen stays
    assert phone.locator(shown).count() == 1
    assert phone.locator("[data-find-none]").is_hidden()
    phone.fill("input[type=search]", "")
    assert phone.locator(shown).count() == 4
