"""Second pass: each woman's records, as the app's actions would have written them.

For every journey planned in `doorway.synth.journeys`: her participant record with its
blind index and history, safety flags, consents, the enrolment with its journey events
(each phase change, the eligibility decision with the reasons her intake assessment
computed, her exit) and one history version per change, assessments with answers and
the scores the version's own scoring gives, her plan with goals, steps, their dated
status moves and the reviews each phase change asked for, contacts with their notes,
focus areas, key ingredients and goals, attendance at her team's drop-ins and groups,
referrals with their dated steps, and at graduation the transfer-of-care meeting and
the closing note.

The rules the actions check hold here by construction: nothing is dated before her
referral or after yesterday, a phase needing consent or eligibility is entered only
with them, a peer mentor records peer contacts only and only for her mentees, a
referral shares her information only under her consent for that partner, a goal
linked to a contact is of her own plan, a review is prompted by the phase change it
follows.
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from doorway.casework.models import (
    CONTACT_HISTORY,
    ClosingNote,
    Contact,
    ContactKind,
    Material,
    OutreachContact,
    OutreachKind,
    OutreachMaterial,
    SupervisionReview,
    TransferOfCare,
    late_after_days,
)
from doorway.dropins.models import Attendance
from doorway.encryption import name_digests, name_prefix_digests, outreach_nickname_digest
from doorway.enrolments.models import (
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    JourneyEvent,
    ReferralSource,
)
from doorway.instruments import exit_doors_here as instruments
from doorway.instruments.actions import check_answers
from doorway.instruments.models import Administration, Answer, ItemKind, Timepoint
from doorway.instruments.scoring import Context, compute_scores, evaluate_rule, reasons_text
from doorway.people.models import (
    CODE_ALPHABET,
    Consent,
    ConsentKind,
    FlagKind,
    Language,
    NameDigest,
    Participant,
    SafetyFlag,
    SharingScope,
)
from doorway.plans.models import (
    Goal,
    PhasePlan,
    PlanReview,
    ServicePlan,
    Status,
    StatusChange,
    Step,
)
from doorway.programs.models import PartnerAgency, ServiceKind, add_months
from doorway.referrals.models import STEPS, Referral, ReferralStatus, ReferralUpdate
from doorway.synth import names, text
from doorway.synth.journeys import DAY, Journey, Person
from doorway.synth.world import TEAM_SIZE, ProgramInfo
from doorway.synth.writer import Id, Sealed, Writer, new_uuid, seal

S = ReferralStatus


@dataclass
class Sessions:
    """One team's drop-ins (one a week from `first`) and groups (every other week)."""

    first: datetime.date
    drop_ins: list[Id]
    groups: dict[int, Id]
    # The team's weekly supervision (the Monday of each week), led by its first worker.
    supervision: list[Id] = field(default_factory=list)
    lead: Id | None = None


@dataclass
class Run:
    """What the second pass shares across participants."""

    today: datetime.date
    writer: Writer
    sessions: dict[tuple[Id, int], Sessions]  # (program id, team) -> sessions
    codes: set[str]
    next_history_id: int
    next_link_id: int  # of a contact's focus-area link, which its history copies
    tz: Any = field(default_factory=timezone.get_current_timezone)


def at(ctx: Run, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ctx.tz)


OUTREACH_COLUMNS = ["id", "program", "happened_on", "kind", "place", "women_reached", "nickname",
                    "nickname_digest", "referrals_in", "note", "recorded_by", "recorded_at",
                    "participant", "linked_at", "linked_by"]  # fmt: skip


def outreach_row(
    rng: random.Random,
    tz: Any,
    program: Id,
    on: datetime.date,
    by: Id,
    materials: Any,
    linked: tuple[Id, datetime.datetime] | None = None,
) -> tuple[Any, ...]:
    """One outreach contact as `record_outreach` stores it (and `link_outreach`, when
    `linked` names her participant record and when it was linked); its materials go to
    `materials` (an append)."""
    kind = rng.choice(list(OutreachKind))
    reached = 1 if linked else rng.randint(1, 8)
    nickname = rng.choice(names.NICKNAMES) if rng.random() < 0.35 else ""
    outreach_id = new_uuid(rng)
    for material in sorted(rng.sample([m.value for m in Material], rng.randint(0, 3))):
        materials((outreach_id, material))
    made = datetime.datetime.combine(on, datetime.time(21, rng.randint(0, 59)), tzinfo=tz)
    note = seal(rng.choice(text.OUTREACH_NOTES)) if rng.random() < 0.25 else ""
    return (outreach_id, program, on, kind.value, rng.choice(text.OUTREACH_PLACES[kind.value]),
            reached, seal(nickname), outreach_nickname_digest(nickname) if nickname else "",
            rng.randint(0, min(2, reached)), note, by, made,
            linked[0] if linked else None, linked[1] if linked else None,
            by if linked else None)  # fmt: skip


