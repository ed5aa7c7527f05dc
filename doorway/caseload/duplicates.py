"""The likely-duplicate check, without telling anyone that a woman she cannot reach is
in the program.

A worker registering someone is shown the likely matches she may open, and nothing
else: not a count, not a hint. Whether a match exists in a record she cannot open or
no match exists at all, she reads the same words ("if this woman is known elsewhere in
the program, your program manager will be told"). A match she cannot open goes, as a
background task, to the program managers who reach both her and that record, as a
`DuplicateNotice` on their "Possible duplicates" page, to check and clear.

Every lookup is audited with the blind-index digests of the names typed (never the
names) and is limited per person (`DOORWAY_DUPLICATE_CHECKS_PER_HOUR`): a refused lookup
looks nothing up, writes nothing and says when to try again.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload.models import DuplicateNotice
from doorway.encryption import blind_index, normalise
from doorway.enrolments.access import participants_visible_to
from doorway.people.actions import find_likely_duplicates
from doorway.people.models import Participant, User
from doorway.people.roles import Role
from doorway.programs.models import Agency

WINDOW = 3600  # seconds: the rate limit counts lookups per person per hour


class TooManyLookups(Exception):
    """Refused by the rate limit; the message says when to try again."""

    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        minutes = max(1, -(-wait_seconds // 60))
        super().__init__(
            gettext(
                "You have checked many names in a short time. Nothing was looked up or "
                "saved: wait %(minutes)d minutes, then try again."
            )
            % {"minutes": minutes}
        )


@dataclass
class Lookup:
    """What the worker may be shown (`visible`), and, kept to this module, the matches
    she may not."""

    worker: User
    visible: list[Participant] = field(default_factory=list)
    _hidden: list[uuid.UUID] = field(default_factory=list, repr=False)

    def __bool__(self) -> bool:
        # Only what she may open counts as "a likely match" to her.
        return bool(self.visible)

    def registered(self, participant: Participant) -> None:
        """She registered `participant` after this lookup: the program managers' notice
        names the new record beside the one it may duplicate."""
        tell_program_managers(self.worker, self._hidden, registered=participant)


def _take_one(user: User) -> None:
    """Count one lookup for her this hour, or raise TooManyLookups (counting nothing
    more)."""
    limit = settings.DUPLICATE_CHECKS_PER_HOUR
    now = int(time.time())
    key = f"doorway:duplicate-checks:{user.pk}:{now // WINDOW}"
    cache.add(key, 0, timeout=WINDOW)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW)
        used = 1
    if used > limit:
        raise TooManyLookups(WINDOW - now % WINDOW)


def look_up(
    *,
    user: User,
    agency: Agency,
    names: list[str],
    date_of_birth: datetime.date | None,
    purpose: str,
    request: HttpRequest | None = None,
) -> Lookup:
    """The likely duplicates `user` may be shown. Rate-limited, audited, and any match
    she may not open sent to her program managers."""
    names = [n for n in names if normalise(n)]
    if not names:
        return Lookup(worker=user)
    _take_one(user)
    found = find_likely_duplicates(
        agency=agency,
        reached=participants_visible_to(user),
        names=names,
        date_of_birth=date_of_birth,
    )
    record(
        Action.SEARCH,
        actor=user,
        request=request,
        detail={
            "object_type": "people.Participant",
            "purpose": purpose,
            # The blind index of each name typed: who was looked up can be found by
            # whoever holds the key, and the log holds no name.
            "digests": sorted({blind_index(n) for n in names}),
            "with_date_of_birth": date_of_birth is not None,
            "visible": len(found.visible),
            "hidden": len(found.hidden),
            "shown": [str(p.pk) for p in found.visible],
        },
    )
    tell_program_managers(user, found.hidden)
    return Lookup(worker=user, visible=found.visible, _hidden=list(found.hidden))


def tell_program_managers(
    worker: User, matches: Iterable[uuid.UUID], *, registered: Participant | None = None
) -> None:
    """Queue the notice to her program managers, once the lookup's transaction commits.
    Nothing is queued when nothing is hidden."""
    ids = [str(pk) for pk in matches]
    if not ids:
        return
    from doorway.caseload.tasks import notify_likely_duplicate

    args = (str(worker.pk), ids, str(registered.pk) if registered is not None else None)
    transaction.on_commit(lambda: notify_likely_duplicate.enqueue(*args))


def program_managers_for(
    worker: User, match: Participant, registered: Participant | None
) -> list[User]:
    """The program managers who reach both: the matched record, and the worker's side
    (the record she registered, or else a program she works in). If nobody reaches both,
    those who reach the matched record: someone must check it."""
    reaching_match = [
        manager
        for manager in User.objects.filter(
            role=Role.PROGRAM_MANAGER, is_active=True, agency_id=match.agency_id
        ).order_by("username")
        if participants_visible_to(manager).filter(pk=match.pk).exists()
    ]
    worker_programs = set(worker.programs.values_list("pk", flat=True))
    both = [
        manager
        for manager in reaching_match
        if (
            participants_visible_to(manager).filter(pk=registered.pk).exists()
            if registered is not None
            else bool(worker_programs & set(manager.programs.values_list("pk", flat=True)))
        )
    ]
    return both or reaching_match


@transaction.atomic
def record_notices(
    worker: User, matches: Iterable[Participant], registered: Participant | None = None
) -> list[DuplicateNotice]:
    """Open (or count again on) one notice per program manager and matched record."""
    now = timezone.now()
    notices = []
    for match in matches:
        for manager in program_managers_for(worker, match, registered):
            notice = (
                DuplicateNotice.objects.open()
                .select_for_update()
                .filter(recipient=manager, worker=worker, match=match)
                .first()
            )
            if notice is None:
                notice = DuplicateNotice.objects.create(
                    recipient=manager,
                    worker=worker,
                    match=match,
                    registered=registered,
                    first_noticed_at=now,
                    last_noticed_at=now,
                )
            else:
                notice.last_noticed_at = now
                if registered is not None:
                    notice.registered = registered
                else:
                    notice.lookups += 1
                notice.save(update_fields=["last_noticed_at", "registered", "lookups"])
            notices.append(notice)
    return notices


@transaction.atomic
def resolve_notice(notice: DuplicateNotice, *, by: User, request: HttpRequest | None) -> None:
    """Her program manager has checked: the notice leaves her list. Only hers to clear."""
    notice = DuplicateNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.recipient_id != by.pk:
        raise PermissionDenied(gettext("This notice is another manager's."))
    if notice.resolved_at is not None:
        return
    notice.resolved_at = timezone.now()
    notice.resolved_by = by
    notice.save(update_fields=["resolved_at", "resolved_by"])
    record(
        Action.CHANGE,
        actor=by,
        request=request,
        participant=notice.match_id,
        subject=notice,
        detail={"resolved": True},
    )


def open_notices_for(user: User) -> list[DuplicateNotice]:
    """Her open notices about records she still reaches."""
    reach = participants_visible_to(user)
    notices = list(
        DuplicateNotice.objects.open()
        .filter(recipient=user, match__in=reach)
        .select_related("worker", "match", "registered")
    )
    registered = {n.registered_id for n in notices if n.registered_id}
    reached = set(reach.filter(pk__in=registered).values_list("pk", flat=True))
    for notice in notices:
        # The record she registered is named only to a manager who reaches it.
        notice.registered_in_reach = notice.registered_id in reached  # type: ignore[attr-defined]  # an attribute of ours on the instance, for the template
    return notices
