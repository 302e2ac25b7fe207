"""The project's forms module: `from jijie.core import forms` where Django's would be
imported. It is `django.forms` (as `django.contrib.gis.forms` is), with a `CharField`
that cleans text by `jijie.core.text` and the project's own widgets and helpers. Every
text field of every form is then cleaned the same way without each form asking;
`jijie/core/tests/test_text.py` walks the forms to hold that."""

from typing import Any

from django import forms as django_forms
from django.forms import (
    BooleanField,
    CheckboxSelectMultiple,
    ChoiceField,
    ClearableFileInput,
    DateField,
    DateTimeField,
    DateTimeInput,
    DecimalField,
    Field,
    FileField,
    Form,
    HiddenInput,
    IntegerField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    MultipleChoiceField,
    NumberInput,
    PasswordInput,
    RadioSelect,
    Select,
    Textarea,
    TextInput,
    TimeField,
    TimeInput,
    TypedChoiceField,
    UUIDField,
    ValidationError,
    formset_factory,
)
from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.forms.widgets import Input
from django.utils.translation import gettext as _

from jijie.core import text
from jijie.core.pinyin import initials

# Django's forms, for `forms.X` in the project's form modules; add what a form needs.
__all__ = [
    "BooleanField",
    "CharField",
    "CheckboxSelectMultiple",
    "ChoiceField",
    "ClearableFileInput",
    "DateField",
    "DateInput",
    "DateTimeField",
    "DateTimeInput",
    "DecimalField",
    "Field",
    "FileField",
    "FindRadio",
    "Form",
    "FormRenderer",
    "HiddenInput",
    "Input",
    "IntegerField",
    "ModelChoiceField",
    "ModelMultipleChoiceField",
    "MultipleChoiceField",
    "NumberInput",
    "PasswordInput",
    "RadioSelect",
    "Select",
    "TextInput",
    "Textarea",
    "TimeField",
    "TimeInput",
    "TypedChoiceField",
    "UUIDField",
    "ValidationError",
    "apply_errors",
    "formset_factory",
]


class CharField(django_forms.CharField):
    """Django's CharField, its text cleaned (`jijie.core.text.clean`): refused with the
    field named when it holds control or bidirectional characters. A password is left
    as typed: it is never shown, and changing it would lock its owner out."""

    def to_python(self, value: Any) -> str | None:
        typed: str | None = super().to_python(value)
        if not typed or isinstance(self.widget, django_forms.PasswordInput):
            return typed
        multiline = isinstance(self.widget, django_forms.Textarea)
        cleaned = text.clean(typed, field=str(self.label or _("此项")), multiline=multiline)
        return cleaned or self.empty_value  # only invisible characters: as if empty


class DateInput(django_forms.DateInput):
    """The phone's date picker (<input type="date">). Its value is always ISO
    (YYYY-MM-DD): drawn in the language's own date format (2026/03/10 in Chinese) the
    picker would show an initial date as empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class FindRadio(RadioSelect):
    """A choice among many people (the members who may take a shift or an errand) as a
    list to tap, with a box above it that narrows the list as one types a name or its
    pinyin initials (wxm finds 王小明). The box is no form's field: what is typed in it
    is never sent. Without script the whole list is there to tap."""

    template_name = "core/widgets/find_radio.html"

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        label = str(option["label"])
        option["attrs"]["data-find"] = f"{label.lower()} {initials(label)}"
        return option


class FormRenderer(BaseRenderer):
    """How every form draws its widgets (settings.FORM_RENDERER): Django's own templates
    (its widgets, error lists and form layouts, all under django/forms/) with their
    Jinja2 versions, which Django ships beside them and which draw the same HTML; the
    project's widgets (`FindRadio`, the pickers) with its Django templates, as before.

    Django's template engine draws a widget through two or three nested templates and
    a select's or radio's every option through its own: on the care day page's five
    follow-up forms that was a third of the page's time, which Jinja2's compiled
    templates cut to a fraction."""

    def __init__(self) -> None:
        self.django = DjangoTemplates()
        self.jinja2 = Jinja2()

    def get_template(self, template_name: str) -> Any:
        if template_name.startswith("django/forms/"):
            return self.jinja2.get_template(template_name)
        return self.django.get_template(template_name)


def apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
