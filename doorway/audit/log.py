"""Writing, sealing, checkpointing and checking the audit log.

Writing: `record(...)` is the only way an entry is written. It inserts one row with a
keyed MAC of its content (`entry_mac`, HMAC-SHA256 under `DOORWAY_AUDIT_KEY`) and takes
no lock: audited reads across the deployment no longer queue behind one row. An edit
to an entry, sealed or not, is caught from the moment it is written. Inside
`chained_at_the_end()` a long transaction's entries are inserted together at its end.

Sealing: `seal()` is the sequencer. Under the chain head's row lock (so one sequencer
at a time), it takes the entries not yet on the chain that it can see, in id order,
checks each one's MAC, gives each the next place on the chain (`seq` 1, 2, 3… with no
gaps) and a chain hash over its content and the hash of the entry before it. It runs
in the periodic checkpoint task, in `doorway audit checkpoint`, and before every check.

Why the chain's order is the order of sealing, not of ids. On PostgreSQL ids come from
a sequence, and transactions commit in any order: entry 101 can commit after entry 102
has been sealed. A sequencer that chained "every id after the last one chained" would
skip 101 for ever, and one that waited for gaps to fill could wait for ever (a rolled
back insert leaves a gap that never fills). Here the sequencer chains whatever is
committed and not yet sealed (`seq IS NULL`); a late-committing entry is simply sealed
by the next run, with a higher `seq` than entries that have higher ids. Nothing needs
to be "old enough" and nothing is skipped. (Inside a transaction that is still open,
entries are invisible to the sequencer, and are sealed once it commits.)

Checkpoints: `checkpoint()` seals, then writes a signed checkpoint (the chain's length,
its newest hash and the time) outside the database (see `checkpoints.py`).

The window. Against someone who can write to the database but holds neither key:
- an entry edited at any time is reported (its MAC, then its chain hash);
- an entry removed after a later checkpoint was written is reported, by position;
- an entry removed before the next checkpoint, together with the rewriting of the
  chain head, is NOT noticed. That window is the time from writing an entry to the
  next checkpoint: `DOORWAY_AUDIT_CHECKPOINT_SECONDS` (60 s by default) while the
  worker runs, longer if it does not. A removed entry not yet sealed leaves no trace at
  all (ids have gaps anyway). Shorten the period to narrow the window. Committed
  entries still unsealed past `seal_alarm_after()` with no checkpoint written since are
  an alarm (`overdue()`): every check notes them and the worker's next run logs them.
- a copy of an entry inserted as a new row (content and MAC replayed) is sealed like
  any other, and reported by every check: each entry's MAC covers a random nonce of its
  own, so two rows sharing a MAC are an entry and its copy.

Why one sequencer rather than several chains each with its own locked head: see
docs/audit-log.md ("Why one sequencer, and not several chains").

Checking: `check_log()` walks the chain in `seq` order in batches (memory stays flat at
millions of entries), checks every entry's hashes and its place, compares the chain
with every signed checkpoint (each must find the hash it signed at its position), and
names the positions missing when the chain is shorter than a checkpoint says.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doorway.audit import checkpoints
from doorway.audit.context import current_request
from doorway.audit.models import GENESIS, Action, AuditEntry, ChainHead

if TYPE_CHECKING:
    from doorway.people.models import User

logger = logging.getLogger(__name__)

# Entries gathered by `chained_at_the_end`, when one is open.
_gathered: ContextVar[list[AuditEntry] | None] = ContextVar("doorway_audit_gathered", default=None)

SEAL_BATCH = 2000
# At most this many problems are listed one by one; the rest are counted.
MAX_PROBLEMS = 50


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # axes (configured from the proxy settings) has already worked the address out.
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def record(
    action: Action | str,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    participant: Any = None,
    subject: models.Model | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `participant` and `subject` may be model instances or ids.
    Without `request`, the request being served (if any) gives the address and path."""
    if request is None:
        request = current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    participant_id = getattr(participant, "pk", participant)
    entry = AuditEntry(
        at=timezone.now(),
        action=str(action),
        actor_id=str(actor.pk) if actor is not None else "",
        actor_username=actor.get_username() if actor is not None else "",
        participant_id=str(participant_id) if participant_id else "",
        object_type=subject._meta.label if subject is not None else "",
        object_id=str(subject.pk) if subject is not None else "",
        ip_address=client_address(request),
        # Paths hold opaque ids only; the query string may hold a search term, so not it.
        path=request.path[:300] if request is not None else "",
        reason=reason,
        detail=detail or {},
        nonce=secrets.token_hex(16),
    )
    # The MAC covers the stored forms, except the reason, which is stored encrypted and
    # covered as plain text (so rotating the field keys keeps the MAC valid).
    entry.entry_mac = entry.compute_mac()
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(entry)
        return entry
    entry.save()
    return entry


