"""Forms draw Django's widgets with their Jinja2 templates and the project's with its
Django templates (`core.forms.FormRenderer`), and the HTML is what Django's own
template engine draws."""

from __future__ import annotations

import re
from datetime import date

from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from jijie.core import forms


class Everything(forms.Form):
    name = forms.CharField(label="姓名", max_length=20, help_text="如:王小明")
    age = forms.IntegerField(label="年龄", min_value=0)
    temperature = forms.DecimalField(
        label="体温", required=False, widget=forms.NumberInput(attrs={"step": "0.1"})
    )
    contact = forms.ChoiceField(
        label="方式", choices=[("visit", "上门"), ("phone", "电话")], widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="类别", choices=[("", "—"), ("a", "甲 & 乙"), ("b", "<b>")])
    days = forms.MultipleChoiceField(
        label="日", choices=[("1", "一"), ("2", "二")], widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea)
    on = forms.DateField(label="日期", widget=forms.DateInput)
    agreed = forms.BooleanField(label="同意", required=False)
    ref = forms.CharField(required=False, widget=forms.HiddenInput)


def _same(html: str) -> str:
    """HTML with the whitespace between and inside tags made one space (the two engines
    lay the same tags out on different lines) and quotes escaped one way (Jinja2 writes
    &#34; and &#39; where Django writes &quot; and &#x27;: the same characters)."""
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def test_django_widgets_are_drawn_with_jinja2_and_the_projects_with_django():
    renderer = get_default_renderer()
    assert isinstance(renderer, forms.FormRenderer)
    assert isinstance(renderer.get_template("django/forms/widgets/input.html"), Jinja2Template)
    assert isinstance(renderer.get_template("django/forms/div.html"), Jinja2Template)
    assert isinstance(renderer.get_template(forms.FindRadio.template_name), DjangoTemplate)


def test_the_html_is_what_django_templates_draw():
    """Every kind of widget the forms use, empty, bound with errors and escaped text,
    and with initial values: the same tags, attributes and text either way."""
    data = {"name": "王<小>明", "age": "-1", "contact": "phone", "kind": "b", "days": ["2"]}
    initial = {"on": date(2026, 3, 10), "agreed": True, "ref": 'x"y'}
    for kwargs in ({}, {"data": data, "auto_id": "case7_%s"}, {"initial": initial}):
        ours, django = Everything(**kwargs), Everything(**kwargs, renderer=DjangoTemplates())
        if ours.is_bound:
            assert not ours.is_valid()
            assert not django.is_valid()
        assert _same(ours.render()) == _same(django.render())
        for mine, theirs in zip(ours, django, strict=True):
            assert _same(str(mine)) == _same(str(theirs))
            assert _same(str(mine.errors)) == _same(str(theirs.errors))
    bound = Everything(data)
    bound.is_valid()
    assert "王&lt;小&gt;明" in str(bound["name"])
    assert "&lt;b&gt;" in str(bound["kind"])
