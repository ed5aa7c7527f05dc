"""A program's evaluation, kept ready: the report of a cohort of whole cycles counted in
the background and shown with the time it was counted ("as of").

Counting a whole program's evaluation reads every woman's casework (seconds at a
national deployment), so its pages show the report as the worker last counted it:
- `report_for(cohort, published=...)`: the snapshot of a cohort of whole cycles in the
  reader's language, counted now and kept when there is none yet. A cohort narrowed by
  referral dates or phase is counted at each request (someone exploring asked for it).
- `refresh_all()`: the worker's periodic task (`tasks.refresh_reports`) counts every
  snapshot again, and drops those nobody opened for `UNVIEWED_FOR`.
- A consent to the research given or withdrawn, or a woman's record erased, drops every
  snapshot at once (`forget_all`): she leaves every figure the moment she leaves.

`doorway evaluate`, the exports and the API count from the records; a snapshot is equal
to what they gave at its `taken_at` (tests/test_snapshots.py).
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone, translation

from doorway.evaluation import disclosure
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.disclosure import CohortRefused
from doorway.evaluation.models import ReportSnapshot, SnapshotsForgotten
from doorway.people.models import ConsentKind
from doorway.programs.models import Cycle
from doorway.replica import read_alias

# A snapshot nobody opens for this long is dropped rather than counted again.
UNVIEWED_FOR = datetime.timedelta(days=7)
# "Count again now" is refused for a report counted less than this ago.
COUNTED_AGAIN_AFTER = datetime.timedelta(minutes=1)
# Its last view is written at most this often (a page view writes nothing else).
VIEW_MARKED_EVERY = datetime.timedelta(hours=1)
NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Figures:
    report: dict[str, Any]
    # When the records were read; None: counted for this request.
    as_of: datetime.datetime | None

    def overdue(self) -> bool:
        """Older than three refresh periods: the worker has stopped taking them again."""
        if self.as_of is None:
            return False
        return timezone.now() - self.as_of > 3 * refresh_period()


def refresh_period() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REPORT_REFRESH_SECONDS)


def cycles_key(cohort: Cohort) -> str | None:
    """The cohort's cycles in its own order ("" for every cycle); None for a cohort
    narrowed by dates or phase, which is never kept."""
    if cohort.enrolled_from or cohort.enrolled_to or cohort.phase_reached is not None:
        return None
    return ",".join(str(c.pk) for c in cohort.cycles)


def build_report(cohort: Cohort) -> dict[str, Any]:
    from doorway.evaluation.report import evaluation_report

    return evaluation_report(cohort)


def count(cohort: Cohort, *, published: bool) -> dict[str, Any]:
    """The report counted from the records now; published: as someone without access to
    the women's records may see it (`disclosure.publish`), counts perturbed, small ones
    "<5"."""
    report = build_report(cohort)
    if published:
        return disclosure.publish(report, disclosure.cohort_keys(cohort))
    return report


def split(report: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report without its per-participant fidelity lists, and those lists."""
    fidelity = report.get("fidelity")
    if not isinstance(fidelity, dict):
        return report, {}
    items = fidelity.get("items") or []
    details = {
        "participants": fidelity.get("participants") or [],
        "falling_short": [item.get("falling_short") or [] for item in items],
    }
    summary = {
        **report,
        "fidelity": {
            **fidelity,
            "participants": [],
            "items": [{**item, "falling_short": []} for item in items],
        },
    }
    return summary, details