@contextmanager
def chained_at_the_end() -> Iterator[None]:
    """For one long transaction (an import of thousands of rows): the entries its
    actions write are gathered, then written together in one insert when the block
    ends, still inside that transaction, so they commit or roll back with the changes
    they record. They are sealed onto the chain after the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("chained_at_the_end() belongs inside the transaction it audits.")
    gathered: list[AuditEntry] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    if gathered:
        AuditEntry.objects.bulk_create(gathered, batch_size=500)


# --- The sequencer ------------------------------------------------------------------


def seal(batch_size: int = SEAL_BATCH) -> int:
    """Chain every committed entry not yet on the chain; return how many were sealed.
    An entry whose MAC does not match is left off the chain (and reported by every
    check) rather than sealed, which would launder the edit."""
    sealed = 0
    after = 0
    while True:
        with transaction.atomic():
            head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
            batch = list(
                AuditEntry.objects.filter(seq__isnull=True, pk__gt=after).order_by("pk")[
                    :batch_size
                ]
            )
            if not batch:
                return sealed
            after = batch[-1].pk
            chained: list[AuditEntry] = []
            for entry in batch:
                if not entry.entry_mac or entry.compute_mac() != entry.entry_mac:
                    logger.error("Audit entry %s does not match its MAC; not sealed", entry.pk)
                    continue
                entry.seq = head.entries + 1
                entry.previous_hash = head.last_hash
                entry.entry_hash = entry.compute_hash()
                head.entries = entry.seq
                head.last_hash = entry.entry_hash
                head.last_entry_id = entry.pk
                chained.append(entry)
            if chained:
                _write_seals(chained)
                head.save()
                sealed += len(chained)


def _write_seals(chained: list[AuditEntry]) -> None:
    """The only writes to existing entries, past the append-only guard: the three chain
    fields of rows not yet sealed. One statement sent many times (pipelined by psycopg),
    several times faster than an UPDATE … CASE over hundreds of ids."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, previous_hash = %s, entry_hash = %s "  # noqa: S608 - our table's name
            "WHERE id = %s AND seq IS NULL",
            [(e.seq, e.previous_hash, e.entry_hash, e.pk) for e in chained],
        )


class CheckpointRefused(Exception):
    """The chain no longer contains what the latest checkpoint signed."""


def checkpoint(*, unless_unchanged_for: datetime.timedelta | None = None) -> checkpoints.Checkpoint:
    """Seal, then sign and write the chain's length and newest hash outside the
    database. Refuses (and writes nothing) when the chain no longer holds what the
    latest checkpoint signed: that is for `doorway audit verify` to report. With
    `unless_unchanged_for`, a chain that has not moved since the latest checkpoint gets
    no new one until that long after it (the periodic task: no file a minute for a
    quiet night); the latest is returned instead."""
    checkpoints.signing_key()  # No key: say so before doing anything.
    seal()
    head = ChainHead.objects.filter(pk=1).first()
    entries, last_hash = (head.entries, head.last_hash) if head else (0, GENESIS)
    latest = checkpoints.latest()
    if (
        unless_unchanged_for is not None
        and latest is not None
        and (latest.entries, latest.head) == (entries, last_hash)
        and timezone.now() - latest.at < unless_unchanged_for
    ):
        return latest
    if latest is not None:
        if entries < latest.entries:
            raise CheckpointRefused(
                _(
                    "The chain has %(n)d entries but %(checkpoint)s signed %(signed)d; "
                    "run `doorway audit verify`."
                )
                % {"n": entries, "checkpoint": latest.describe(), "signed": latest.entries}
            )
        if latest.entries:
            at_latest = (
                AuditEntry.objects.filter(seq=latest.entries)
                .values_list("entry_hash", flat=True)
                .first()
            )
            if at_latest != latest.head:
                raise CheckpointRefused(
                    _(
                        "Entry %(seq)d on the chain is not the one %(checkpoint)s signed; "
                        "run `doorway audit verify`."
                    )
                    % {"seq": latest.entries, "checkpoint": latest.describe()}
                )
    return checkpoints.write(entries, last_hash)


