"""A date picker shows its initial date in every language: <input type="date"> takes
only ISO dates, and Chinese formats dates as 2026/03/10."""

from datetime import date

from django import forms
from django.utils import translation

from jijie.core.forms import DateInput


class Dated(forms.Form):
    on = forms.DateField(widget=DateInput())


def test_the_initial_date_is_iso_in_chinese_and_english():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = str(Dated(initial={"on": date(2026, 3, 10)})["on"])
        assert 'type="date"' in html
        assert 'value="2026-03-10"' in html


def test_a_plain_date_input_would_not_be():
    # Why the widget exists: Django's own draws the language's format.
    with translation.override("zh-hans"):
        html = str(forms.DateInput(attrs={"type": "date"}).render("on", date(2026, 3, 10)))
    assert 'value="2026-03-10"' not in html


def test_a_posted_iso_date_is_read():
    with translation.override("zh-hans"):
        form = Dated({"on": "2026-03-10"})
        assert form.is_valid()
    assert form.cleaned_data["on"] == date(2026, 3, 10)
