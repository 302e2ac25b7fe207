from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form


class DateInput(forms.DateInput):
    """The phone's date picker (<input type="date">). Its value is always ISO
    (YYYY-MM-DD): drawn in the language's own date format (2026/03/10 in Chinese) the
    picker would show an initial date as empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
