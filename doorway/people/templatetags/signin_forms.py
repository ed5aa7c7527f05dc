"""Bootstrap markup for the fields of allauth's forms (sign-in, second factor, password)."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def bootstrap(field: BoundField) -> SafeString:
    """The field's widget with Bootstrap's class, marked invalid when it has errors and
    tied to its help text for screen readers."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs: dict[str, str | bool] = {}
    existing = widget.attrs.get("class", "")
    css = f"{existing} {css}".strip()
    if field.errors:
        css += " is-invalid"
    attrs["class"] = css
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)
