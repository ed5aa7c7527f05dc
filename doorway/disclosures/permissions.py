"""Who reads her disclosure log, for someone who already reaches her record
(`doorway.enrolments.access` decides that). What left Doorway, to whom and under which
consent is case content: her care team and her program's managers read it, and an
administrator who broke the glass; a peer mentor never does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from doorway.people.capabilities import Action, may

if TYPE_CHECKING:
    from doorway.people.capabilities import Someone

REFUSED = _("What left Doorway about her is case content, read by her care team only.")


def reads_disclosures(user: Someone) -> bool:
    return may(user, Action.SEE_CASE_CONTENT)