def tables(writer: Writer) -> None:
    """The tables the second pass fills, with their columns in the order rows give them."""
    history = ["history_date", "history_change_reason", "history_type", "history_user"]
    P, E, C = Participant, Enrolment, Contact
    t = writer.table
    t("participant", P, ["id", "code", "agency", "legal_name", "preferred_name", "aliases",
                         "date_of_birth", "phone", "email", "safe_contact", "registered_at",
                         "registered_by", "preferred_language"])  # fmt: skip
    t("participant_h", P.history.model, ["id", "code", "agency", "legal_name", "preferred_name",
                                          "aliases", "date_of_birth", "phone", "email",
                                          "safe_contact", "registered_by", "preferred_language",
                                          *history])  # fmt: skip
    t("digest", NameDigest, ["participant", "digest", "preferred"])
    flag = ["id", "participant", "kind", "note", "added_at", "added_by", "removed_at", "removed_by"]
    t("flag", SafetyFlag, flag)
    t("flag_h", SafetyFlag.history.model, [*flag, *history])
    consent = ["id", "participant", "kind", "partner", "given_on", "recorded_by", "recorded_at",
               "withdrawn_on", "withdrawn_by", "withdrawal_note", "partner_kind", "scope",
               "ends_on"]  # fmt: skip
    t("consent", Consent, consent)
    t("consent_h", Consent.history.model, [*consent, *history])
    enrolment = ["id", "participant", "cycle", "referral_source", "referred_on", "eligibility",
                 "eligibility_reason", "eligibility_decided_on", "case_manager", "peer_mentor",
                 "current_phase", "phase_started_on", "exit_reason", "exited_on",
                 "created_at"]  # fmt: skip
    t("enrolment", E, enrolment)
    t("enrolment_h", E.history.model, [*enrolment, *history])
    t("event", JourneyEvent, ["id", "enrolment", "kind", "from_phase", "to_phase",
                              "from_phase_name", "to_phase_name", "exit_reason", "effective_on",
                              "recorded_at", "recorded_by", "reason", "undone_kind",
                              "undo_reason"])  # fmt: skip
    contact = ["id", "enrolment", "happened_on", "duration_minutes", "kind", "note",
               "recorded_by", "recorded_at", "is_late", "edited_at"]  # fmt: skip
    t("contact", C, contact)
    t("contact_h", C.history.model, [*contact, "history_id", *history])
    areas_history = CONTACT_HISTORY.m2m_models[C._meta.get_field("focus_areas")]
    t("contact_area", C.focus_areas.through, ["id", "contact", "focusarea"])
    t("contact_area_h", areas_history, ["id", "contact", "focusarea", "history"])
    t("contact_ingredient", C.ingredients.through, ["contact", "keyingredient"])
    t("goal_contact", Goal.contacts.through, ["goal", "contact"])
    t("administration", Administration, ["id", "enrolment", "version", "timepoint",
                                         "completed_on", "recorded_by", "recorded_at", "scores",
                                         "rule_results"])  # fmt: skip
    t("answer", Answer, ["administration", "item", "number", "date", "choices", "text"])
    plan = ["id", "enrolment", "agreed_on", "her_words", "private_notes", "created_by",
            "created_at", "updated_at"]  # fmt: skip
    t("plan", ServicePlan, plan)
    t("plan_h", ServicePlan.history.model, [*plan, *history])
    t("phase_plan", PhasePlan, ["id", "enrolment", "phase", "agreed_on", "recorded_by",
                                "recorded_at"])  # fmt: skip
    t("phase_plan_area", PhasePlan.focus_areas.through, ["phaseplan", "focusarea"])
    t("goal", Goal, ["id", "plan", "focus_area", "her_words", "status", "target_on", "order",
                     "created_at"])  # fmt: skip
    t("step", Step, ["id", "goal", "what", "target_on", "status", "done_on", "created_at"])
    t("status_change", StatusChange, ["id", "goal", "step", "from_status", "to_status",
                                      "changed_on", "recorded_by", "recorded_at"])  # fmt: skip
    t("review", PlanReview, ["id", "enrolment", "reviewed_on", "phase", "prompted_by",
                             "decided", "recorded_by", "recorded_at"])  # fmt: skip
    t("referral", Referral, ["id", "enrolment", "partner", "service_kind", "shares_information",
                             "made_on", "made_by", "status", "status_on",
                             "created_at"])  # fmt: skip
    t("referral_update", ReferralUpdate, ["id", "referral", "status", "dated_on", "note",
                                          "recorded_by", "recorded_at"])  # fmt: skip
    t("attendance", Attendance, ["id", "session", "enrolment", "recorded_by", "recorded_at",
                                 "walk_in"])  # fmt: skip
    t("review_s", SupervisionReview, ["id", "session", "enrolment", "decisions", "recorded_by",
                                     "recorded_at"])  # fmt: skip
    t("outreach", OutreachContact, OUTREACH_COLUMNS)
    t("outreach_material", OutreachMaterial, ["outreach", "material"])
    t("transfer", TransferOfCare, ["id", "enrolment", "met_on", "supports", "agreed",
                                   "recorded_by", "recorded_at"])  # fmt: skip
    t("transfer_partner", TransferOfCare.partners.through, ["transferofcare", "partneragency"])
    closing = ["id", "enrolment", "written_on", "written_by", "text", "edited_at"]
    t("closing", ClosingNote, closing)
    t("closing_h", ClosingNote.history.model, [*closing, *history])


# --- one participant ------------------------------------------------------------------------


