"""The words of the disclosure log: what left Doorway and to whom, as stable keys.

A disclosure stores keys (`Disclosure.what`, and `Disclosure.recipient` when no partner
agency received it), never sentences, so that her record reads in the language of
whoever opens it, and never her words or a name of hers. Each path out names what it
lets leave with these keys: a referral, her consent's scope (`SharingScope` values); an
export, what its columns say about her; a printed plan, her name and plan. A key this
module does not know (written by a later path) is shown as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from doorway.people.models import SharingScope

# What left, beyond a consent's scope.
PARTICIPANT_CODE = "participant_code"
PREFERRED_NAME = "preferred_name"
PHASE = "phase"
CASELOAD_GROUP = "caseload_group"
DUE_ITEMS = "due_items"
CONTACTS = "contacts"
ATTENDANCE = "attendance"

WHAT = {
    **dict(SharingScope.choices),
    PARTICIPANT_CODE: _("Her participant code"),
    PREFERRED_NAME: _("Her preferred name"),
    PHASE: _("Her phase, or why she left"),
    CASELOAD_GROUP: _("Her group on the caseload"),
    DUE_ITEMS: _("What is due for her, and when"),
    CONTACTS: _(
        "Her contacts: date, kind, length, focus areas, key ingredients, who recorded them"
    ),
    ATTENDANCE: _("Drop-ins and groups she came to: date, kind, topic, program, facilitators"),
}

# To whom, when no partner agency received it.
DOWNLOADED = "downloaded"
PRINTED_FOR_HER = "printed_for_her"

RECIPIENTS = {
    DOWNLOADED: _("The member of staff who downloaded the file"),
    PRINTED_FOR_HER: _("Printed for her"),
}


def what_labels(keys: list[str]) -> list[str]:
    """What left, in the reader's language."""
    return [str(WHAT.get(key, key)) for key in keys]


def recipient_label(key: str) -> str:
    return str(RECIPIENTS.get(key, key))