def joined(summary: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """`split` undone: the whole report."""
    fidelity = summary.get("fidelity")
    if not isinstance(fidelity, dict) or not details:
        return summary
    items = fidelity.get("items") or []
    return {
        **summary,
        "fidelity": {
            **fidelity,
            "participants": details["participants"],
            "items": [
                {**item, "falling_short": short}
                for item, short in zip(items, details["falling_short"], strict=True)
            ],
        },
    }


def report_for(cohort: Cohort, *, published: bool, details: bool = False) -> Figures:
    """The cohort's report as last counted (counted now when none is kept). Without
    `details`, its per-participant fidelity lists are empty (only the fidelity section
    shows them)."""
    key = cycles_key(cohort)
    if key is None:
        return Figures(count(cohort, published=published), None)
    language = translation.get_language() or settings.LANGUAGE_CODE
    kept_ones = ReportSnapshot.objects.filter(
        program=cohort.program, cycles=key, language=language, published=published
    )
    kept = (kept_ones if details else kept_ones.defer("details")).first()
    now = timezone.now()
    if kept is not None and stale_by_date(kept.taken_at, now):
        kept = None  # counted again below
    if kept is not None:
        if now - kept.viewed_at > VIEW_MARKED_EVERY:
            ReportSnapshot.objects.filter(pk=kept.pk).update(viewed_at=now)
        if now - kept.taken_at > 3 * refresh_period():
            schedule_refresh()  # the worker's chain of refreshes broke: start it again
        return Figures(_read(kept, details=details), kept.taken_at)
    snapshot = take(cohort, key, language=language, published=published)
    schedule_refresh()
    return Figures(_read(snapshot, details=details), snapshot.taken_at)


def stale_by_date(taken_at: datetime.datetime, now: datetime.datetime) -> bool:
    """A copy the worker has stopped counting again (three periods old) and taken on an
    earlier day. A consent withdrawn or ended from a date (`withdrawn_on`, `ends_on`)
    leaves the research that day with nothing saved, so no copy is dropped: counted
    again on the day's first page, however long the worker is stopped."""
    return now - taken_at > 3 * refresh_period() and timezone.localdate(
        taken_at
    ) < timezone.localdate(now)


def _read(snapshot: ReportSnapshot, *, details: bool) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(snapshot.report)
    if not details or not snapshot.details:
        return summary
    return joined(summary, json.loads(snapshot.details))


def take(cohort: Cohort, key: str, *, language: str, published: bool) -> ReportSnapshot:
    """Count the cohort's report and keep it (replacing the one kept before)."""
    taken_at = records_as_of()  # before counting: nothing later is in it
    started = time.perf_counter()
    with translation.override(language):
        report = count(cohort, published=published)
    seconds = time.perf_counter() - started
    summary, details = split(report)
    fields = {
        "report": json.dumps(summary),
        "details": json.dumps(details) if details else "",
        "taken_at": taken_at,
        "seconds": seconds,
    }
    unsaved = ReportSnapshot(
        program=cohort.program,
        cycles=key,
        language=language,
        published=published,
        viewed_at=taken_at,
        **fields,
    )
    try:
        with transaction.atomic():
            # Locked until this one is kept: a `forget_all` meanwhile waits, then drops it.
            if forgotten_since(taken_at, lock=True):
                # A consent changed while this was counted: show it, never keep it.
                return unsaved
            kept = (
                ReportSnapshot.objects.select_for_update()
                .filter(program=cohort.program, cycles=key, language=language, published=published)
                .values_list("taken_at", flat=True)
                .first()
            )
            if kept is not None and kept > taken_at:
                # Counted meanwhile from newer records (the worker and "Count again now"
                # at once): the newer one stays, its time never goes back.
                return unsaved
            # Its last view is left as it was: counted again by the worker is not opened.
            snapshot, _created = ReportSnapshot.objects.update_or_create(
                program=cohort.program,
                cycles=key,
                language=language,
                published=published,
                defaults=fields,
                create_defaults={**fields, "viewed_at": timezone.now()},
            )
    except IntegrityError:
        # Two requests counted the same cohort at once: the other one's is kept, this
        # one shown (read back, it could be missing from a replica not yet caught up).
        snapshot = unsaved
    return snapshot


def records_as_of() -> datetime.datetime:
    """When the records a count started now reads stood. Now on the primary; on a
    replica (a page's first count, `replica_reads`), the primary's last change it has
    replayed: it is behind by its lag, and a consent withdrawn within that lag is not in
    what it reads, so its count must not be kept as if taken now (`forgotten_since`)."""
    alias = read_alias()
    if alias == DEFAULT_DB_ALIAS:
        return timezone.now()
    return replayed_at(alias)


def replayed_at(alias: str) -> datetime.datetime:
    replica = connections[alias]
    if replica.vendor != "postgresql":
        return timezone.now()
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp()")
        recovering, replayed = cursor.fetchone()
    now = timezone.now()
    if not recovering:  # the tests' mirror: the primary itself
        return now
    # Nothing replayed since it started: as old as can be (shown, not kept).
    return min(replayed, now) if replayed is not None else NEVER


def cohort_of(snapshot: ReportSnapshot) -> Cohort | None:
    """The cohort a snapshot was taken of; None when one of its cycles is gone, or (for
    published figures) too small to be published any more."""
    ids = [pk for pk in snapshot.cycles.split(",") if pk]
    found = {str(c.pk): c for c in Cycle.objects.filter(program=snapshot.program, pk__in=ids)}
    if len(found) != len(ids):
        return None
    cycles = tuple(found[pk] for pk in ids)
    if not snapshot.published:
        return Cohort(program=snapshot.program, cycles=cycles)
    try:
        # Every publishable cycle when none is named: the cohort the page would count now.
        cohort = disclosure.published_cohort(snapshot.program, cycles)
    except CohortRefused:
        return None
    return cohort if cycles_key(cohort) == snapshot.cycles else None


def refresh(snapshot: ReportSnapshot) -> bool:
    """Count the snapshot's cohort again; drop it when that cohort cannot be counted."""
    cohort = cohort_of(snapshot)
    if cohort is None:
        snapshot.delete()
        return False
    take(cohort, snapshot.cycles, language=snapshot.language, published=snapshot.published)
    return True


def refresh_all() -> int:
    """Drop the snapshots nobody opened for `UNVIEWED_FOR`; count the others again, the
    oldest first. How many were counted."""
    ReportSnapshot.objects.filter(viewed_at__lt=timezone.now() - UNVIEWED_FOR).delete()
    counted = 0
    # Their reports are not read (megabytes to decrypt at a national deployment): each is
    # counted anew.
    kept = ReportSnapshot.objects.select_related("program").defer("report", "details")
    for snapshot in kept.order_by("taken_at"):
        counted += refresh(snapshot)
    return counted


def count_again(cohort: Cohort, *, published: bool) -> bool:
    """Queue a count of the cohort's kept report now (not when it was counted in the
    last minute, nor for a cohort that is never kept). Whether one was queued."""
    from doorway.evaluation import tasks

    key = cycles_key(cohort)
    if key is None:
        return False
    language = translation.get_language() or settings.LANGUAGE_CODE
    kept = (
        ReportSnapshot.objects.filter(
            program=cohort.program, cycles=key, language=language, published=published
        )
        .values_list("pk", "taken_at")  # not the report: only when it was counted
        .first()
    )
    if kept is None or timezone.now() - kept[1] < COUNTED_AGAIN_AFTER:
        return False
    if not tasks.report_queued(kept[0]):  # clicked again before it ran: one count
        tasks.refresh_report.enqueue(kept[0])
    return True


def forget_all() -> None:
    """Drop every snapshot: the next page counts from the records. Remembered, so that
    a count that read the records before now is not kept either (`take`). Inside a
    transaction (a consent withdrawn, a record erased), again once it is committed: until
    then the worker's count cannot see the change, and would keep her in its copy."""
    _forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_forget)


def _forget() -> None:
    with transaction.atomic():
        # The moment first (its row locked), then the copies: a `take` keeping one now
        # either is dropped here or finds this moment.
        SnapshotsForgotten.objects.update_or_create(pk=1, defaults={"at": timezone.now()})
        ReportSnapshot.objects.all().delete()


def forgotten_since(moment: datetime.datetime, *, lock: bool = False) -> bool:
    rows = SnapshotsForgotten.objects.filter(pk=1)
    if lock:
        rows = rows.select_for_update()
    last = rows.values_list("at", flat=True).first()
    return last is not None and last >= moment


def consent_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A consent to the research given or withdrawn (saved or removed): she enters or
    leaves every figure now, not at the next refresh."""
    if instance.kind == ConsentKind.EVALUATION:
        forget_all()


def enrolment_removed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_all()


def schedule_refresh() -> None:
    from doorway.evaluation import tasks

    tasks.schedule_next()
