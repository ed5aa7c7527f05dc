"""On every change that moves a due date, recompute that enrolment's dues in the
background once the change has committed.

Senders are named by string and connected when the app registry is ready, for each
model of `WATCHED` that exists, so the parts still being built join without an edit
here. Saves in one transaction are gathered and enqueued as one task when it commits,
however many savepoints they were made in; a rolled-back transaction enqueues nothing.
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
    batch = _pending_batch(connection)
    if batch is not None:
        batch.ids.add(str(enrolment_id))
        return
    batch = Batch({str(enrolment_id)})
    transaction.on_commit(batch, robust=True)
    if (key := _transaction_key(connection)) is not None:
        connection.doorway_due_batch = (batch, connection.run_on_commit, key)


def _transaction_key(connection: Any) -> tuple[str, ...] | None:
    """Which transaction this is, as the app sees it: the outermost atomic block, past
    the blocks a test case wraps every test in (Django's own durable check skips them
    the same way). None outside a transaction."""
    blocks = connection.atomic_blocks
    for depth, block in enumerate(blocks):
        if not block._from_testcase:
            # Every block inside the outermost one opened a savepoint: the ones up to
            # this block's name it, so a later block at the same depth is told apart.
            return tuple(connection.savepoint_ids[:depth])
    return None


def _pending_batch(connection: Any) -> Batch | None:
    """The batch this transaction already waits to enqueue, which this save joins.

    Django drops a callback when a savepoint it was registered in rolls back, and a
    savepoint already released can no longer roll back: so a batch still waiting has
    only open savepoints left that could drop it, and this save is inside all of them.
    The saves of a thousand actions, each in its own savepoint, share one batch. (A save
    whose own savepoint later rolls back leaves its id in the batch: one needless
    refresh, of a record that may no longer exist, which refresh ignores.)

    O(1) per save: Django gives the hook list a new identity on commit, on rollback and
    on a savepoint's rollback, so while it keeps its identity the batch still waits."""
    remembered = getattr(connection, "doorway_due_batch", None)
    if remembered is None or remembered[1] is not connection.run_on_commit:
        return None
    batch, _hooks, key = remembered
    if batch.done or key != _transaction_key(connection):
        return None
    return batch


class Batch:
    """The enrolments one transaction changed, enqueued as one task when it commits."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids
        # Run (a test's capture runs callbacks without taking them off the list).
        self.done = False

    def __call__(self) -> None:
        from doorway.caseload.tasks import refresh_due

        self.done = True
        if self.ids:
            refresh_due.enqueue(sorted(self.ids))


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
