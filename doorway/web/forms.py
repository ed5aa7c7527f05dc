"""What every Doorway form shares: Bootstrap classes on its widgets, and errors that
mark the field they are about. (Django itself adds aria-invalid and points
aria-describedby at the error list.)"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    # To the type checker, a mixin is the form it is mixed into, so its super() calls
    # are checked against Django's form; at run time it is a plain class.
    _Form = forms.BaseForm
else:
    _Form = object


class BootstrapForm(_Form):
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
        super().full_clean()
        self.style_fields()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self.style_fields()


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put an action's refusal next to the field it is about (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# What a version looks like (`concurrency.version_of`), or `concurrency.NEW`.
VERSION_SHAPE = re.compile(r"[0-9a-f]{32}|new")
UNKNOWN_VERSION = _(
    "This form did not say which version of the record it was opened on, so your "
    "change was not saved: it could have undone someone else's. Open the page again "
    "and make your change there."
)


class VersionedForm(_Form):
    """Mix in first, on a form that edits an existing record: a hidden `version` field
    carries the version of the record the form showed (`doorway.concurrency`), so that
    the action can refuse a save when someone else saved in between.

    Pass `version=` when building the form; after `is_valid()`, `expected_version` is
    what the form showed, and `cleaned_data` does not hold it. A form built with a
    version (it edits a record, or shows that there is none yet) is refused, with
    nothing saved, when the post carries no version or one that is not a version: a
    save that cannot say what it saw could undo someone else's change unnoticed. A form
    built without one (adding a record) needs none.

    When the action raises `StaleVersion`, call `show_theirs`: her input stays in the
    form, the form now carries the record's new version (so that saving again, once
    she has checked, goes through), and the stored values that differ from hers
    are listed beside the message (`web/_version.html`)."""

    expected_version: str | None = None
    theirs: list[tuple[str, str]]

    def __init__(self, *args: Any, version: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form: Any = self
        form.fields["version"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=version, max_length=64
        )
        self.needs_version = version is not None
        self.theirs = []

    def clean(self) -> dict[str, Any]:
        # A clean() may return None to keep cleaned_data, as Django's own form does.
        data = super().clean() or self.cleaned_data
        self.expected_version = (data.pop("version", "") or "").strip() or None
        if self.needs_version and not VERSION_SHAPE.fullmatch(self.expected_version or ""):
            self.expected_version = None
            raise ValidationError(UNKNOWN_VERSION, code="no_version")
        return data

    def show_theirs(self, version: str, current: dict[str, Any]) -> None:
        """Refuse as stale. `current` holds the record's stored values by field name,
        as `initial` would (ids for choices); a value may also be text to show as is."""
        from doorway.concurrency import StaleVersion

        form: Any = self
        data = form.data.copy()
        data[form.add_prefix("version")] = version
        form.data = data
        typed = getattr(form, "cleaned_data", {})
        self.theirs = []
        for name, field in form.fields.items():
            if name == "version" or name not in current:
                continue
            stored = shown_value(field, current[name])
            if name not in typed or shown_value(field, typed[name]) != stored:
                self.theirs.append((str(field.label or name), stored))
        form.add_error(None, StaleVersion())


def shown_value(field: forms.Field, value: Any) -> str:
    """A field's value as a person reads it: a choice by its label, a date as a date."""
    if value is None or value == "" or (isinstance(value, list | tuple | set) and not value):
        return "(empty)"
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        labels = {str(key): str(label) for key, label in choices}
        several = isinstance(value, list | tuple | set) or hasattr(value, "model")
        many = value if several else [value]
        return ", ".join(labels.get(str(getattr(v, "pk", v)), str(v)) for v in many)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
