"""Changes to what a staff account may reach: her role, programs, teams and flags.

These are the only writes to those fields (the Django admin shows them read-only).
Each function checks, writes and audits (with the access before and after) in one
transaction:

- nobody changes her own access, and an administrator changes only accounts of her
  own agency, to programs and teams of her own agency;
- a change that gives record access (a role that reaches participants, or more
  programs or teams for one), gives an evaluator's reach (a move to evaluator), gives
  a role-less account any role, or raises privileges (administrator, staff or
  superuser status, the demo flag, any reactivation) does not take effect: it waits as an
  `AccessChangeRequest` until a second administrator of the agency, neither the one who
  asked nor the account's owner, approves it;
- a change that only narrows access takes effect at once;
- a new password for someone else (she forgot hers) is such a change too: nobody sets
  another account's password alone (the Django admin refuses it), since an
  administrator who knew it could remove the second factor and sign in as her. Nor
  does any one administrator ever know the whole temporary password (split knowledge,
  as in a key ceremony): the one who asks is shown its first half once, when she asks
  (it waits, encrypted, on the request, and is cleared when the request is decided);
  the approver is shown the second half once, when she approves; the password set is
  the two halves joined, and each hands her half to the account's owner.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action as AuditAction
from doorway.people.capabilities import RECORD_ROLES, Action, may, programs_for
from doorway.people.models import AccessChangeRequest, AccessChangeStatus, Team, User
from doorway.people.roles import Role

FLAGS = ("is_active", "is_staff", "is_superuser", "is_demo_account")
CHANGEABLE = ("role", "programs", "teams", *FLAGS, "new_password")
MIN_REASON = 15
HALF_BYTES = 9  # each half: 12 URL-safe characters, 72 random bits

Access = dict[str, Any]


class AccessChangeRefused(PermissionDenied):
    """The person may not make (or decide) this change; nothing was changed."""


def access_of(user: User) -> Access:
    """What an account may reach, as plain identifiers (comparable, storable)."""
    return {
        "role": user.role,
        "agency": str(user.agency_id) if user.agency_id else None,
        "programs": sorted(str(pk) for pk in user.programs.values_list("pk", flat=True)),
        "teams": sorted(
            str(pk)
            for pk in Team.members.through.objects.filter(user=user.pk).values_list(
                "team_id", flat=True
            )
        ),
        **{flag: bool(getattr(user, flag)) for flag in FLAGS},
    }


def gives_access(before: Access, after: Access) -> bool:
    """Does going from `before` to `after` let the account reach more, or do more?

    Reactivation (whatever the role), any role for an account that had none, and any
    move to evaluator (de-identified data of every program of her agency, the research
    export included) all give access, as do more programs or teams for a role that
    reaches participants or evaluates."""
    role = after["role"]
    if after["is_active"] and not before["is_active"]:
        return True
    if role and not before["role"]:
        return True
    if role != before["role"] and role in {*RECORD_ROLES, Role.EVALUATOR, Role.ADMINISTRATOR}:
        return True
    if role in {*RECORD_ROLES, Role.EVALUATOR} and not set(after["programs"]) <= set(
        before["programs"]
    ):
        return True
    if role in RECORD_ROLES and not set(after["teams"]) <= set(before["teams"]):
        return True
    if after.get("new_password"):
        return True
    return any(after[flag] and not before[flag] for flag in FLAGS if flag != "is_active")


def _check_may_manage(by: User, subject: User) -> None:
    if subject.pk == by.pk:
        raise AccessChangeRefused(_("Nobody changes her own access; ask another administrator."))
    if not may(by, Action.MANAGE_STAFF, subject):
        raise AccessChangeRefused(_("Only an administrator of the account's agency may do this."))


def _proposed(subject: User, by: User, changes: dict[str, Any]) -> Access:
    """The account's access after `changes`, checked; a ValidationError names the field."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    after = access_of(subject)
    if "role" in changes:
        if changes["role"] not in Role.values:
            raise ValidationError({"role": _("Choose a role.")})
        after["role"] = str(changes["role"])
    if "programs" in changes:
        ids = {str(getattr(p, "pk", p)) for p in changes["programs"]}
        allowed = {
            str(pk)
            for pk in programs_for(by, Action.MANAGE_STAFF)
            .filter(pk__in=list(ids))
            .values_list("pk", flat=True)
        }
        if ids - allowed:
            raise ValidationError({"programs": _("Choose programs of your own agency.")})
        after["programs"] = sorted(ids)
    if "teams" in changes:
        ids = {str(getattr(t, "pk", t)) for t in changes["teams"]}
        allowed = {
            str(pk)
            for pk in Team.objects.filter(agency=by.agency_id, pk__in=list(ids)).values_list(
                "pk", flat=True
            )
        }
        if ids - allowed:
            raise ValidationError({"teams": _("Choose teams of your own agency.")})
        after["teams"] = sorted(ids)
    for flag in FLAGS:
        if flag in changes:
            after[flag] = bool(changes[flag])
    if changes.get("new_password"):
        after["new_password"] = True
    return after


def _half() -> str:
    return secrets.token_urlsafe(HALF_BYTES)


