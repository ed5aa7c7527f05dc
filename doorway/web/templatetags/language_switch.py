"""The languages the header's switch offers."""

from __future__ import annotations

from django import template

from doorway.people.models import Language

register = template.Library()


@register.simple_tag
def switch_languages() -> list[tuple[str, str, str]]:
    """(code, name, lang) for each language Doorway speaks, named in itself ("English",
    "Français") whatever the page's language: Django's `get_available_languages` would
    translate the names, and a French page would offer "Anglais" to someone who reads
    only English."""
    return [(code, str(name), code.split("-")[0]) for code, name in Language.choices]
