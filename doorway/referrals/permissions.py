"""Who may do what with referrals, for someone who already reaches the enrolment
(`access_enrolment` decides that). A referral says where she is getting help (a
shelter, a clinic, a lawyer): case content, so a peer mentor never sees one, and an
administrator reads them only through break-the-glass and never writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from doorway.people.capabilities import Action, may

if TYPE_CHECKING:
    from doorway.people.models import User


def reads_referrals(user: User) -> bool:
    return may(user, Action.READ_REFERRALS)


def makes_referrals(user: User) -> bool:
    return may(user, Action.MAKE_REFERRALS)