def write_person(ctx: Run, person: Person) -> None:
    rng = random.Random(person.seed ^ 0xD00A)  # noqa: S311 - reproducible synthetic data
    info = person.info
    first = person.journeys[0]
    w = ctx.writer.tables
    registrar = info.case_managers[first.case_manager]
    registered_at = at(ctx, first.referred_on, rng.randint(9, 16), rng.randint(0, 58))
    participant_id = new_uuid(rng)

    given, family = names.first_name(rng), names.last_name(rng)
    legal = f"{given} {family}"
    preferred = given if rng.random() < 0.7 else rng.choice(names.NICKNAMES)
    aliases = rng.choice(names.NICKNAMES) if rng.random() < 0.06 else ""
    youth = info.program.code_prefix.startswith("EDY")
    low, high = (16, 24) if youth else (19, 55)
    born = first.referred_on - datetime.timedelta(days=rng.randint(low * 365 + 5, high * 365))
    phone = names.phone(rng) if rng.random() < 0.85 else ""
    email = f"{given.lower()}.{family.lower()}{rng.randrange(100)}@example.org"
    email = email if rng.random() < 0.4 else ""
    safe = rng.choice(text.SAFE_CONTACT)
    code = _code(ctx, rng, info.program.code_prefix)
    # About one woman in eight would rather read her plan and star chart in French.
    language = (Language.FRENCH if rng.random() < 0.125 else Language.ENGLISH).value
    sealed = (seal(legal), seal(preferred), seal(aliases), seal(born.isoformat()), seal(phone),
              seal(email), seal(safe))  # fmt: skip
    w["participant"].add(
        (participant_id, code, info.agency.pk, *sealed, registered_at, registrar.pk, language)
    )
    w["participant_h"].add(
        (participant_id, code, info.agency.pk, *sealed, registrar.pk, language, registered_at,
         None, "+", registrar.pk)
    )  # fmt: skip
    # As Participant.refresh_name_index: whole names, their words, each word's first letters.
    preferred_digests = name_digests(preferred) | name_prefix_digests(preferred)
    every = name_digests(legal, preferred, aliases) | name_prefix_digests(legal, preferred, aliases)
    for digest in sorted(every):
        w["digest"].add((participant_id, digest, digest in preferred_digests))

    for _ in range(2 if rng.random() < 0.04 else 1 if rng.random() < 0.12 else 0):
        kind = rng.choice([k for k in FlagKind if k != FlagKind.OTHER])
        note = seal(text.FLAG_NOTES.get(kind, ""))
        flag_id = new_uuid(rng)
        row = (flag_id, participant_id, kind.value, note, registered_at, registrar.pk, None, None)
        w["flag"].add(row)
        w["flag_h"].add((*row, registered_at, None, "+", registrar.pk))

    if first.consent_on and rng.random() < 0.3:
        # Met on outreach before her referral; linked to her record once she consented.
        w = ctx.writer.tables
        linked_at = at(ctx, first.consent_on, 12, rng.randint(0, 59))
        for _ in range(rng.randint(1, 2)):
            met = first.referred_on - datetime.timedelta(days=rng.randint(0, 30))
            w["outreach"].add(
                outreach_row(rng, ctx.tz, info.program.pk, met, registrar.pk,
                             w["outreach_material"].rows.append, (participant_id, linked_at))
            )  # fmt: skip

    her = Her(participant_id=participant_id, born=born)
    for journey in person.journeys:
        write_journey(ctx, rng, info, her, journey)
    write_consents(ctx, her)


@dataclass
class Given:
    """One consent she gave, and its withdrawal if she withdrew it."""

    id: Id
    kind: str
    partner: Id | None
    on: datetime.date
    by: Id
    recorded_at: datetime.datetime
    withdrawn_on: datetime.date | None = None
    withdrawn_by: Id | None = None
    # A consent to share: everything it may cover, until her program's default end.
    ends_on: datetime.date | None = None

    @property
    def scope(self) -> list[str]:
        return list(SharingScope.values) if self.kind == ConsentKind.INFORMATION_SHARING else []


@dataclass
class Her:
    """What her journeys share: she is one person with one set of consents."""

    participant_id: Id
    born: datetime.date
    consents: list[Given] = field(default_factory=list)

    def age_on(self, day: datetime.date) -> int:
        born = self.born
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def in_force(self, kind: str, partner: Id | None, on: datetime.date) -> bool:
        return any(
            given.kind == kind
            and given.partner == partner
            and given.on <= on
            and (given.withdrawn_on is None or given.withdrawn_on > on)
            and (given.ends_on is None or given.ends_on > on)
            for given in self.consents
        )


def _code(ctx: Run, rng: random.Random, prefix: str) -> str:
    while True:
        code = f"{prefix}-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        if code not in ctx.codes:
            ctx.codes.add(code)
            return code


# --- one enrolment ------------------------------------------------------------------------


@dataclass
class Event:
    id: Id
    kind: str
    on: datetime.date
    recorded_at: datetime.datetime
    to: int | None


def write_journey(ctx: Run, rng: random.Random, info: ProgramInfo, her: Her, j: Journey) -> None:
    worker = info.case_managers[j.case_manager]
    team = j.case_manager // TEAM_SIZE
    mentor = info.peer_mentors[team] if j.peer_mentor else None
    mentor_id = mentor.pk if mentor else None
    last = j.last_day(ctx.today)
    sharing = _consents(ctx, rng, info, her, j, worker.pk)
    # The intake assessment decides eligibility.
    eligibility_reason = ""
    if j.intake_on:
        result = _intake(ctx, rng, info, her, j, worker.pk)
        if j.eligibility_on and result is not None:
            eligibility_reason = (
                f"From the Intake assessment of {j.intake_on:%Y-%m-%d}:\n{reasons_text(result)}"
            )

    events = _journey(ctx, rng, info, her, j, worker.pk, mentor_id, eligibility_reason)
    if j.exit_reason and j.exited_on:
        _stop_consents_at_exit(her, j, worker.pk, j.exited_on)

    phase_changes = {e.to: e for e in events if e.kind == EventKind.ADVANCED}
    plan = _plan(ctx, rng, info, j, worker.pk, last, phase_changes)
    if j.intake_on:
        _ratings(ctx, rng, info, her, j, worker.pk, last)
    _contacts(ctx, rng, info, j, worker.pk, mentor_id, last, plan)
    _attendance(ctx, rng, j, worker.pk, team, last)
    _referrals(ctx, rng, info, her, j, worker.pk, last, sharing)
    if j.exit_reason == ExitReason.GRADUATED:
        _graduation(ctx, rng, info, j, worker.pk)


def _consents(
    ctx: Run, rng: random.Random, info: ProgramInfo, her: Her, j: Journey, worker: Id
) -> list[PartnerAgency]:
    """Consents: service on the day she moved into intake, the research the same day,
    sharing with one or two partners when services began. Returns those partners."""

    def consent(kind: str, on: datetime.date, partner: PartnerAgency | None = None) -> None:
        partner_id = partner.pk if partner else None
        if her.in_force(kind, partner_id, on):
            return  # still in force from an earlier enrolment
        made = at(ctx, on, 10, rng.randint(0, 59))
        ends_on = None
        if kind == ConsentKind.INFORMATION_SHARING:
            ends_on = add_months(on, info.program.consent_months)
        her.consents.append(
            Given(new_uuid(rng), kind, partner_id, on, worker, made, ends_on=ends_on)
        )

    sharing: list[PartnerAgency] = []
    if j.consent_on:
        consent(ConsentKind.SERVICE, j.consent_on)
        if j.evaluation:
            consent(ConsentKind.EVALUATION, j.consent_on)
    if len(j.entered) > 2:
        sharing = rng.sample(info.partners, k=rng.randint(1, 2))
        for partner in sharing:
            consent(ConsentKind.INFORMATION_SHARING, j.entered[2], partner)
    return sharing


