"""What every Doorway form shares: Bootstrap classes on its widgets, and errors that
mark the field they are about. (Django itself adds aria-invalid and points
aria-describedby at the error list.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class BootstrapForm:
    """Mix in before `forms.Form` or `forms.ModelForm`: Bootstrap classes on every
    widget, and on a field with errors `is-invalid` plus aria-describedby pointing at
    its errors and help (as `web/_field.html` renders them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        form: Any = self
        errors = form._errors or {}
        for name, field in form.fields.items():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if name in errors:
                css += " is-invalid"
                described = [f"{form[name].auto_id}-errors"]
                if field.help_text:
                    described.append(f"{form[name].auto_id}_helptext")
                widget.attrs["aria-describedby"] = " ".join(described)
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.style_fields()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self.style_fields()


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put an action's refusal next to the field it is about (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
