"""Figures as the reader's language writes them: "63%" and "$15,292.42" in English,
"63 %" and "15 292,42 $" in French (a comma for decimals, a non-breaking space before
% and $, and between thousands). Only the writing changes, never the value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import pgettext


def percentage(value: Any, places: int | None = None) -> str:
    """A share already worked out (63, or 42.5 with `places`)."""
    return pgettext("a percentage", "%(percent)s%%") % {
        "percent": number_format(value, places, use_l10n=True)
    }


def dollars(amount: Decimal) -> str:
    """An amount to the cent, with the thousands grouped."""
    written = number_format(amount, 2, use_l10n=True, force_grouping=True)
    return pgettext("an amount in dollars", "$%(amount)s") % {"amount": written}


def decimal(value: Any, places: int) -> str:
    """A number to `places` decimals (2.35, 2,35)."""
    return number_format(value, places, use_l10n=True)