def _journey(
    ctx: Run,
    rng: random.Random,
    info: ProgramInfo,
    her: Her,
    j: Journey,
    worker: Id,
    mentor_id: Id | None,
    eligibility_reason: str,
) -> list[Event]:
    """Her journey events, a version of her enrolment as each of them left it, and the
    enrolment as it stands."""
    w = ctx.writer.tables
    phases = info.phases
    events: list[Event] = []
    state = {
        "eligibility": Eligibility.PENDING,
        "eligibility_reason": "",
        "eligibility_decided_on": None,
        "phase": 0,
        "phase_started_on": j.referred_on,
        "exit_reason": "",
        "exited_on": None,
    }
    created_at = at(ctx, j.referred_on, rng.randint(9, 16), rng.randint(0, 59))

    tokens: dict[str, Sealed | str] = {}

    def sealed(reason: str) -> Sealed | str:
        """Her eligibility reason, encrypted once for the versions that carry it."""
        if reason not in tokens:
            tokens[reason] = seal(reason)
        return tokens[reason]

    def snapshot(when: datetime.datetime, kind: str) -> None:
        w["enrolment_h"].add(
            (j.id, her.participant_id, j.cycle_id, j.referral_source, j.referred_on,
             state["eligibility"], sealed(str(state["eligibility_reason"])),
             state["eligibility_decided_on"], worker, mentor_id,
             phases[state["phase"]].pk, state["phase_started_on"],  # type: ignore[index]  # the state dict holds values of several types; this one is the phase's index
             state["exit_reason"], state["exited_on"], created_at, when, None, kind, worker)
        )  # fmt: skip

    def event(
        kind: str, on: datetime.date, frm: int | None, to: int | None, reason: str,
        exit_reason: str = "", recorded: datetime.datetime | None = None,
    ) -> Event:  # fmt: skip
        recorded = recorded or at(ctx, on, rng.randint(9, 17), rng.randint(0, 59))
        row = Event(new_uuid(rng), kind, on, recorded, to)
        w["event"].add(
            (row.id, j.id, kind, None if frm is None else phases[frm].pk,
             None if to is None else phases[to].pk, "" if frm is None else phases[frm].name,
             "" if to is None else phases[to].name, exit_reason, on, recorded, worker,
             seal(reason), "", "")  # no synthetic move is undone
        )  # fmt: skip
        events.append(row)
        return row

    event(EventKind.REFERRED, j.referred_on, None, 0, str(ReferralSource(j.referral_source).label),
          recorded=created_at)  # fmt: skip
    snapshot(created_at, "+")
    eligibility_done = False
    for position in range(1, len(j.entered)):
        on = j.entered[position]
        if position >= 2 and not eligibility_done:
            eligibility_done = _decide(j, state, eligibility_reason, event, snapshot, position - 1)
        reason = "Consented to service; intake started." if position == 1 else ""
        moved = event(EventKind.ADVANCED, on, position - 1, position, reason)
        state["phase"], state["phase_started_on"] = position, on
        snapshot(moved.recorded_at, "~")
    if not eligibility_done and j.eligibility_on:
        _decide(j, state, eligibility_reason, event, snapshot, len(j.entered) - 1)
    if j.exit_reason:
        assert j.exited_on is not None
        left = event(EventKind.EXITED, j.exited_on, j.phase, None, text.EXIT_NOTES[j.exit_reason],
                     exit_reason=j.exit_reason,
                     recorded=at(ctx, j.exited_on, 17, rng.randint(30, 59)))  # fmt: skip
        state["exit_reason"], state["exited_on"] = j.exit_reason, j.exited_on
        snapshot(left.recorded_at, "~")
    w["enrolment"].add(
        (j.id, her.participant_id, j.cycle_id, j.referral_source, j.referred_on,
         state["eligibility"], sealed(str(state["eligibility_reason"])),
         state["eligibility_decided_on"], worker, mentor_id, phases[j.phase].pk,
         state["phase_started_on"], j.exit_reason, j.exited_on, created_at)
    )  # fmt: skip

    return events


def _stop_consents_at_exit(her: Her, j: Journey, worker: Id, exited_on: datetime.date) -> None:
    """When she left: the consents she asked to stop."""
    for given in her.consents:
        stops = (j.exit_reason == ExitReason.WITHDREW and given.kind == ConsentKind.SERVICE) or (
            j.withdraws_evaluation and given.kind == ConsentKind.EVALUATION
        )
        if stops and given.withdrawn_on is None and given.on <= exited_on:
            given.withdrawn_on, given.withdrawn_by = exited_on, worker


def _decide(
    j: Journey,
    state: dict[str, Any],
    reason: str,
    event: Any,
    snapshot: Any,
    position: int,
) -> bool:
    """The eligibility decision, in the phase she was in when it was made."""
    assert j.eligibility_on is not None
    decision = j.eligibility
    state["eligibility"] = decision
    state["eligibility_reason"] = reason
    state["eligibility_decided_on"] = j.eligibility_on
    row = event(
        EventKind.ELIGIBILITY,
        j.eligibility_on,
        position,
        position,
        f"{Eligibility(decision).label}: {reason}",
    )
    snapshot(row.recorded_at, "~")
    return True


def write_consents(ctx: Run, her: Her) -> None:
    """Her consents as they stand after her last journey, each with its history: given,
    then withdrawn."""
    w = ctx.writer.tables
    for given in her.consents:
        note = seal(text.WITHDRAWAL_NOTE) if given.withdrawn_on else ""
        terms = ("", given.scope, given.ends_on)
        row: tuple[Any, ...] = (given.id, her.participant_id, given.kind, given.partner,
                                given.on, given.by, given.recorded_at, None, None, "",
                                *terms)  # fmt: skip
        w["consent_h"].add((*row, given.recorded_at, None, "+", given.by))
        if given.withdrawn_on:
            row = (*row[:7], given.withdrawn_on, given.withdrawn_by, note, *terms)
            withdrawn_at = at(ctx, given.withdrawn_on, 17, 45)
            w["consent_h"].add((*row, withdrawn_at, None, "~", given.withdrawn_by))
        w["consent"].add(row)


