"""Erasing one participant's record: what identifies her is destroyed, what counts for
the evaluation stays only where her research consent allows it.

Every table that holds something of hers is found from the models themselves (each
model's foreign-key paths to the participant, history tables included), so a model
added later is erased too without being listed here. Her rows are then handled in
three steps, in this order:

1. every encrypted column of hers (`doorway.encryption.encrypted_models()`) is
   overwritten with nothing, by an UPDATE that writes no history row;
2. her rows are deleted: all of them when she has no research consent in force; with
   one, all but the de-identified evaluation rows (`KEPT_FOR_EVALUATION`: enrolments,
   phase moves, assessments' answers and scores, plans' goal statuses, contacts' dates
   and kinds, attendance, referrals' statuses, consents) — her participant row stays as
   a shell with her code and no identity;
3. every history row of hers (simple_history keeps each earlier version of a row, its
   encrypted values included) is deleted, the ones step 2's deletions wrote among them.

The audit log is not touched: its entries are append-only and hash-chained over their
plain text. An `ERASE` entry is its tombstone. Then (`compact`) SQLite is vacuumed, and
PostgreSQL's touched tables, so that the database's own files hold no old page of hers.
What remains readable elsewhere (backups made before, PostgreSQL's write-ahead log
until it is recycled, a reason typed into the audit log) is in the README.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.deletion import ProtectedError, RestrictedError

from doorway.encryption import ENCRYPTED_FIELD_TYPES
from doorway.evaluation.snapshots import forget_all
from doorway.people.models import ConsentKind, Participant

logger = logging.getLogger(__name__)

# The de-identified rows the evaluation counts, kept (their free text emptied) when her
# research consent is in force. Every other row of hers is deleted.
KEPT_FOR_EVALUATION = frozenset(
    {
        "people.participant",
        "people.consent",
        "enrolments.enrolment",
        "enrolments.journeyevent",
        "instruments.administration",
        "instruments.answer",
        "instruments.focusareaprogress",
        "plans.serviceplan",
        "plans.phaseplan",
        "plans.goal",
        "plans.step",
        "plans.statuschange",
        "plans.planreview",
        "casework.contact",
        "casework.supervisionreview",
        "casework.transferofcare",
        "casework.closingnote",
        "dropins.attendance",
        "referrals.referral",
        "referrals.referralupdate",
    }
)

# Never touched: the audit log is append-only; the erasure's own request is its record.
NEVER_TOUCHED = frozenset({"audit.auditentry", "erasure.erasurerequest"})

MAX_DEPTH = 6


@dataclass(frozen=True)
class HerTable:
    model: type[models.Model]
    # Lookups from the model to her participant row, e.g. "enrolment__participant".
    paths: tuple[str, ...]
    history: bool

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def depth(self) -> int:
        return max(p.count("__") + 1 for p in self.paths)

    def rows(self, participant_id: object) -> QuerySet[models.Model]:
        query = Q()
        for path in self.paths:
            query |= Q(**{path: participant_id})
        return self.model._default_manager.filter(query)

    def encrypted(self) -> list[models.Field[Any, Any]]:
        return [f for f in self.model._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELD_TYPES)]

    def files(self) -> list[models.FileField]:
        return [f for f in self.model._meta.concrete_fields if isinstance(f, models.FileField)]


def _paths_to_participant(model: type[models.Model], depth: int = 0) -> list[str]:
    if model is Participant:
        return ["pk"] if depth == 0 else [""]
    if depth >= MAX_DEPTH:
        return []
    found: list[str] = []
    for f in model._meta.concrete_fields:
        if not f.is_relation or f.related_model is None or f.name == "history_user":
            continue
        related = f.related_model
        if not isinstance(related, type) or not related.__module__.startswith("doorway."):
            continue
        for rest in _paths_to_participant(related, depth + 1):
            found.append(f.name if rest in ("", "pk") else f"{f.name}__{rest}")
    return found


@cache
def her_tables() -> tuple[HerTable, ...]:
    """Every model with rows of hers, with its paths to her (history models too)."""
    tables: list[HerTable] = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NEVER_TOUCHED:
            continue
        history = getattr(model, "instance_type", None) is not None
        if history and model.instance_type is Participant:  # type: ignore[attr-defined]  # simple_history's historical model
            paths = ["id"]
        else:
            paths = _paths_to_participant(model)
        if paths:
            tables.append(HerTable(model, tuple(sorted(set(paths))), history))
    return tuple(tables)


@dataclass
class Erased:
    kept_for_evaluation: bool
    # Counts by table: never an id, never a value.
    cleared: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)


def keeps_evaluation_rows(participant: Participant) -> bool:
    """Her research consent in force today: her de-identified rows stay in the figures."""
    return participant.has_consent(ConsentKind.EVALUATION)


def erase_participant(participant: Participant) -> Erased:
    """Destroy what identifies her (inside the caller's transaction). No audit entry:
    the caller (`actions.approve_erasure`) writes the tombstone."""
    if connection.vendor == "sqlite":
        # Freed pages are overwritten with zeros, not left in the file.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    keep = keeps_evaluation_rows(participant)
    result = Erased(kept_for_evaluation=keep)
    pk = participant.pk
    tables = her_tables()
    with transaction.atomic():
        for table in tables:
            _remove_files(table, pk)
            blanks = {f.name: (None if f.null else "") for f in table.encrypted()}
            if blanks:
                changed = table.rows(pk).update(**blanks)
                if changed:
                    result.cleared[table.label] = changed
                    result.tables.add(table.model._meta.db_table)
        doomed = [
            t for t in tables if not t.history and not (keep and t.label in KEPT_FOR_EVALUATION)
        ]
        _delete(doomed, pk, result)
        _delete([t for t in tables if t.history], pk, result)
        # The evaluation's kept reports list fidelity verdicts by her code.
        forget_all()
    return result


def _remove_files(table: HerTable, pk: object) -> None:
    fields = table.files()
    if not fields:
        return
    for row in table.rows(pk).only(*[f.name for f in fields]):
        for f in fields:
            stored = getattr(row, f.name)
            if stored:
                stored.storage.delete(stored.name)


def _delete(tables: Iterable[HerTable], pk: object, result: Erased) -> None:
    """Deepest tables first, so a row is gone before the one it protects; a table
    protected by another (a new model's PROTECT) waits for the next pass."""
    waiting = sorted(tables, key=lambda t: -t.depth)
    for _ in range(4):
        blocked: list[HerTable] = []
        for table in waiting:
            try:
                with transaction.atomic():
                    _, by_label = table.rows(pk).delete()
            except (ProtectedError, RestrictedError):
                blocked.append(table)
                continue
            for label, count in by_label.items():
                if count:
                    result.deleted[label.lower()] = result.deleted.get(label.lower(), 0) + count
                    result.tables.add(apps.get_model(label)._meta.db_table)
        if not blocked:
            return
        waiting = blocked
    raise RuntimeError(
        "Erasure stopped: these tables still protect her rows: "
        + ", ".join(t.label for t in waiting)
    )


def compact(tables: Iterable[str]) -> bool:
    """Rewrite the database's files so that no freed page keeps an old value of hers.
    Outside a transaction only (VACUUM cannot run inside one): returns whether it ran.
    SQLite: VACUUM rebuilds the whole file. PostgreSQL: VACUUM marks the touched
    tables' dead rows free for reuse; the bytes stay on disk (and in the write-ahead
    log) until overwritten, which only `VACUUM FULL` forces (README, "Erasure")."""
    if connection.in_atomic_block:
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
        elif connection.vendor == "postgresql":
            for table in sorted(set(tables)):
                cursor.execute(f"VACUUM {quote(table)}")
        else:
            return False
    logger.info("Compacted the database after an erasure")
    return True