# --- Checking -----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    message: str

    def __str__(self) -> str:
        if not self.entry_id:
            return self.message
        return _("entry %(id)s: %(problem)s") % {"id": self.entry_id, "problem": self.message}


@dataclass
class Report:
    entries: int = 0
    unsealed: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    checkpoint: checkpoints.Checkpoint | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    def add(self, entry_id: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(entry_id, message))
        else:
            self.more_problems += 1

    def lines(self) -> list[str]:
        lines = [str(problem) for problem in self.problems]
        if self.more_problems:
            lines.append(_("and %(n)d more problems") % {"n": self.more_problems})
        return lines


Progress = Callable[[int, int], None]


def check_log(
    *,
    batch_size: int = 5000,
    public_keys: list[str] | None = None,
    progress: Progress | None = None,
    seal_first: bool = True,
) -> Report:
    """Seal what is waiting, then walk the whole log and compare it with every signed
    checkpoint. Reads in batches of `batch_size`; `progress(done, total)` after each."""
    report = Report()
    waiting, oldest = overdue()
    if waiting and oldest is not None:
        report.notes.append(overdue_note(waiting, oldest))
    if seal_first:
        try:
            seal()
        except IntegrityError:
            # The next place the head gives is already taken: the head was rewound.
            report.add(None, _("the chain head is behind the chain: it was rewound"))
    loaded = checkpoints.load(public_keys=public_keys)
    for message in loaded.problems:
        report.add(None, message)
    report.checkpoint = loaded.latest
    _check_checkpoint_order(loaded.checkpoints, report)
    # The hash each checkpoint signed, by position on the chain.
    signed: dict[int, list[checkpoints.Checkpoint]] = {}
    for point in loaded.checkpoints:
        if point.entries:
            signed.setdefault(point.entries, []).append(point)

    # Read after the checkpoints, so none of them can be ahead of it; the walk stops at
    # it, so entries sealed meanwhile by another run are left for the next check.
    head = ChainHead.objects.filter(pk=1).first()
    unsealed_total = AuditEntry.objects.filter(seq__isnull=True).count()
    total = (head.entries if head else 0) + unsealed_total
    done = 0

    previous = GENESIS
    position = 0
    last_id = 0
    for batch in _sealed_batches(batch_size, up_to=_walk_limit(head)):
        for entry in batch:
            assert entry.seq is not None
            position += 1
            if entry.seq > position:
                missing = entry.seq - position
                report.add(
                    entry.pk,
                    ngettext(
                        "%(n)d entry before this one was removed (positions %(first)d to "
                        "%(last)d on the chain)",
                        "%(n)d entries before this one were removed (positions %(first)d to "
                        "%(last)d on the chain)",
                        missing,
                    )
                    % {"n": missing, "first": position, "last": entry.seq - 1},
                )
                position = entry.seq
            elif entry.seq != position:
                report.add(
                    entry.pk, _("its place on the chain (%(seq)d) was changed") % {"seq": entry.seq}
                )
                position = entry.seq
            elif entry.previous_hash != previous:
                report.add(entry.pk, _("an entry before this one was removed or replaced"))
            if entry.compute_hash() != entry.entry_hash or (
                entry.entry_mac and entry.compute_mac() != entry.entry_mac
            ):
                report.add(entry.pk, _("this entry was edited after it was written"))
            for point in signed.get(entry.seq, []):
                if entry.entry_hash != point.head:
                    report.add(
                        entry.pk,
                        _(
                            "the chain up to position %(seq)d was replaced: this is not the "
                            "entry %(checkpoint)s signed"
                        )
                        % {"seq": entry.seq, "checkpoint": point.describe()},
                    )
            previous = entry.entry_hash or ""
            last_id = entry.pk
        done += len(batch)
        if progress is not None:
            progress(done, max(total, done))
    report.entries = position

    _check_against_checkpoints(loaded.checkpoints, position, report)
    _check_head(head, position, last_id, previous, report)

    for batch in _unsealed_batches(batch_size):
        for entry in batch:
            report.unsealed += 1
            if not entry.entry_mac or entry.compute_mac() != entry.entry_mac:
                report.add(entry.pk, _("this entry was edited after it was written"))
        done += len(batch)
        if progress is not None:
            progress(done, max(total, done))

    _check_copies(report)

    if not loaded.checkpoints and not loaded.problems:
        report.notes.append(
            _(
                "No signed checkpoint yet: entries removed from the end of the log together "
                "with the chain head would not be noticed."
            )
        )
    return report