# --- assessments ----------------------------------------------------------------------------


def _administer(
    ctx: Run,
    info: ProgramInfo,
    her: Her,
    j: Journey,
    slug: str,
    timepoint: str,
    on: datetime.date,
    by: Id,
    raw: dict[str, Any],
    rng: random.Random,
) -> dict[str, Any]:
    """One administration as `record_administration` stores it: the answers the version
    shows, checked by its own rules, and the scores and rule results it computes."""
    instrument = info.instruments[slug]
    values, errors = check_answers(instrument.definition, raw)
    if errors:  # pragma: no cover - a generator bug, never the data's fault
        raise ValueError(f"Synthetic answers refused: {sorted(errors)}")
    scoring = Context(
        items=instrument.items,
        answers=values,
        known_age=her.age_on(on),
        minimum_age=info.program.minimum_age,
    )
    scores = compute_scores(instrument.definition["scores"], scoring)
    results = [evaluate_rule(rule, scoring) for rule in instrument.definition["rules"]]
    admin_id = new_uuid(rng)
    w = ctx.writer.tables
    w["administration"].add(
        (admin_id, j.id, instrument.version_id, timepoint, on, by,
         at(ctx, on, rng.randint(10, 17), rng.randint(0, 59)), scores, results)
    )  # fmt: skip
    for code, value in values.items():
        item_id, kind = instrument.item_ids[code]
        number: Decimal | None = None
        day: datetime.date | None = None
        choices: list[str] = []
        words: Sealed | str = ""
        if kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
            choices = value if isinstance(value, list) else [value]
        elif kind == ItemKind.YES_NO:
            number = Decimal(1 if value else 0)
        elif kind in (ItemKind.SCALE, ItemKind.NUMBER):
            number = Decimal(value)
        elif kind == ItemKind.DATE:
            day = value
        else:
            words = seal(value)
        w["answer"].add((admin_id, item_id, number, day, choices, words))
    return {"id": admin_id, "rules": results}


def _intake(
    ctx: Run, rng: random.Random, info: ProgramInfo, her: Her, j: Journey, by: Id
) -> dict[str, Any] | None:
    """The intake assessment; returns its eligibility result."""
    assert j.intake_on is not None
    eligible = j.eligibility != Eligibility.NOT_ELIGIBLE
    risks = [code for code, _ in instruments.RISK_FACTORS]
    issues = [code for code, _ in instruments.PRESENTING_ISSUES if code != "other"]
    raw: dict[str, Any] = {
        "identifies_as_woman": "yes",
        "wants_to_leave": "yes" if eligible or rng.random() < 0.6 else "no",
        "presenting_issues": rng.sample(issues, rng.randint(1, 4)),
        "risk_factors": rng.sample(risks, rng.randint(2, 5) if eligible else rng.randint(0, 1)),
        "sex_work_involvement": rng.choice(["rarely", "sometimes", "often", "often", "always"]),
        "readiness_stage": rng.choice(["contemplation", "preparation", "preparation", "action"]),
    }
    done = _administer(
        ctx, info, her, j, instruments.INTAKE, Timepoint.INTAKE, j.intake_on, by, raw, rng
    )
    result = next((r for r in done["rules"] if r["code"] == "eligibility"), None)
    if result is not None and result["met"] is not None and result["met"] != eligible:
        raise ValueError("Synthetic intake answers disagree with the planned eligibility.")
    return result


def _ratings(
    ctx: Run,
    rng: random.Random,
    info: ProgramInfo,
    her: Her,
    j: Journey,
    by: Id,
    last: datetime.date,
) -> None:
    """Journey-scale ratings: the baseline with the intake assessment, again at each
    phase change (now and then missed), the graduation review on her last day and the
    follow-up a month later (most of them, once that month has passed)."""
    assert j.intake_on is not None
    areas = [a.slug for a in info.areas]
    baseline = {a: rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6]) for a in areas}
    gain = {a: rng.choice([-1, 0, 0, 1, 2, 2, 3, 3, 4, 5]) for a in areas}
    phases = len(info.phases)

    def ratings(share: float) -> dict[str, int]:
        return {a: max(1, min(10, baseline[a] + round(gain[a] * share))) for a in areas}

    journey_scale = instruments.JOURNEY
    _administer(ctx, info, her, j, journey_scale, Timepoint.INTAKE, j.intake_on, by,
                dict(baseline), rng)  # fmt: skip
    for position in range(2, len(j.entered)):
        if rng.random() < 0.12:
            continue
        share = (position - 1) / (phases - 1)
        _administer(ctx, info, her, j, journey_scale, Timepoint.PHASE_CHANGE,
                    j.entered[position], by, dict(ratings(share)), rng)  # fmt: skip
    if j.exit_reason == ExitReason.GRADUATED and j.exited_on:
        final: dict[str, Any] = dict(ratings(1.0))
        final["sex_work_involvement"] = rng.choice(
            ["not_at_all", "not_at_all", "not_at_all", "rarely", "at_risk", "sometimes"]
        )
        _administer(ctx, info, her, j, instruments.GRADUATION, Timepoint.GRADUATION,
                    j.exited_on, by, final, rng)  # fmt: skip
        follow_up = j.exited_on + datetime.timedelta(days=rng.randint(28, 40))
        if follow_up < ctx.today and rng.random() < 0.8:
            connected = rng.random() < 0.8
            raw: dict[str, Any] = {
                "sex_work_involvement": rng.choice(
                    ["not_at_all", "not_at_all", "not_at_all", "rarely", "at_risk"]
                ),
                "housing": rng.choice(
                    ["own_place", "own_place", "supportive", "with_others", "shelter", "unknown"]
                ),
                "connected_to_supports": "yes" if connected else "no",
                "supports_in_touch": rng.sample(
                    ["counselling", "health", "housing_worker", "employment", "peer", "legal"],
                    rng.randint(1, 3),
                ),
                "what_helped": rng.choice(text.WHAT_HELPED) if rng.random() < 0.5 else "",
            }
            _administer(ctx, info, her, j, instruments.FOLLOW_UP, Timepoint.FOLLOW_UP,
                        follow_up, by, raw, rng)  # fmt: skip
    del last