def _apply(subject: User, after: Access, first_half: str = "") -> str | None:
    """Apply `after`; if it gives her a new password, set `first_half` joined to a new
    second half, and return the second half only."""
    subject.role = after["role"]
    for flag in FLAGS:
        setattr(subject, flag, after[flag])
    fields = ["role", *FLAGS]
    second_half = None
    if after.get("new_password"):
        if not first_half:
            raise ValidationError(
                _("The first half of the password is missing: decline this and ask again.")
            )
        second_half = _half()
        subject.set_password(first_half + second_half)
        fields.append("password")
    subject.save(update_fields=fields)
    subject.programs.set(after["programs"])
    subject.teams.set(after["teams"])
    return second_half


def _changed(before: Access, after: Access) -> list[str]:
    return [key for key in after if before.get(key) != after[key]]


@transaction.atomic
def change_staff_access(
    subject: User, *, by: User, reason: str, **changes: Any
) -> AccessChangeRequest | None:
    """Change `subject`'s access. Returns None when the change took effect, or the
    pending request when it gives access and waits for a second administrator. When
    it asks for a new password, the returned request's `password_half` holds the
    first half, to be shown once to the one who asked (stored only encrypted)."""
    _check_may_manage(by, subject)
    subject = User.objects.select_for_update().get(pk=subject.pk)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("Say why (at least a sentence).")})
    if AccessChangeRequest.objects.filter(
        subject=subject, status=AccessChangeStatus.PENDING
    ).exists():
        raise ValidationError(
            _("A change to this account is waiting for approval: decide that one first.")
        )
    before = access_of(subject)
    after = _proposed(subject, by, changes)
    changed = _changed(before, after)
    if not changed:
        raise ValidationError(_("That is the account's access already: nothing to change."))
    if gives_access(before, after):
        # `may` gave her the account only because both are of her agency.
        assert by.agency_id is not None
        pending = AccessChangeRequest.objects.create(
            agency_id=by.agency_id,
            subject=subject,
            requested_by=by,
            reason=reason,
            before=before,
            after=after,
            password_half=_half() if after.get("new_password") else "",
        )
        record(
            AuditAction.CHANGE,
            actor=by,
            subject=pending,
            detail={
                "access": "requested",
                "account": str(subject.pk),
                "fields": changed,
                "before": before,
                "after": after,
            },
        )
        return pending
    _apply(subject, after)
    record(
        AuditAction.CHANGE,
        actor=by,
        subject=subject,
        detail={"access": "changed", "fields": changed, "before": before, "after": after},
    )
    return None


def _check_may_decide(change: AccessChangeRequest, by: User) -> None:
    if change.status != AccessChangeStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    if by.pk == change.subject_id:
        raise AccessChangeRefused(_("Nobody decides a change to her own access."))
    if not may(by, Action.MANAGE_STAFF) or by.agency_id != change.agency_id:
        raise AccessChangeRefused(_("Only an administrator of the account's agency may do this."))


@transaction.atomic
def approve_access_change(change: AccessChangeRequest, *, by: User) -> str | None:
    """A second administrator approves: the change takes effect as it was proposed, if
    the account is still as it was then. If the change gives her a new password,
    returns its second half only (to be shown to the approver once, and kept nowhere);
    the first half, which only the one who asked was shown, is then forgotten."""
    change = AccessChangeRequest.objects.select_for_update().get(pk=change.pk)
    _check_may_decide(change, by)
    if by.pk == change.requested_by_id:
        raise AccessChangeRefused(
            _("A second administrator must approve the change you asked for.")
        )
    subject = User.objects.select_for_update().get(pk=change.subject_id)
    _check_may_manage(by, subject)
    before = access_of(subject)
    if before != change.before:
        raise ValidationError(
            _("The account has changed since this was asked: decline it and ask again.")
        )
    second_half = _apply(subject, change.after, change.password_half)
    _decide(change, AccessChangeStatus.APPROVED, by=by)
    record(
        AuditAction.CHANGE,
        actor=by,
        subject=subject,
        detail={
            "access": "approved",
            "request": str(change.pk),
            "requested_by": str(change.requested_by_id),
            "fields": _changed(before, change.after),
            "before": before,
            "after": change.after,
        },
    )
    return second_half


@transaction.atomic
def decline_access_change(change: AccessChangeRequest, *, by: User) -> None:
    """Another administrator declines it, or the one who asked withdraws it."""
    change = AccessChangeRequest.objects.select_for_update().get(pk=change.pk)
    _check_may_decide(change, by)
    _decide(
        change,
        AccessChangeStatus.DECLINED,
        by=None if by.pk == change.requested_by_id else by,
    )
    record(
        AuditAction.CHANGE,
        actor=by,
        subject=change,
        detail={"access": "declined", "account": str(change.subject_id)},
    )


def _decide(change: AccessChangeRequest, status: str, *, by: User | None) -> None:
    """Close the request; the first half of a temporary password goes with it."""
    change.status = status
    change.decided_by = by
    change.decided_at = timezone.now()
    change.password_half = ""
    change.save(update_fields=["status", "decided_by", "decided_at", "password_half"])
