from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doorway.fidelity_review.actions import MAX_SAMPLE, MAX_SEED
from doorway.fidelity_review.models import Rating
from doorway.web.forms import BootstrapForm


class DrawForm(BootstrapForm, forms.Form):
    sample_size = forms.IntegerField(
        label=_("Records to draw"),
        min_value=1,
        max_value=MAX_SAMPLE,
        initial=10,
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text=_(
            "Leave it empty for a random seed, chosen and recorded. The same seed and the "
            "same population draw the same records."
        ),
    )


class RatingForm(BootstrapForm, forms.Form):
    """A rating for each item; an item left unrated keeps what it had."""

    def __init__(self, items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[item["item"]] = forms.ChoiceField(
                label=item["label"],
                choices=Rating.choices,
                required=False,
                widget=forms.RadioSelect,
            )
        self.style_fields()

    def ratings(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}