def _check_copies(report: Report) -> None:
    """Every entry's MAC covers a random nonce of its own, so no two entries share one.
    Two rows that do are an entry and a copy of it inserted afterwards (its content and
    MAC replayed, which needs no key): the sequencer seals a copy like any entry whose
    MAC matches, so only this comparison tells it. One grouped scan of the table."""
    shared = (
        AuditEntry.objects.exclude(entry_mac="")
        .order_by()
        .values("entry_mac")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .values_list("entry_mac", flat=True)
    )
    for mac in shared:
        first, *copies = (
            AuditEntry.objects.filter(entry_mac=mac).order_by("pk").values_list("pk", flat=True)
        )
        for copy in copies:
            report.add(
                copy,
                _(
                    "it has the same content and MAC as entry %(first)s: one of the two is a "
                    "copy inserted afterwards"
                )
                % {"first": first},
            )


def seal_alarm_after() -> datetime.timedelta:
    """How long a committed entry may wait to be sealed before that is an alarm: three
    periods of the worker's task (a run or two missed), and at least five minutes."""
    return datetime.timedelta(seconds=max(3 * settings.AUDIT_CHECKPOINT_SECONDS, 300))


def overdue() -> tuple[int, datetime.datetime | None]:
    """The committed entries still not sealed that were written longer ago than
    `seal_alarm_after()`, and the oldest one's time, when no checkpoint has been written
    since then either: the worker that seals and checkpoints is not running, and until
    it runs those entries can be removed without a trace. (An entry of a long
    transaction commits late with an early time; the worker, running, checkpoints
    meanwhile, so it raises no alarm.)"""
    limit = timezone.now() - seal_alarm_after()
    try:
        latest = checkpoints.latest() if settings.AUDIT_CHECKPOINT_KEY else None
    except ImproperlyConfigured:  # a malformed key: the deploy check says so
        latest = None
    if latest is not None and latest.at > limit:
        return 0, None
    found = AuditEntry.objects.filter(seq__isnull=True, at__lt=limit).aggregate(
        n=models.Count("id"), oldest=models.Min("at")
    )
    return int(found["n"] or 0), found["oldest"]


