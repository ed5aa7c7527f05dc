"""On every change that moves a due date, recompute that enrolment's dues in the
background once the change has committed.

Senders are named by string and connected when the app registry is ready, for each
model of `WATCHED` that exists, so the parts still being built join without an edit
here. Saves in one transaction are gathered and enqueued as one task when it commits;
a rolled-back transaction enqueues nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save

# Models whose rows move a due date, each with the way to its enrolment.
WATCHED = [
    "casework.Contact",
    "enrolments.Enrolment",
    "enrolments.JourneyEvent",
    "plans.PlanReview",
    "referrals.Referral",
    "referrals.ReferralUpdate",
    "instruments.Administration",
    "casework.ClosingNote",
]
# A row without an `enrolment` of its own reaches it through one of these.
PARENTS = ("referral", "plan", "review", "administration")


def enrolment_id_of(instance: Any) -> Any:
    if instance._meta.label == "enrolments.Enrolment":
        return instance.pk
    if (found := getattr(instance, "enrolment_id", None)) is not None:
        return found
    for name in PARENTS:
        # A parent deleted with it raises DoesNotExist: nothing left to refresh.
        with contextlib.suppress(ObjectDoesNotExist):
            parent = getattr(instance, name, None)
            if parent is not None and (found := enrolment_id_of(parent)) is not None:
                return found
    return None


def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    enrolment_id = enrolment_id_of(instance)
    if enrolment_id is None:
        return
    connection = transaction.get_connection()
    # Join the batch this transaction (at this savepoint) already waits to enqueue, if
    # there is one; a batch is dropped with its callback when its savepoint rolls back.
    here = set(connection.savepoint_ids)
    for savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, Batch) and savepoints == here:
            callback.ids.add(str(enrolment_id))
            return
    transaction.on_commit(Batch({str(enrolment_id)}), robust=True)


class Batch:
    """The enrolments one transaction changed, enqueued as one task when it commits."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids

    def __call__(self) -> None:
        from doorway.caseload.tasks import refresh_due

        # Each savepoint (every action is atomic) keeps a batch of its own. When the
        # first runs, everything has committed: it takes the others' ids too, so that
        # one commit makes one task however deeply its saves were nested.
        ids = set(self.ids)
        hooks = transaction.get_connection().run_on_commit
        # A commit pops each hook before running it; a test's capture runs them in place,
        # so only those after this one belong to the same commit.
        mine = [i for i, (_, callback, _) in enumerate(hooks) if callback is self]
        later = hooks[mine[0] + 1 :] if mine else hooks
        for _savepoints, callback, _robust in later:
            if isinstance(callback, Batch):
                ids |= callback.ids
                callback.ids = set()
        self.ids = set()
        if ids:
            refresh_due.enqueue(sorted(ids))


def connect() -> None:
    """Called from the app's ready(). A model not written yet is left out for now: a
    lazy sender that never resolves fails Django's system checks (signals.E001)."""
    for label in WATCHED:
        try:
            apps.get_model(label)
        except LookupError:
            continue
        uid = f"caseload-due-{label}"
        post_save.connect(changed, sender=label, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(changed, sender=label, dispatch_uid=f"{uid}-delete", weak=False)
