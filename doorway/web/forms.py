"""What every Doorway form shares: Bootstrap classes on its widgets, and errors that
mark the field they are about. (Django itself adds aria-invalid and points
aria-describedby at the error list.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class BootstrapForm(forms.BaseForm):
    """Mix in before `forms.Form` or `forms.ModelForm`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put an action's refusal next to the field it is about (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