# --- her plan -------------------------------------------------------------------------------


@dataclass
class PlanMade:
    agreed_on: datetime.date
    # (goal id, focus area id, created on)
    goals: list[tuple[Id, Id, datetime.date]]
    # (from day, focus area ids) of each phase plan, oldest first
    phase_areas: list[tuple[datetime.date, list[Id]]]


def _plan(
    ctx: Run,
    rng: random.Random,
    info: ProgramInfo,
    j: Journey,
    by: Id,
    last: datetime.date,
    phase_changes: dict[int | None, Event],
) -> PlanMade | None:
    if j.intake_on is None or j.eligibility == Eligibility.NOT_ELIGIBLE:
        return None
    agreed = j.intake_on + datetime.timedelta(days=rng.randint(3, 21))
    if agreed > last:
        return None
    w = ctx.writer.tables
    plan_id = new_uuid(rng)
    made_at = at(ctx, agreed, rng.randint(10, 16), rng.randint(0, 59))
    notes = seal(rng.choice(text.PRIVATE_NOTES)) if rng.random() < 0.5 else ""
    row = (plan_id, j.id, agreed, seal(rng.choice(text.WISHES)), notes, by, made_at, made_at)
    w["plan"].add(row)
    w["plan_h"].add((*row, made_at, None, "+", by))
    made = PlanMade(agreed_on=agreed, goals=[], phase_areas=[])

    for position in range(1, len(j.entered)):
        on = max(agreed, j.entered[position]) + datetime.timedelta(days=rng.randint(0, 7))
        if on > last:
            break
        chosen = rng.sample(info.areas, k=rng.randint(1, 3))
        phase_plan = new_uuid(rng)
        w["phase_plan"].add((phase_plan, j.id, info.phases[position].pk, on, by,
                             at(ctx, on, 15, rng.randint(0, 59))))  # fmt: skip
        for focus in chosen:
            w["phase_plan_area"].add((phase_plan, focus.pk))
        made.phase_areas.append((on, [focus.pk for focus in chosen]))

        # Each phase change after the plan was agreed asks for a review; the newest is
        # sometimes still to do.
        if position >= 2 and agreed < j.entered[position]:
            reviewed = j.entered[position] + datetime.timedelta(days=rng.randint(0, 14))
            current = j.is_open and position == j.phase
            if reviewed <= last and (not current or rng.random() < 0.65):
                w["review"].add(
                    (new_uuid(rng), j.id, reviewed, info.phases[position].pk,
                     phase_changes[position].id, seal(rng.choice(text.REVIEWS)), by,
                     at(ctx, reviewed, 16, rng.randint(0, 59)))
                )  # fmt: skip

    graduated = j.exit_reason == ExitReason.GRADUATED
    first_areas = made.phase_areas[0][1] if made.phase_areas else [info.areas[0].pk]
    pool = sorted({str(a) for _, ids in made.phase_areas for a in ids}) or first_areas
    area_slugs = {str(a.pk): a.slug for a in info.areas}
    for order in range(rng.randint(2, 4)):
        area = rng.choice(pool)
        goal_id = new_uuid(rng)
        created = at(ctx, agreed, 16, order)
        target = agreed + datetime.timedelta(days=rng.randint(45, 200))
        moves = _status_path(rng, graduated, j.is_open)
        day = agreed
        dated: list[tuple[str, str, datetime.date]] = [("", Status.NOT_STARTED, agreed)]
        for move in moves:
            day = day + datetime.timedelta(days=rng.randint(5, 60))
            if day > last:
                break
            dated.append((dated[-1][1], move, day))
        status = dated[-1][1]
        words = text.GOALS.get(area_slugs[str(area)], text.GOAL_ANY)
        w["goal"].add((goal_id, plan_id, area, seal(words[0]), status, target, order, created))
        for from_status, to_status, on in dated:
            w["status_change"].add((new_uuid(rng), goal_id, None, from_status, to_status, on, by,
                                    at(ctx, on, 16, 30)))  # fmt: skip
        made.goals.append((goal_id, area, agreed))
        for n, what in enumerate(words[1][: rng.randint(1, 3)]):
            step_id = new_uuid(rng)
            step_target = agreed + datetime.timedelta(days=14 * (n + 1))
            done = step_target + datetime.timedelta(days=rng.randint(-5, 10))
            achieved = done <= last and (status == Status.ACHIEVED or rng.random() < 0.5)
            w["step"].add((step_id, goal_id, seal(what), step_target,
                           Status.ACHIEVED if achieved else Status.NOT_STARTED,
                           done if achieved else None, created))  # fmt: skip
            w["status_change"].add((new_uuid(rng), goal_id, step_id, "", Status.NOT_STARTED,
                                    agreed, by, created))  # fmt: skip
            if achieved:
                w["status_change"].add((new_uuid(rng), goal_id, step_id, Status.NOT_STARTED,
                                        Status.ACHIEVED, done, by,
                                        at(ctx, done, 16, 45)))  # fmt: skip
    return made


def _status_path(rng: random.Random, graduated: bool, still_open: bool) -> list[Status]:
    if graduated:
        return rng.choice([[Status.IN_PROGRESS, Status.ACHIEVED]] * 3
                          + [[Status.IN_PROGRESS, Status.CHANGED], [Status.DROPPED]])  # fmt: skip
    if still_open:
        return rng.choice([[], [Status.IN_PROGRESS], [Status.IN_PROGRESS],
                           [Status.IN_PROGRESS, Status.ACHIEVED]])  # fmt: skip
    return rng.choice([[Status.IN_PROGRESS], [Status.IN_PROGRESS, Status.DROPPED], [],
                       [Status.IN_PROGRESS, Status.ACHIEVED]])  # fmt: skip


