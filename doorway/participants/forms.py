"""The participant search's form, shared by the participant list and the search box in
the navigation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from doorway.encryption import PREFIX_LENGTH, normalise


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Code or name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "A participant code or its beginning, or the first letters (at least 3) of "
            "one or more of her names."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-control"}
        ),
    )


def too_short_for_names(term: str) -> str:
    """What to tell her when no word of `term` is long enough to find a name by its
    beginning (a code, or a whole name, is still looked up); '' when one is."""
    words = normalise(term).split()
    if not words or any(len(w) >= PREFIX_LENGTH for w in words):
        return ""
    return gettext(
        "Type at least %(count)d letters of a name to find the names that begin with them. "
        "With fewer, only a code's beginning or a whole name is found."
    ) % {"count": PREFIX_LENGTH}
