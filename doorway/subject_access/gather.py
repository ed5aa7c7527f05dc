"""Everything Doorway holds about her, gathered for her own copy.

`gather(participant, enrolments=...)` reads her record, section by section, into plain
data (lists and dicts of strings, numbers, dates), which `render` writes as JSON or as
a PDF. Run it inside `translation.override(her language)`: every label (a kind, a
status, a phase, a role) is then in her language; her words and the team's notes are
as they were written.

What it includes, and what it withholds (each withheld kind is named in the copy with
its reason, `WITHHELD`):

- her identity and contact details, safe-contact instructions included;
- her consents, with what each lets leave and until when, and whether a signed copy is on file;
- each enrolment the maker reaches (all of them from the command): the program and its
  contact, her journey through the phases with the reasons recorded, her plan (her
  words, her goals and steps, the worker's plan notes, the phase plans, the plan
  reviews' decisions), her contacts with their notes, her assessments with every
  answer, her referrals and their news, the drop-ins and groups she came to, the
  transfer of care and the closing note;
- her safety flags (she told us; they are about her safety) and the outreach contacts
  linked to her;
- the disclosure log: every time her information left Doorway;
- her requests for a copy.

Staff are named, with their role, on what they recorded (PHIPA does not shield the
custodian's own agents); other women never are: an attendance line is her own only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doorway.casework.models import ClosingNote, Contact, OutreachContact, TransferOfCare
from doorway.disclosures.models import Disclosure
from doorway.dropins.models import Attendance
from doorway.enrolments.models import Enrolment, EventKind, JourneyEvent
from doorway.instruments.models import Administration, Answer, Choice
from doorway.instruments.views import _display as answer_display
from doorway.people.models import Consent, ConsentKind, Participant, SafetyFlag, SharingScope
from doorway.plans.models import Goal, PhasePlan, PlanReview, ServicePlan, Step
from doorway.programs.models import Program
from doorway.referrals.models import Referral, ReferralUpdate
from doorway.signed_copies.models import SignedCopy
from doorway.subject_access.models import SubjectAccessRequest

# The version of this document's shape (the JSON's `format`).
FORMAT = "doorway-her-copy/1"

# The sections of her copy, in order: the JSON's keys, and what the disclosure log
# records as having left (`what`).
SECTIONS: dict[str, Any] = {
    "identity": gettext_lazy("Who you are and how to reach you"),
    "consents": gettext_lazy("Your consents"),
    "enrolments": gettext_lazy("Your programs and your journey through them"),
    "plan": gettext_lazy("Your plan and goals"),
    "contacts": gettext_lazy("Your contacts with the team, and their notes"),
    "assessments": gettext_lazy("Your assessments and your answers"),
    "referrals": gettext_lazy("Your referrals to partner agencies"),
    "attendance": gettext_lazy("Drop-ins and groups you came to"),
    "transfer_of_care": gettext_lazy("Transfer of care and closing notes"),
    "safety_flags": gettext_lazy("Safety notes on your record"),
    "outreach": gettext_lazy("Outreach contacts linked to you"),
    "disclosure_log": gettext_lazy("When your information left Doorway"),
    "copy_requests": gettext_lazy("Your requests for a copy"),
}

# What is never in her copy, and why: each is named in it, addressed to her.
WITHHELD: list[tuple[str, Any]] = [
    (
        "other_people",
        gettext_lazy(
            "Other women's names: who else came to a drop-in or a group, and anything "
            "from another participant's record. Their information is theirs. Your notes "
            "are given as they were written; the worker who made this copy read them "
            "through first."
        ),
    ),
    (
        "supervision",
        gettext_lazy(
            "The team's supervision reviews of your case: they discuss several women "
            "together. You may ask for the part about you; the program manager goes "
            "through it by hand."
        ),
    ),
    (
        "audit_log",
        gettext_lazy(
            "The security log of who opened your record: it is kept to check staff's "
            "access. You may ask the agency's privacy officer who opened your record."
        ),
    ),
    (
        "earlier_versions",
        gettext_lazy(
            "Earlier wordings of notes that were later corrected: this copy shows each "
            "record as it reads now. You may ask for the earlier wording."
        ),
    ),
    (
        "drafts",
        gettext_lazy("Unfinished drafts that a worker has not saved to your record."),
    ),
    (
        "out_of_reach",
        gettext_lazy(
            "Records kept by a program or team that the person who made this copy does "
            "not work with. You may ask that program for them."
        ),
    ),
]


def iso(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def staff(user: Any) -> dict[str, str] | None:
    """A member of staff as her copy names her: her name and her role."""
    if user is None:
        return None
    return {"name": str(user), "role": user.get_role_display()}


def program_contact(program: Program) -> dict[str, str]:
    return {
        "program": program.local_name,
        "agency": program.agency.name,
        "phone": program.contact_phone,
        "email": program.contact_email,
    }


# --- sections about her as a person -----------------------------------------------


def identity(participant: Participant) -> dict[str, Any]:
    return {
        "code": participant.code,
        "preferred_name": participant.preferred_name,
        "legal_name": participant.legal_name or "",
        "other_names": participant.alias_list(),
        "date_of_birth": iso(participant.date_of_birth),
        "phone": participant.phone or "",
        "email": participant.email or "",
        "safe_contact": participant.safe_contact or "",
        "safe_contact_confirmed_on": iso(participant.safe_contact_confirmed_on),
        "language": participant.get_preferred_language_display(),
        "registered_on": iso(timezone.localdate(participant.registered_at)),
    }


SCOPES: dict[str, Any] = dict(SharingScope.choices)


def consents(participant: Participant) -> list[dict[str, Any]]:
    rows = []
    # Whether a signed copy of each is on file (the scan itself stays out of her copy).
    on_file = SignedCopy.objects.filter(consent=OuterRef("pk"))
    for c in (
        Consent.objects.filter(participant=participant)
        .select_related("partner")
        .annotate(signed_copy_on_file=Exists(on_file))
    ):
        sharing = c.kind == ConsentKind.INFORMATION_SHARING
        rows.append(
            {
                "kind": c.get_kind_display(),
                "shared_with": c.recipient_label() if sharing else "",
                "what_may_be_shared": [str(SCOPES.get(s, s)) for s in c.scope or []]
                if sharing
                else [],
                "given_on": iso(c.given_on),
                "ends_on": iso(c.ends_on),
                "withdrawn_on": iso(c.withdrawn_on),
                "withdrawal_note": c.withdrawal_note or "",
                "in_force_today": c.in_force_today,
                "signed_copy_on_file": c.signed_copy_on_file,  # type: ignore[attr-defined]  # annotated above
            }
        )
    return rows


def safety_flags(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "kind": f.get_kind_display(),
            "note": f.note or "",
            "added_on": iso(timezone.localdate(f.added_at)),
            "added_by": staff(f.added_by),
            "removed_on": iso(timezone.localdate(f.removed_at)) if f.removed_at else None,
        }
        for f in SafetyFlag.objects.filter(participant=participant)
        .select_related("added_by")
        .order_by("added_at")
    ]


def outreach(participant: Participant, programs: Iterable[Any] | None) -> list[dict[str, Any]]:
    contacts = OutreachContact.objects.filter(participant=participant).select_related("recorded_by")
    if programs is not None:
        contacts = contacts.filter(program__in=list(programs))
    return [
        {
            "happened_on": iso(o.happened_on),
            "kind": o.get_kind_display(),
            "place": o.place,
            "nickname": o.nickname or "",
            "note": o.note or "",
            "recorded_by": staff(o.recorded_by),
        }
        for o in contacts.order_by("happened_on", "recorded_at")
    ]


def what_left(keys: list[str]) -> list[str]:
    """A disclosure's `what`, in her language: a consent's scope, a section of a copy,
    or (written by a later path) the key as it is."""
    labels: dict[str, Any] = {**dict(SharingScope.choices), **SECTIONS}
    return [str(labels.get(key, key)) for key in keys]


RECIPIENT_HER_COPY = "her_own_copy"


def recipient(disclosure: Disclosure) -> str:
    if disclosure.partner_id:
        return str(disclosure.partner)
    if disclosure.recipient == RECIPIENT_HER_COPY:
        return _("Your own copy, given to you")
    return disclosure.recipient


def disclosure_log(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(d.at),
            "channel": d.get_channel_display(),
            "what": what_left(list(d.what or [])),
            "to": recipient(d),
            "under_consent": str(d.consent) if d.consent_id else "",
            "by": staff(d.by),
        }
        for d in Disclosure.objects.filter(participant=participant)
        .select_related("partner", "consent__partner", "by")
        .order_by("at")
    ]


def copy_requests(participant: Participant) -> list[dict[str, Any]]:
    return [
        {
            "received_on": iso(r.received_on),
            "answer_due_by": iso(r.due_on),
            "answered_on": iso(r.answered_on),
        }
        for r in SubjectAccessRequest.objects.filter(participant=participant).order_by(
            "received_on", "recorded_at"
        )
    ]


# --- sections about each enrolment ----------------------------------------------


def grouped[T](rows: Iterable[T], key: str) -> dict[Any, list[T]]:
    by: dict[Any, list[T]] = defaultdict(list)
    for row in rows:
        by[getattr(row, key)].append(row)
    return by


def journey(events: list[JourneyEvent]) -> list[dict[str, Any]]:
    return [
        {
            "on": iso(e.effective_on),
            "what": e.get_undone_kind_display() if undone else e.get_kind_display(),
            "from_phase": e.from_phase.local_name if e.from_phase else e.from_phase_name,
            "to_phase": e.to_phase.local_name if e.to_phase else e.to_phase_name,
            "exit_reason": e.get_exit_reason_display() if e.exit_reason else "",
            "reason": e.reason or "",
            "recorded_by": staff(e.recorded_by),
            "undone": undone,
        }
        for e in events
        for undone in [e.kind == EventKind.UNDONE]
    ]


def plan_section(
    plan: ServicePlan | None, phase_plans: list[PhasePlan], reviews: list[PlanReview]
) -> dict[str, Any]:
    goals: list[dict[str, Any]] = []
    if plan is not None:
        for goal in plan.goals.all():
            goals.append(
                {
                    "focus_area": goal.focus_area.local_name,
                    "her_words": goal.her_words,
                    "status": goal.get_status_display(),
                    "target_on": iso(goal.target_on),
                    "steps": [
                        {
                            "what": step.what,
                            "status": step.get_status_display(),
                            "target_on": iso(step.target_on),
                            "done_on": iso(step.done_on),
                        }
                        for step in goal.steps.all()
                    ],
                }
            )
    return {
        "agreed_on": iso(plan.agreed_on) if plan else None,
        "her_words": plan.her_words if plan else "",
        "worker_notes": (plan.private_notes or "") if plan else "",
        "goals": goals,
        "phase_plans": [
            {
                "phase": pp.phase.local_name,
                "focus_areas": [a.local_name for a in pp.focus_areas.all()],
                "agreed_on": iso(pp.agreed_on),
            }
            for pp in phase_plans
        ],
        "reviews": [
            {
                "reviewed_on": iso(r.reviewed_on),
                "phase": r.phase.local_name,
                "decided": r.decided,
                "recorded_by": staff(r.recorded_by),
            }
            for r in reviews
        ],
    }


def contact_rows(contacts: list[Contact]) -> list[dict[str, Any]]:
    return [
        {
            "happened_on": iso(c.happened_on),
            "kind": c.get_kind_display(),
            "minutes": c.duration_minutes,
            "focus_areas": [a.local_name for a in c.focus_areas.all()],
            "note": c.note or "",
            "recorded_by": staff(c.recorded_by),
        }
        for c in contacts
    ]


def assessment_rows(administrations: list[Administration]) -> list[dict[str, Any]]:
    rows = []
    for a in administrations:
        answers = sorted(a.answers.all(), key=lambda x: (x.item.section.order, x.item.order))
        rows.append(
            {
                "instrument": a.version.instrument.local_name,
                "timepoint": a.get_timepoint_display(),
                "completed_on": iso(a.completed_on),
                "recorded_by": staff(a.recorded_by),
                "answers": [
                    {
                        "section": answer.item.section.local_title,
                        "question": answer.item.local_prompt,
                        "answer": answer_display(answer.item, answer),
                    }
                    for answer in answers
                ],
                "scores": [
                    {"score": str(s.get("label", s.get("code"))), "value": a.scores.get(s["code"])}
                    for s in a.version.scoring or []
                    if s.get("code") in (a.scores or {})
                ],
            }
        )
    return rows


def referral_rows(referrals: list[Referral]) -> list[dict[str, Any]]:
    return [
        {
            "partner": r.partner.name,
            "service": r.get_service_kind_display(),
            "made_on": iso(r.made_on),
            "made_by": staff(r.made_by),
            "shares_her_information": r.shares_information,
            "status": r.get_status_display(),
            "status_on": iso(r.status_on),
            "updates": [
                {
                    "status": u.get_status_display(),
                    "dated_on": iso(u.dated_on),
                    "note": u.note or "",
                    "recorded_by": staff(u.recorded_by),
                }
                for u in r.updates.all()
            ],
        }
        for r in referrals
    ]


def attendance_rows(attendances: list[Attendance]) -> list[dict[str, Any]]:
    # Her own line only: the session's other attendees are other women.
    return [
        {
            "held_on": iso(a.session.held_on),
            "kind": a.session.get_kind_display(),
            "topic": a.session.topic,
            "walk_in": a.walk_in,
        }
        for a in attendances
    ]


def transfer_rows(transfers: list[TransferOfCare], closing: ClosingNote | None) -> dict[str, Any]:
    return {
        "meetings": [
            {
                "met_on": iso(t.met_on),
                "her_supports": t.support_list(),
                "partners": [p.name for p in t.partners.all()],
                "agreed": t.agreed,
                "recorded_by": staff(t.recorded_by),
            }
            for t in transfers
        ],
        "closing_note": (
            {
                "written_on": iso(closing.written_on),
                "text": closing.text,
                "written_by": staff(closing.written_by),
            }
            if closing is not None
            else None
        ),
    }


def enrolment_sections(enrolments: list[Enrolment]) -> list[dict[str, Any]]:
    """Each enrolment with everything recorded in it, in a fixed number of queries."""
    ids = [e.pk for e in enrolments]
    events = grouped(
        JourneyEvent.objects.filter(enrolment__in=ids)
        .select_related("from_phase", "to_phase", "recorded_by")
        .order_by("effective_on", "recorded_at"),
        "enrolment_id",
    )
    plans = {
        p.enrolment_id: p
        for p in ServicePlan.objects.filter(enrolment__in=ids).prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("focus_area")
                .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("created_at")))
                .order_by("order", "created_at"),
            )
        )
    }
    phase_plans = grouped(
        PhasePlan.objects.filter(enrolment__in=ids)
        .select_related("phase")
        .prefetch_related("focus_areas")
        .order_by("agreed_on", "recorded_at"),
        "enrolment_id",
    )
    reviews = grouped(
        PlanReview.objects.filter(enrolment__in=ids)
        .select_related("phase", "recorded_by")
        .order_by("reviewed_on", "recorded_at"),
        "enrolment_id",
    )
    contacts = grouped(
        Contact.objects.filter(enrolment__in=ids)
        .select_related("recorded_by")
        .prefetch_related("focus_areas")
        .order_by("happened_on", "recorded_at"),
        "enrolment_id",
    )
    administrations = grouped(
        Administration.objects.filter(enrolment__in=ids)
        .select_related("version__instrument", "recorded_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("item__section").prefetch_related(
                    Prefetch("item__choices", queryset=Choice.objects.order_by("order"))
                ),
            )
        )
        .order_by("completed_on", "recorded_at"),
        "enrolment_id",
    )
    referrals = grouped(
        Referral.objects.filter(enrolment__in=ids)
        .select_related("partner", "made_by")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ReferralUpdate.objects.select_related("recorded_by").order_by(
                    "dated_on", "recorded_at"
                ),
            )
        )
        .order_by("made_on", "created_at"),
        "enrolment_id",
    )
    attendances = grouped(
        Attendance.objects.filter(enrolment__in=ids)
        .select_related("session")
        .order_by("session__held_on"),
        "enrolment_id",
    )
    transfers = grouped(
        TransferOfCare.objects.filter(enrolment__in=ids)
        .select_related("recorded_by")
        .prefetch_related("partners")
        .order_by("met_on"),
        "enrolment_id",
    )
    closing = {
        n.enrolment_id: n
        for n in ClosingNote.objects.filter(enrolment__in=ids).select_related("written_by")
    }
    sections = []
    for e in enrolments:
        program = e.cycle.program
        sections.append(
            {
                "program": program_contact(program),
                "cycle": e.cycle.name,
                "referral_source": e.get_referral_source_display(),
                "referred_on": iso(e.referred_on),
                "eligibility": e.get_eligibility_display(),
                "eligibility_decided_on": iso(e.eligibility_decided_on),
                "eligibility_reason": e.eligibility_reason or "",
                "phase": e.current_phase.local_name,
                "phase_started_on": iso(e.phase_started_on),
                "exit_reason": e.get_exit_reason_display() if e.exit_reason else "",
                "exited_on": iso(e.exited_on),
                "case_manager": staff(e.case_manager),
                "peer_mentor": staff(e.peer_mentor),
                "journey": journey(events[e.pk]),
                "plan": plan_section(plans.get(e.pk), phase_plans[e.pk], reviews[e.pk]),
                "contacts": contact_rows(contacts[e.pk]),
                "assessments": assessment_rows(administrations[e.pk]),
                "referrals": referral_rows(referrals[e.pk]),
                "attendance": attendance_rows(attendances[e.pk]),
                "transfer_of_care": transfer_rows(transfers[e.pk], closing.get(e.pk)),
            }
        )
    return sections


# --- the whole copy ----------------------------------------------------------------


def enrolments_of(participant: Participant, reached: Any = None) -> list[Enrolment]:
    """Her enrolments, of `reached` (a queryset narrowed by the access rule) or all."""
    queryset = reached if reached is not None else Enrolment.objects.all()
    return list(
        queryset.filter(participant=participant)
        .select_related("cycle__program__agency", "current_phase", "case_manager", "peer_mentor")
        .order_by("referred_on", "created_at")
    )


def gather(
    participant: Participant,
    *,
    enrolments: list[Enrolment],
    complete: bool,
    made_on: datetime.date | None = None,
) -> dict[str, Any]:
    """Her copy as data, in the active language. `complete`: every enrolment of hers is
    in `enrolments` (the command); otherwise those out of the maker's reach are left
    out, and the copy says so."""
    programs = list({e.cycle.program_id: e.cycle.program for e in enrolments}.values())
    withheld = [
        {"what": key, "why": str(why)}
        for key, why in WITHHELD
        if key != "out_of_reach" or not complete
    ]
    return {
        "format": FORMAT,
        "made_on": iso(made_on or timezone.localdate()),
        "language": translation.get_language(),
        "sections": {key: str(title) for key, title in SECTIONS.items()},
        "contact": [program_contact(p) for p in programs],
        "identity": identity(participant),
        "consents": consents(participant),
        "enrolments": enrolment_sections(enrolments),
        "safety_flags": safety_flags(participant),
        "outreach": outreach(participant, None if complete else programs),
        "disclosure_log": disclosure_log(participant),
        "copy_requests": copy_requests(participant),
        "withheld": withheld,
    }
