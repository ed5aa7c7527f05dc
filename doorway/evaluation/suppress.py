"""Small-cell suppression for anything that leaves the building (the funder report, the
research export).

The rule, as the reports print it (`RULE`):

- A count of 1 to 4 people is shown as "<5". Four women, or one, in a cell can be
  recognised by someone who knows the program.
- 0 is shown as 0: nobody is in that cell, so nobody can be recognised in it.
- 5 or more is shown as it is.
- A percentage is shown only when both its numerator and its denominator are shown;
  a percentage of a suppressed count would give the count back, so it is left out.
- A total is shown as it is when it is 5 or more, even if a cell in it was suppressed:
  each suppressed cell is between 1 and 4, so the total alone does not give it back,
  when only one cell of a row with a published total would be suppressed, the next
  smallest count is hidden too (shown "n/s", not shown), so that subtracting from the
  total gives nothing away (`suppress_row`).

Pages seen only inside the agency (the evaluation page) show counts as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from doorway.evaluation.numbers import percentage

THRESHOLD = 5
SUPPRESSED = "<5"
# A count of 5 or more hidden only so that a "<5" beside it cannot be worked out.
NOT_SHOWN = "n/s"

RULE = gettext_lazy(
    "Small cells: any count of 1 to 4 people is shown as “<5” so that nobody can be "
    "recognised; 0 is shown as 0. A percentage is not shown when its count or its "
    "denominator is suppressed. Where a total is shown and only one count in its row "
    "would be suppressed, the next smallest count is not shown either (“n/s”), so "
    "that no suppressed count can be worked out by subtraction."
)


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def suppress(count: int) -> int | str:
    """The count as it may be published: 1-4 become "<5"."""
    return SUPPRESSED if is_small(count) else count


def suppress_percent(numerator: int, denominator: int) -> str:
    """ "63%", or "" when the numerator or denominator is suppressed (or zero)."""
    if denominator <= 0 or is_small(numerator) or is_small(denominator):
        return ""
    return percentage(round(100 * numerator / denominator))


def suppress_row(counts: Mapping[Any, int]) -> dict[Any, int | str]:
    """A row of counts that adds up to a published total: small cells become "<5",
    and if only one cell would be suppressed, the next smallest non-zero cell is
    hidden with it ("n/s", complementary suppression), so the total cannot give it
    back."""
    shown: dict[Any, int | str] = {key: suppress(n) for key, n in counts.items()}
    small = [key for key, n in counts.items() if is_small(n)]
    if len(small) == 1:
        others = sorted(
            (n, str(key), key) for key, n in counts.items() if n > 0 and key not in small
        )
        if others:
            shown[others[0][2]] = NOT_SHOWN
    return shown
