"""A participant's journey through one program cycle, and the phase machine.

The phase machine lives here and nowhere else: `allowed_moves()` says what may happen
next, and `move_to`, `exit`, `reopen` are the only ways the phase changes. Each writes
a journey event (who, when, why) and an audit entry in one transaction.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import Collector, ProtectedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from simple_history.models import HistoricalRecords

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.encryption import EncryptedTextField
from doorway.enrolments.due import refresh_after_commit
from doorway.enrolments.phases import phase_title
from doorway.enrolments.reach import enrolment_rule
from doorway.people.models import ConsentKind, Participant, User
from doorway.people.roles import Role
from doorway.programs.models import Cycle, Phase, Program

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from doorway.people.capabilities import Someone


class ReferralSource(models.TextChoices):
    HOST_ORGANISATION = "host", gettext_lazy("Host organisation")
    STREET_OUTREACH = "outreach", gettext_lazy("Street outreach")
    LEGAL_NETWORK = "legal", gettext_lazy("Legal or social-justice network")
    ANTI_TRAFFICKING = "anti_trafficking", gettext_lazy("Anti-trafficking network")
    SELF = "self", gettext_lazy("Self-referral")
    OTHER = "other", pgettext_lazy("referral source", "Other")


class Eligibility(models.TextChoices):
    PENDING = "pending", gettext_lazy("Not yet decided")
    ELIGIBLE = "eligible", gettext_lazy("Eligible")
    NOT_ELIGIBLE = "not_eligible", gettext_lazy("Not eligible")


class ExitReason(models.TextChoices):
    # Finished the last phase: the one good ending.
    GRADUATED = "graduated", gettext_lazy("Graduated")
    WITHDREW = "withdrew", gettext_lazy("Withdrew")
    LOST_CONTACT = "lost_contact", gettext_lazy("Lost contact")
    TRANSFERRED = "transferred", gettext_lazy("Transferred")
    NOT_ELIGIBLE = "not_eligible", gettext_lazy("Not eligible")
    DECEASED = "deceased", gettext_lazy("Deceased")


class EventKind(models.TextChoices):
    REFERRED = "referred", gettext_lazy("Referred and enrolled")
    ELIGIBILITY = "eligibility", gettext_lazy("Eligibility decided")
    ASSIGNED = "assigned", gettext_lazy("Staff assigned")
    ADVANCED = "advanced", gettext_lazy("Moved to the next phase")
    # Moved past one or more phases; always with a reason.
    SKIPPED = "skipped", gettext_lazy("Skipped ahead")
    EXITED = "exited", gettext_lazy("Left the program")
    REOPENED = "reopened", gettext_lazy("Reopened")
    # A move or an exit taken back within a day (`Enrolment.undo`): the event keeps
    # what it was in `undone_kind`, and no reader of her journey counts it any more.
    UNDONE = "undone", gettext_lazy("Move undone")


PHASE_EVENTS = (EventKind.REFERRED, EventKind.ADVANCED, EventKind.SKIPPED, EventKind.REOPENED)
# What a mistaken click can do, and so what may be undone (a reopening is taken back by
# recording the exit again).
UNDOABLE = (EventKind.ADVANCED, EventKind.SKIPPED, EventKind.EXITED)
UNDO_WINDOW = datetime.timedelta(hours=24)


class MoveRefused(ValidationError):
    """A phase move the rules do not allow; the message says why in plain words."""


@dataclass(frozen=True)
class Move:
    """One thing that may happen next to an enrolment."""

    kind: str  # an EventKind
    phase: Phase | None = None
    exit_reason: str = ""
    # Why this move cannot be made yet (missing consent, eligibility), or "".
    blocked_because: str = ""
    # The phase's number as CTI speaks of it (`doorway.enrolments.phases`).
    number: int | None = None

    @property
    def needs_reason(self) -> bool:
        return self.kind in {EventKind.SKIPPED, EventKind.REOPENED} or bool(self.exit_reason)

    @property
    def key(self) -> str:
        if self.phase is not None:
            return f"phase:{self.phase.pk}"
        if self.exit_reason:
            return f"exit:{self.exit_reason}"
        return self.kind

    @property
    def phase_title(self) -> str:
        assert self.phase is not None
        return phase_title(self.number, self.phase.local_name)

    @property
    def label(self) -> str:
        if self.kind == EventKind.ADVANCED and self.phase is not None:
            return _("Move to %(phase)s") % {"phase": self.phase_title}
        if self.kind == EventKind.SKIPPED and self.phase is not None:
            return _("Skip ahead to %(phase)s") % {"phase": self.phase_title}
        if self.exit_reason:
            return _("Exit: %(reason)s") % {"reason": ExitReason(self.exit_reason).label}
        return _("Reopen")

    @property
    def question(self) -> str:
        """What the confirmation step asks."""
        if self.phase is not None:
            return _("Move her to %(phase)s?") % {"phase": self.phase_title}
        if self.exit_reason:
            return _("Record that she has left the program (%(reason)s)?") % {
                "reason": ExitReason(self.exit_reason).label
            }
        return _("Reopen her enrolment?")

    @property
    def done(self) -> str:
        """What the page says once it is done."""
        return _("Done: %(move)s.") % {"move": self.label}


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def visible_to(self, user: Someone) -> EnrolmentQuerySet:
        """What `user` reaches: the one access rule (`doorway.enrolments.reach`)."""
        rule = enrolment_rule(user)
        if rule is None:
            return self.none()
        # The rule joins no many-valued relation, so it filters the rows directly.
        return self.filter(rule)

    def open(self) -> EnrolmentQuerySet:
        return self.filter(exit_reason="")


class Enrolment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="enrolments")
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referred_on = models.DateField()
    eligibility = models.CharField(
        max_length=20, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    # Her circumstances (risk factors met, her age): encrypted like a case note.
    eligibility_reason = EncryptedTextField(blank=True)
    eligibility_decided_on = models.DateField(null=True, blank=True)
    case_manager = models.ForeignKey(User, on_delete=models.PROTECT, related_name="caseload")
    peer_mentor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="mentees", null=True, blank=True
    )
    # The phase she is in; after an exit, the phase she left from.
    current_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    phase_started_on = models.DateField()
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    exited_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = EnrolmentQuerySet.as_manager()

    if TYPE_CHECKING:
        events: RelatedManager[JourneyEvent]

    class Meta:
        ordering = ["-referred_on"]
        indexes = [
            models.Index(fields=["case_manager", "exit_reason"]),
            models.Index(fields=["peer_mentor", "exit_reason"]),
            # A program manager's open enrolments (her caseload page, the overview),
            # without reading her programs' closed ones.
            models.Index(fields=["cycle", "exit_reason"], name="enrolment_cycle_open"),
            # The program manager's old closing notes to clear (counted on her caseload
            # and overview): her programs' graduates by exit date, without their rows.
            models.Index(
                fields=["cycle", "exited_on", "id"],
                condition=models.Q(exit_reason="graduated"),
                name="enrolment_cycle_graduated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} in {self.cycle}"

    @property
    def program(self) -> Program:
        return self.cycle.program

    @property
    def is_open(self) -> bool:
        return not self.exit_reason

    def days_in_phase(self, today: datetime.date | None = None) -> int:
        end = self.exited_on or today or timezone.localdate()
        return (end - self.phase_started_on).days

    # --- the phase machine -------------------------------------------------------

    def allowed_moves(self) -> list[Move]:
        if not self.is_open:
            return [Move(EventKind.REOPENED)]
        phases = list(self.program.active_phases())
        number = {p.pk: n for n, p in enumerate(phases)}
        later = [p for p in phases if p.order > self.current_phase.order]
        moves = []
        for index, phase in enumerate(later):
            kind = EventKind.ADVANCED if index == 0 else EventKind.SKIPPED
            moves.append(
                Move(
                    kind,
                    phase=phase,
                    blocked_because=self._entry_blocked(phase),
                    number=number[phase.pk],
                )
            )
        is_last = not later
        for reason in ExitReason:
            if reason == ExitReason.GRADUATED and not is_last:
                continue
            moves.append(Move(EventKind.EXITED, exit_reason=reason))
        return moves

    def _entry_blocked(self, phase: Phase) -> str:
        if phase.requires_service_consent and not self.participant.has_consent(ConsentKind.SERVICE):
            return _("She has no consent to service in force, which %(phase)s needs.") % {
                "phase": phase.local_name
            }
        if phase.requires_eligibility and self.eligibility != Eligibility.ELIGIBLE:
            return _("She has not been found eligible, which %(phase)s needs.") % {
                "phase": phase.local_name
            }
        return ""

    def _check_date(self, on: datetime.date) -> None:
        if on > timezone.localdate():
            raise MoveRefused(_("A move cannot be dated in the future."))
        last = (
            self.events.exclude(kind=EventKind.UNDONE)
            .order_by("-effective_on")
            .values_list("effective_on", flat=True)
            .first()
        )
        if last is not None and on < last:
            raise MoveRefused(
                _("A move cannot be dated before the last step of her journey (%(date)s).")
                % {"date": date_format(last)}
            )

    def _find(self, key: str) -> Move:
        for move in self.allowed_moves():
            if move.key == key:
                return move
        raise MoveRefused(_("That move is not allowed from where she is now."))

    @transaction.atomic
    def make_move(
        self, key: str, *, by: User, reason: str = "", on: datetime.date | None = None
    ) -> JourneyEvent:
        """Carry out one of `allowed_moves()`, named by its key."""
        # Two workers moving her at once: the second waits, then sees the first's move.
        Enrolment.objects.select_for_update().get(pk=self.pk)
        self.refresh_from_db()
        move = self._find(key)
        on = on or timezone.localdate()
        reason = reason.strip()
        if move.blocked_because:
            raise MoveRefused(move.blocked_because)
        if move.needs_reason and not reason:
            raise MoveRefused(_("Say why: this move needs a reason on the record."))
        self._check_date(on)
        from_phase = self.current_phase
        if move.kind == EventKind.REOPENED:
            self.exit_reason = ""
            self.exited_on = None
            self.phase_started_on = on
        elif move.exit_reason:
            self.exit_reason = move.exit_reason
            self.exited_on = on
        else:
            assert move.phase is not None
            self.current_phase = move.phase
            self.phase_started_on = on
        self.save()
        refresh_after_commit(self)
        event = JourneyEvent.objects.create(
            enrolment=self,
            kind=move.kind,
            from_phase=from_phase,
            to_phase=None if move.exit_reason else self.current_phase,
            from_phase_name=from_phase.name,
            to_phase_name="" if move.exit_reason else self.current_phase.name,
            exit_reason=move.exit_reason,
            effective_on=on,
            recorded_by=by,
            reason=reason,
        )
        record(
            Action.CHANGE,
            actor=by,
            participant=self.participant_id,
            subject=self,
            detail={"event": move.kind, "exit_reason": move.exit_reason},
        )
        return event

    # --- undoing a mistaken move ----------------------------------------------------

    def last_move(self) -> JourneyEvent | None:
        """The latest step of her journey, if it is a move or an exit that may still be
        undone by someone (`undo_refused_because` says whether and why not)."""
        last = (
            self.events.exclude(kind=EventKind.UNDONE)
            .select_related("from_phase", "to_phase")
            .order_by("recorded_at")
            .last()
        )
        if last is None or last.kind not in UNDOABLE:
            return None
        return last

    def undo_refused_because(
        self, event: JourneyEvent, now: datetime.datetime | None = None
    ) -> str:
        """Why `event` may not be undone, or "".

        A move is undone only while it is the last step of her journey, within a day of
        being recorded, and while no record refers to it. What depends on a move is what
        names it: a later step of her journey (a move, an exit, an eligibility decision
        or a staff assignment: undo reads them in order, so a later one would be left
        standing on a phase she was never in), and a plan review it prompted. Contacts,
        notes, assessments and phase plans dated after it are about her, not about the
        move: they stay, and the evaluation reads her stays in each phase from the
        journey again."""
        now = now or timezone.now()
        if event.kind == EventKind.UNDONE:
            return _("This move was already undone.")
        if event.kind not in UNDOABLE:
            return _("Only a move to another phase or an exit can be undone.")
        if now - event.recorded_at > UNDO_WINDOW:
            return _(
                "This move was recorded more than a day ago, so it can no longer be "
                "undone. Record a new move instead, with the reason."
            )
        later = (
            self.events.exclude(kind=EventKind.UNDONE)
            .exclude(pk=event.pk)
            .filter(recorded_at__gte=event.recorded_at)
            .order_by("recorded_at")
            .first()
        )
        if later is not None:
            return _(
                "Something was recorded on her journey after this move (%(step)s), so it "
                "can no longer be undone."
            ) % {"step": later.get_kind_display()}
        referring = records_referring_to(event)
        if referring:
            return _("A %(record)s refers to this move, so it can no longer be undone.") % {
                "record": referring[0]
            }
        return ""

    @transaction.atomic
    def undo(self, event: JourneyEvent, *, by: User, reason: str) -> JourneyEvent:
        """Take back a mistaken move or exit: her phase (or her place in the program)
        is put back as it was, and the event stays on her journey, marked undone with
        who, when and why."""
        Enrolment.objects.select_for_update().get(pk=self.pk)
        self.refresh_from_db()
        event = JourneyEvent.objects.select_for_update().get(pk=event.pk, enrolment=self)
        reason = reason.strip()
        if not reason:
            raise MoveRefused({"reason": _("Say why the move is being undone.")})
        why_not = self.undo_refused_because(event)
        if why_not:
            raise MoveRefused(why_not)
        if event.kind == EventKind.EXITED:
            self.exit_reason = ""
            self.exited_on = None
        else:
            assert event.from_phase is not None
            self.current_phase = event.from_phase
            # She is back in the phase she started on the date of the step before.
            before = (
                self.events.filter(kind__in=PHASE_EVENTS, recorded_at__lt=event.recorded_at)
                .order_by("recorded_at")
                .last()
            )
            self.phase_started_on = before.effective_on if before else self.referred_on
        self.save()
        refresh_after_commit(self)
        undone_kind = event.kind
        event.undone_kind = undone_kind
        event.kind = EventKind.UNDONE
        event.undone_at = timezone.now()
        event.undone_by = by
        event.undo_reason = reason
        event.save()
        record(
            Action.CHANGE,
            actor=by,
            participant=self.participant_id,
            subject=self,
            detail={
                "event": EventKind.UNDONE,
                "undone": undone_kind,
                "journey_event": str(event.pk),
            },
        )
        return event

    def move_to(
        self, phase: Phase, *, by: User, reason: str = "", on: datetime.date | None = None
    ) -> JourneyEvent:
        return self.make_move(f"phase:{phase.pk}", by=by, reason=reason, on=on)

    def exit(
        self, exit_reason: str, *, by: User, reason: str, on: datetime.date | None = None
    ) -> JourneyEvent:
        return self.make_move(f"exit:{exit_reason}", by=by, reason=reason, on=on)

    def reopen(self, *, by: User, reason: str, on: datetime.date | None = None) -> JourneyEvent:
        return self.make_move(EventKind.REOPENED, by=by, reason=reason, on=on)

    @transaction.atomic
    def decide_eligibility(
        self, decision: str, *, by: User, reason: str, on: datetime.date | None = None
    ) -> JourneyEvent:
        on = on or timezone.localdate()
        if decision not in {Eligibility.ELIGIBLE, Eligibility.NOT_ELIGIBLE}:
            raise MoveRefused(_("Choose eligible or not eligible."))
        if not reason.strip():
            raise MoveRefused(_("Give the reason for the eligibility decision."))
        if not self.is_open:
            raise MoveRefused(_("Reopen the enrolment before changing its eligibility."))
        self._check_date(on)
        self.eligibility = decision
        self.eligibility_reason = reason.strip()
        self.eligibility_decided_on = on
        self.save()
        refresh_after_commit(self)
        record(
            Action.CHANGE,
            actor=by,
            participant=self.participant_id,
            subject=self,
            detail={"event": EventKind.ELIGIBILITY, "decision": decision},
        )
        return JourneyEvent.objects.create(
            enrolment=self,
            kind=EventKind.ELIGIBILITY,
            from_phase=self.current_phase,
            to_phase=self.current_phase,
            from_phase_name=self.current_phase.name,
            to_phase_name=self.current_phase.name,
            effective_on=on,
            recorded_by=by,
            reason=f"{Eligibility(decision).label}: {reason.strip()}",
        )

    @transaction.atomic
    def assign(
        self, *, case_manager: User, peer_mentor: User | None, by: User, reason: str = ""
    ) -> JourneyEvent | None:
        if case_manager.role != Role.CASE_MANAGER or not case_manager.is_active:
            raise MoveRefused(_("The case manager must be an active case manager's account."))
        if peer_mentor is not None and (
            peer_mentor.role != Role.PEER_MENTOR or not peer_mentor.is_active
        ):
            raise MoveRefused(_("The peer mentor must be an active peer mentor's account."))
        if (case_manager, peer_mentor) == (self.case_manager, self.peer_mentor):
            return None
        self.case_manager = case_manager
        self.peer_mentor = peer_mentor
        self.save()
        refresh_after_commit(self)
        record(
            Action.CHANGE,
            actor=by,
            participant=self.participant_id,
            subject=self,
            detail={"event": EventKind.ASSIGNED},
        )
        mentor = f"; peer mentor {peer_mentor}" if peer_mentor else "; no peer mentor"
        return JourneyEvent.objects.create(
            enrolment=self,
            kind=EventKind.ASSIGNED,
            from_phase=self.current_phase,
            to_phase=self.current_phase,
            from_phase_name=self.current_phase.name,
            to_phase_name=self.current_phase.name,
            effective_on=timezone.localdate(),
            recorded_by=by,
            reason=f"Case manager {case_manager}{mentor}. {reason}".strip(),
        )


class JourneyEvent(models.Model):
    """One step of her journey, as it was recorded: phase names are copied so that a
    phase renamed later does not rewrite what happened."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    to_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_phase_name = models.CharField(max_length=120, blank=True)
    to_phase_name = models.CharField(max_length=120, blank=True)
    exit_reason = models.CharField(max_length=20, choices=ExitReason.choices, blank=True)
    effective_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Why she moved, left or was found (not) eligible: clinical, so encrypted.
    reason = EncryptedTextField(blank=True)
    # A move taken back (`Enrolment.undo`): what it was, who took it back, when and why.
    undone_kind = models.CharField(max_length=20, choices=EventKind.choices, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    undo_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["effective_on", "recorded_at"]
        indexes = [models.Index(fields=["enrolment", "effective_on"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_phase_change(self) -> bool:
        return self.kind in PHASE_EVENTS or self.kind == EventKind.EXITED

    @property
    def is_undone(self) -> bool:
        return self.kind == EventKind.UNDONE

    # The names as a person reads them: the phase's name in the page's language, unless
    # it was renamed since (then the name it had, as recorded). Read with the phases
    # selected (`select_related("from_phase", "to_phase")`).
    @property
    def from_phase_label(self) -> str:
        return shown_name(self.from_phase, self.from_phase_name)

    @property
    def to_phase_label(self) -> str:
        return shown_name(self.to_phase, self.to_phase_name)

    def undoes_until(self) -> datetime.datetime:
        return self.recorded_at + UNDO_WINDOW


def shown_name(phase: Phase | None, recorded: str) -> str:
    if phase is not None and recorded and phase.name == recorded:
        return phase.local_name
    return recorded


def records_referring_to(event: JourneyEvent) -> list[str]:
    """What names this event (a plan review it prompted, say), by kind of record. The
    apps above this one point at journey events without this one knowing them: every
    such reference is protected, so asking what would stop a deletion finds them all."""
    collector = Collector(using="default")
    try:
        collector.collect([event])
    except ProtectedError as protected:
        return sorted({str(o._meta.verbose_name) for o in protected.protected_objects})
    return []
