"""Who may do what with contacts, for someone who already reaches the enrolment
(`access_enrolment` decides that). Case notes are clinical: a peer mentor never reads
one, an administrator reads them only through break-the-glass and never writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from doorway.casework.models import ContactKind
from doorway.people.capabilities import Action, may
from doorway.people.roles import Role

if TYPE_CHECKING:
    from doorway.people.models import User

WRITERS = {Role.CASE_MANAGER, Role.PROGRAM_MANAGER}


def reads_case_notes(user: User) -> bool:
    # An administrator reaches an enrolment only while her glass is broken.
    return may(user, Action.READ_CASE_NOTES)


def records_contacts(user: User) -> bool:
    return may(user, Action.RECORD_CONTACTS)


def kinds_for(user: User) -> list[ContactKind]:
    if user.role in WRITERS:
        return list(ContactKind)
    if user.role == Role.PEER_MENTOR:
        return [ContactKind.PEER_CONTACT]
    return []


def edits_contacts(user: User) -> bool:
    """A peer mentor records peer contacts but does not edit them: the edit form would
    show her the note back."""
    return may(user, Action.EDIT_CONTACTS)


def contacts_listed_for(user: User, contacts: Any) -> Any:
    """A peer mentor sees only the peer contacts she recorded herself."""
    if user.role == Role.PEER_MENTOR:
        return contacts.filter(recorded_by=user, kind=ContactKind.PEER_CONTACT)
    return contacts