# --- contacts -------------------------------------------------------------------------------

WORKER_KINDS = [
    (ContactKind.INDIVIDUAL_COUNSELLING, 30, (30, 45, 60, 60, 90)),
    (ContactKind.PHONE_OR_TEXT, 30, (5, 10, 15, 20, 30)),
    (ContactKind.OUTREACH_OR_HOME_VISIT, 12, (30, 45, 60, 90)),
    (ContactKind.ACCOMPANIMENT, 10, (60, 90, 120, 180, 240)),
    (ContactKind.CBT_SESSION, 10, (45, 60, 60)),
    (ContactKind.CRISIS_SUPPORT, 8, (30, 60, 90, 120)),
]


def _contact_days(rng: random.Random, j: Journey, today: datetime.date, last: datetime.date,
                  count: int) -> list[datetime.date]:  # fmt: skip
    """`count` days spread over her phases at each phase's pace; none in the weeks
    before she was lost to contact."""
    if count <= 0:
        return []
    if j.exit_reason == ExitReason.LOST_CONTACT:
        last = max(j.referred_on, last - datetime.timedelta(days=rng.randint(30, 56)))
    spans = []
    for position, start, stop in j.segments(today):
        stop = min(stop, last)
        if stop < start:
            continue
        rate = (1 / 10, 1 / 3.5, 1 / 5, 1 / 8)[min(position, 3)]
        spans.append((start, (stop - start).days + 1, ((stop - start).days + 1) * rate))
    if not spans:
        return []
    weights = [s[2] for s in spans]
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    days = []
    for _ in range(count):
        index = min(bisect_right(cumulative, rng.uniform(0, total)), len(spans) - 1)
        start, length, _weight = spans[index]
        days.append(start + datetime.timedelta(days=rng.randrange(length)))
    days.sort()
    return days


# The working day's minutes at which a note is written, and each worker kind repeated by
# its weight: drawn with one `random()` each, the contact loop being the hottest of all.
NOTE_TIMES = [datetime.time(hour, minute) for hour in range(9, 20) for minute in range(0, 60, 3)]
KIND_DRAW = [(kind.value, minutes) for kind, weight, minutes in WORKER_KINDS for _ in range(weight)]
PEER_MINUTES = (30, 45, 60, 90)


def _contacts(
    ctx: Run,
    rng: random.Random,
    info: ProgramInfo,
    j: Journey,
    by: Id,
    mentor: Id | None,
    last: datetime.date,
    plan: PlanMade | None,
) -> None:
    """Her contacts, each with its one history version (the same token: the same note,
    as `save_version` writes it), its focus areas (and their history), sometimes a key
    ingredient and a goal of her plan."""
    w = ctx.writer.tables
    add_contact, add_history = w["contact"].rows.append, w["contact_h"].rows.append
    add_area, add_area_history = w["contact_area"].rows.append, w["contact_area_h"].rows.append
    add_ingredient, add_goal = w["contact_ingredient"].rows.append, w["goal_contact"].rows.append
    all_areas: list[Id] = [a.pk for a in info.areas]
    ingredients = [i.pk for i in info.ingredients]
    late_days = late_after_days()
    yesterday = ctx.today - DAY
    rnd, choice, tz, combine = rng.random, rng.choice, ctx.tz, datetime.datetime.combine
    notes, times, kinds = text.NOTES, NOTE_TIMES, KIND_DRAW
    peer_kind = ContactKind.PEER_CONTACT.value
    may_peer = mentor is not None and j.phase >= 1
    enrolment = j.id
    for day in _contact_days(rng, j, ctx.today, last, j.contacts):
        contact_id = new_uuid(rng)
        peer = may_peer and rnd() < 0.15
        minutes: tuple[int, ...]
        if peer:
            kind, minutes, writer = peer_kind, PEER_MINUTES, mentor
            note = seal(choice(text.PEER_NOTES)) if rnd() < 0.3 else ""
        else:
            kind, minutes = kinds[int(rnd() * len(kinds))]
            writer = by
            note = seal(notes[int(rnd() * len(notes))])
        roll = rnd()
        if roll < 0.86:
            written_on = day
        else:
            # Most notes are written the same day; some later, a few too late.
            delay = 1 + int(rnd() * late_days) if roll < 0.96 else late_days + 1 + int(rnd() * 9)
            written_on = min(day + datetime.timedelta(days=delay), yesterday)
        recorded_at = combine(written_on, times[int(rnd() * len(times))], tzinfo=tz)
        # `is_late(day, recorded_at)`, whose local date of `recorded_at` is `written_on`.
        late = (written_on - day).days > late_days
        duration = minutes[int(rnd() * len(minutes))]
        add_contact((contact_id, enrolment, day, duration, kind, note, writer, recorded_at, late,
                     None))  # fmt: skip
        history_id = ctx.next_history_id
        ctx.next_history_id += 1
        add_history((contact_id, enrolment, day, duration, kind, note, writer, recorded_at, late,
                     None, history_id, recorded_at, None, "+", writer))  # fmt: skip
        if peer:
            continue
        areas: list[Id] = []
        if rnd() < 0.8:
            pool: list[Id] = all_areas
            if plan is not None:
                for since, chosen in plan.phase_areas:
                    if since <= day:
                        pool = chosen
            areas = [choice(pool)] if rnd() < 0.67 or len(pool) < 2 else rng.sample(pool, 2)
        for area in areas:
            link = ctx.next_link_id
            ctx.next_link_id += 1
            add_area((link, contact_id, area))
            add_area_history((link, contact_id, area, history_id))
        if rnd() < 0.25:
            add_ingredient((contact_id, choice(ingredients)))
        if plan is not None and day >= plan.agreed_on and rnd() < 0.3:
            mine = [g for g, area, _ in plan.goals if area in areas] or [plan.goals[0][0]]
            add_goal((choice(mine), contact_id))


