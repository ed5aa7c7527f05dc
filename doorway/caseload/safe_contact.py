"""The caseload's rule for her safe-contact instructions (issue 16): survivor-safety
guidance says to check back with her regularly, so her instructions are put on her case
manager's caseload to confirm with her `safe_contact_check_days` (her program's setting)
after she last confirmed them, or after she was registered if she never has
(`doorway.enrolments.safe_contact` says the same for the pages). With no instructions
on her record, the item asks for them.

A rule of her safety, not of the CTI rhythm: it sits beside the consent rules
(`doorway.caseload.consents`), outside the caseload's own cadence rules of
`doorway.caseload.due`. One query for any number of enrolments; the label never names
her or repeats her instructions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from doorway.enrolments.due import Due, DueKind
from doorway.enrolments.models import Enrolment
from doorway.enrolments.safe_contact import confirmation_due_on
from doorway.people.models import Participant

# Stored in English, translated when shown: with or without instructions on her record.
SAFE_CONTACT_LABELS = {
    True: gettext_noop("Confirm her safe-contact instructions with her"),
    False: gettext_noop("Ask her how it is safe to reach her"),
}


def safe_contact_check_due(enrolments: Sequence[Enrolment]) -> Iterable[Due]:
    """Open enrolments: her safe-contact instructions are to be confirmed with her
    `safe_contact_check_days` (her program's setting) after she last confirmed them, or
    after she was registered if she never has (`doorway.enrolments.safe_contact`). With
    no instructions on her record, the item asks for them. One query."""
    watched = [e for e in enrolments if e.is_open]
    if not watched:
        return []
    hers = {
        pk: (confirmed_on, timezone.localdate(registered_at), has_instructions)
        for pk, confirmed_on, registered_at, has_instructions in Participant.objects.filter(
            pk__in={e.participant_id for e in watched}
        )
        # Whether she has instructions, asked of the database: none is decrypted here.
        .annotate(
            has_instructions=ExpressionWrapper(~Q(safe_contact=""), output_field=BooleanField())
        )
        .values_list("pk", "safe_contact_confirmed_on", "registered_at", "has_instructions")
    }
    dues = []
    for e in watched:
        confirmed_on, registered, has_instructions = hers[e.participant_id]
        dues.append(
            Due(
                enrolment_id=e.pk,
                kind=DueKind.SAFE_CONTACT,
                due_on=confirmation_due_on(
                    confirmed_on, registered, e.cycle.program.safe_contact_check_days
                ),
                label=SAFE_CONTACT_LABELS[bool(has_instructions)],
            )
        )
    return dues