def overdue_note(waiting: int, oldest: datetime.datetime) -> str:
    minutes = int(seal_alarm_after().total_seconds() // 60)
    return ngettext(
        "%(n)d entry had waited more than %(minutes)d minutes to be sealed (the oldest "
        "since %(since)s UTC): the worker that seals and checkpoints the log is not "
        "running, and while it is not, entries can be removed without a trace. Start "
        "`doorway db_worker` and `doorway audit checkpoint --schedule`.",
        "%(n)d entries had waited more than %(minutes)d minutes to be sealed (the oldest "
        "since %(since)s UTC): the worker that seals and checkpoints the log is not "
        "running, and while it is not, entries can be removed without a trace. Start "
        "`doorway db_worker` and `doorway audit checkpoint --schedule`.",
        waiting,
    ) % {
        "n": waiting,
        "minutes": minutes,
        "since": f"{oldest.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S}",
    }


def verify(batch_size: int = 5000) -> Problem | None:
    """The first problem found, or None when the log is intact."""
    return check_log(batch_size=batch_size).problem


def _check_checkpoint_order(points: list[checkpoints.Checkpoint], report: Report) -> None:
    """A later checkpoint never signs a shorter chain: if one does, the log was cut
    between the two and the later one signed what was left."""
    longest: checkpoints.Checkpoint | None = None
    for point in points:
        if longest is not None and point.entries < longest.entries:
            report.add(
                None,
                _(
                    "%(later)s signed %(n)d entries, fewer than the %(m)d of %(earlier)s: "
                    "the log was cut between them"
                )
                % {
                    "later": point.describe(),
                    "n": point.entries,
                    "m": longest.entries,
                    "earlier": longest.describe(),
                },
            )
        if longest is None or point.entries >= longest.entries:
            longest = point


def _check_against_checkpoints(
    points: list[checkpoints.Checkpoint], length: int, report: Report
) -> None:
    if not points:
        return
    furthest = max(points, key=lambda point: (point.entries, point.at))
    if furthest.entries <= length:
        return
    missing = furthest.entries - length
    if length == 0:
        report.add(
            None,
            _(
                "the log was wiped: %(checkpoint)s signed %(n)d entries and the database "
                "holds none on the chain; all of them are missing"
            )
            % {"checkpoint": furthest.describe(), "n": furthest.entries},
        )
    else:
        report.add(
            None,
            ngettext(
                "%(n)d entry is missing from the end of the log: positions %(first)d to "
                "%(last)d on the chain, signed by %(checkpoint)s",
                "%(n)d entries are missing from the end of the log: positions %(first)d to "
                "%(last)d on the chain, signed by %(checkpoint)s",
                missing,
            )
            % {
                "n": missing,
                "first": length + 1,
                "last": furthest.entries,
                "checkpoint": furthest.describe(),
            },
        )


def _check_head(
    head: ChainHead | None, length: int, last_id: int, last_hash: str, report: Report
) -> None:
    if head is None:
        if length:
            report.add(None, _("the chain head is missing"))
        return
    if head.entries != length or head.last_hash != last_hash or head.last_entry_id != last_id:
        report.add(
            head.last_entry_id or None,
            _("the newest entries were removed or the head was altered"),
        )


def _walk_limit(head: ChainHead | None) -> int | None:
    """The last place to walk to: the head's, or (head missing or behind) every place
    there is, so that a removed or rewound head is noticed."""
    if head is None:
        return None
    highest = AuditEntry.objects.aggregate(highest=models.Max("seq"))["highest"] or 0
    # Entries past the head were sealed after it was read, unless the head was rewound;
    # a rewound head is then caught by comparing it with the chain walked.
    return None if highest > head.entries and not _sealed_after(head) else head.entries


def _sealed_after(head: ChainHead) -> bool:
    """Has the head moved on since it was read (another sequencer sealed meanwhile)?"""
    now = ChainHead.objects.filter(pk=1).values_list("entries", flat=True).first()
    return now is not None and now > head.entries


def _sealed_batches(batch_size: int, up_to: int | None = None) -> Iterator[list[AuditEntry]]:
    last = 0
    while True:
        rows = AuditEntry.objects.filter(seq__gt=last).order_by("seq")
        if up_to is not None:
            rows = rows.filter(seq__lte=up_to)
        batch = list(rows[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].seq or 0


def _unsealed_batches(batch_size: int) -> Iterator[list[AuditEntry]]:
    last = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(seq__isnull=True, pk__gt=last).order_by("pk")[:batch_size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1].pk