# --- drop-ins, referrals, graduation --------------------------------------------------------


def _attendance(
    ctx: Run,
    rng: random.Random,
    j: Journey,
    by: Id,
    team: int,
    last: datetime.date,
) -> None:
    """She comes to her team's weekly drop-in now and then, more once she is in the
    program, and to some of its fortnightly groups. Her case manager marks her."""
    sessions = ctx.sessions.get((j.info.program.pk, team))
    if sessions is None:
        return
    table = ctx.writer.tables["attendance"]
    first_week = max(0, (j.referred_on - sessions.first).days // 7 + 1)
    last_week = min(len(sessions.drop_ins) - 1, (last - sessions.first).days // 7)
    consented = j.consent_on or datetime.date.max
    reviews = ctx.writer.tables["review_s"]
    for week in range(first_week, last_week + 1):
        held_on = sessions.first + datetime.timedelta(days=7 * week)
        settled = held_on >= consented
        monday = held_on - datetime.timedelta(days=2)
        if sessions.supervision and monday >= j.referred_on and rng.random() < 0.03:
            # Her case reviewed at the team's supervision that week (Monday).
            reviews.add((new_uuid(rng), sessions.supervision[week], j.id,
                         seal(rng.choice(text.SUPERVISION)), sessions.lead,
                         at(ctx, monday, 16, rng.randint(0, 59))))  # fmt: skip
        if rng.random() < (0.22 if settled else 0.08):
            table.add((new_uuid(rng), sessions.drop_ins[week], j.id, by,
                       at(ctx, held_on, 14, rng.randint(0, 59)), False))  # fmt: skip
        group = sessions.groups.get(week)
        if group is not None and settled and rng.random() < 0.15:
            group_day = held_on + datetime.timedelta(days=2)
            if group_day <= last:
                table.add((new_uuid(rng), group, j.id, by,
                           at(ctx, group_day, 15, rng.randint(0, 59)), False))  # fmt: skip


REFERRAL_PATHS = [
    ([S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED, S.CLOSED], 30),
    ([S.ACCEPTED, S.FIRST_APPOINTMENT, S.SERVICE_RECEIVED], 20),
    ([S.ACCEPTED, S.FIRST_APPOINTMENT], 12),
    ([S.ACCEPTED], 10),
    ([], 8),
    ([S.DECLINED], 8),
    ([S.ACCEPTED, S.NO_SHOW], 7),
    ([S.CLOSED], 5),
]
PATH_TOTAL = sum(weight for _, weight in REFERRAL_PATHS)
KINDS = {str(kind) for kind in ServiceKind if kind != ServiceKind.COUNSELLING}


def _referrals(
    ctx: Run,
    rng: random.Random,
    info: ProgramInfo,
    her: Her,
    j: Journey,
    by: Id,
    last: datetime.date,
    sharing: list[PartnerAgency],
) -> None:
    """Referrals once services began, mostly to the partners she agreed to share with;
    each moves along its steps, dated, a few days to two weeks apart."""
    if len(j.entered) < 3:
        return
    start = j.entered[2]
    if start > last:
        return
    w = ctx.writer.tables
    yesterday = ctx.today - DAY
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        partner = (
            rng.choice(sharing) if sharing and rng.random() < 0.7 else rng.choice(info.partners)
        )
        offered = [k for k in partner.services if k in KINDS] or ["other"]
        made_on = start + datetime.timedelta(days=rng.randint(0, (last - start).days))
        shares = her.in_force(
            ConsentKind.INFORMATION_SHARING, partner.pk, made_on
        ) and her.in_force(ConsentKind.INFORMATION_SHARING, partner.pk, yesterday)
        referral_id = new_uuid(rng)
        updates = [(S.MADE.value, made_on)]
        pick = rng.uniform(0, PATH_TOTAL)
        path: list[ReferralStatus] = REFERRAL_PATHS[0][0]
        for candidate, weight in REFERRAL_PATHS:
            pick -= weight
            if pick <= 0:
                path = candidate
                break
        day = made_on
        for status in path:
            day = day + datetime.timedelta(days=rng.randint(3, 15))
            if day > yesterday:
                break
            assert status in STEPS[updates[-1][0]]
            updates.append((status.value, day))
        current, status_on = updates[-1]
        made_at = at(ctx, made_on, 11, rng.randint(0, 59))
        w["referral"].add((referral_id, j.id, partner.pk, rng.choice(offered), shares, made_on,
                           by, current, status_on, made_at))  # fmt: skip
        for step, on in updates:
            note = seal(text.REFERRAL_NOTES[step]) if rng.random() < 0.5 else ""
            w["referral_update"].add((new_uuid(rng), referral_id, step, on, note, by,
                                      at(ctx, on, 12, rng.randint(0, 59))))  # fmt: skip


def _graduation(ctx: Run, rng: random.Random, info: ProgramInfo, j: Journey, by: Id) -> None:
    """The transfer-of-care meeting in her last weeks, and (most often) the closing note
    written on the day or soon after."""
    assert j.exited_on is not None
    w = ctx.writer.tables
    met = max(j.entered[-1], j.exited_on - datetime.timedelta(days=rng.randint(7, 30)))
    transfer = new_uuid(rng)
    supports = "\n".join(rng.sample(text.SUPPORTS, rng.randint(1, 3)))
    w["transfer"].add((transfer, j.id, met, seal(supports), seal(rng.choice(text.AGREED)), by,
                       at(ctx, met, 15, rng.randint(0, 59))))  # fmt: skip
    for partner in rng.sample(info.partners, rng.randint(0, 2)):
        w["transfer_partner"].add((transfer, partner.pk))
    if rng.random() < 0.85:
        written = min(ctx.today - DAY, j.exited_on + datetime.timedelta(days=rng.randint(0, 5)))
        note_id = new_uuid(rng)
        row = (note_id, j.id, written, by, seal(rng.choice(text.CLOSING)), None)
        w["closing"].add(row)
        w["closing_h"].add((*row, at(ctx, written, 17, rng.randint(0, 59)), None, "+", by))
