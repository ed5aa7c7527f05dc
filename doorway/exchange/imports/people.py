"""Importing participants (each with her first enrolment) and further enrolments.

Who may register whom, in which cycle, with which case manager and peer mentor, is
exactly what the registration page offers her: the querysets of `RegisterForm` for this
user, read once. Registration itself is `doorway.enrolments.actions.register_participant`
and `enrol`, which check everything again and audit each record.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.caseload.duplicates import tell_program_managers
from doorway.encryption import blind_index, name_digests, normalise
from doorway.enrolments.access import participants_visible_to
from doorway.enrolments.actions import enrol, register_participant
from doorway.enrolments.forms import RegisterForm
from doorway.enrolments.models import Enrolment, ReferralSource
from doorway.exchange.imports import cells
from doorway.exchange.imports.base import (
    NO_SUCH_PARTICIPANT,
    CodeList,
    Column,
    Importer,
    Plan,
    Reach,
    choices_of,
    table,
)
from doorway.exchange.imports.cells import CellProblem
from doorway.people.actions import find_likely_duplicates
from doorway.people.models import NameDigest, Participant, User
from doorway.people.roles import Role
from doorway.programs.models import Cycle, Phase

EXTERNAL_ID = Column(
    "external_id",
    "External id",
    True,
    gettext_lazy(
        "Your own id for this row (from your old spreadsheet). Importing the same id again "
        "changes nothing. Ids must be unique across your agency: if two old spreadsheets both "
        "number from 1, prefix them (A-1, B-1)."
    ),
    aliases=("id", "your id", "row id"),
)
PARTICIPANT = Column(
    "participant",
    "Participant",
    True,
    gettext_lazy("Her external id from your participants file, or her Doorway code (EDH-…)."),
    aliases=("participant id", "participant code", "code"),
)
CYCLE = Column(
    "cycle",
    "Program cycle",
    True,
    gettext_lazy("The cycle's name (or 'Program: Cycle' when two of your programs share a name)."),
    aliases=("cycle",),
)
REFERRAL_SOURCE = Column(
    "referral_source",
    "Referred by",
    True,
    gettext_lazy("Where the referral came from: a code below."),
)
REFERRED_ON = Column(
    "referred_on", "Referral date", True, gettext_lazy("2024-03-31 or 31/03/2024.")
)
CASE_MANAGER = Column(
    "case_manager",
    "Case manager",
    False,
    gettext_lazy("Her case manager's username. Blank: you, if you are a case manager."),
)
PEER_MENTOR = Column(
    "peer_mentor", "Peer mentor", False, gettext_lazy("A peer mentor's username, or blank.")
)

MAX_NAME = 200


class Staffing:
    """Cycles, case managers and peer mentors this user may register into and assign,
    as the registration page offers them."""

    def __init__(self, user: User) -> None:
        form = RegisterForm(user=user)
        fields: Any = form.fields
        self.cycles: list[Cycle] = list(fields["cycle"].queryset)
        self.case_managers: list[User] = list(fields["case_manager"].queryset)
        self.peer_mentors: list[User] = list(fields["peer_mentor"].queryset)
        self.cycle_table = table(
            [
                ((c.name, f"{c.program.name}: {c.name}", f"{c.program.name} {c.name}"), c)
                for c in self.cycles
            ]
        )
        self.cm_table = table([((u.username, u.get_full_name()), u) for u in self.case_managers])
        self.pm_table = table([((u.username, u.get_full_name()), u) for u in self.peer_mentors])
        # A cycle whose program has no phase cannot take anyone (enrol refuses it).
        # One query for every cycle, not one per cycle.
        phased = set(
            Phase.objects.filter(
                program__in={c.program_id for c in self.cycles}, retired=False
            ).values_list("program_id", flat=True)
        )
        self.phaseless = {c.pk for c in self.cycles if c.program_id not in phased}

    def code_lists(self) -> list[CodeList]:
        return [
            CodeList(
                gettext_lazy("Program cycles you can register into"),
                [
                    (
                        c.name,
                        gettext("%(program)s, %(start)s to %(end)s")
                        % {
                            "program": c.program.name,
                            "start": f"{c.starts_on:%Y-%m-%d}",
                            "end": f"{c.ends_on:%Y-%m-%d}",
                        },
                    )
                    for c in self.cycles
                ],
                note="" if self.cycles else gettext("None: no cycle of your programs is running."),
            ),
            CodeList(gettext_lazy("Referred by"), choices_of(ReferralSource.choices)),
            CodeList(
                gettext_lazy("Case managers"), [(u.username, str(u)) for u in self.case_managers]
            ),
            CodeList(
                gettext_lazy("Peer mentors"), [(u.username, str(u)) for u in self.peer_mentors]
            ),
        ]


def read_enrolment_fields(importer: Importer, staffing: Staffing, plan: Plan) -> None:
    """Cycle, referral source and date, case manager and peer mentor, into plan.values."""
    row = plan.first
    user = importer.user
    values = plan.values
    values["cycle"] = importer.read(
        row,
        "cycle",
        cells.lookup,
        staffing.cycle_table,
        missing=gettext(
            "Not a cycle of your programs that is taking intakes (see the list of cycles)."
        ),
    )
    if values["cycle"] is not None and values["cycle"].pk in staffing.phaseless:
        importer.problem(row, "cycle", gettext("That program has no phases yet."))
    values["referral_source"] = importer.read(
        row, "referral_source", cells.code, ReferralSource.choices, what=gettext("referral source")
    )
    referred_on = importer.read(row, "referred_on", cells.date)
    if referred_on is not None and referred_on > timezone.localdate():
        importer.problem(row, "referred_on", gettext("The referral date cannot be in the future."))
    values["referred_on"] = referred_on
    manager = importer.read(
        row,
        "case_manager",
        cells.lookup,
        staffing.cm_table,
        missing=gettext("Not a case manager you can assign (give her username)."),
    )
    if manager is None and not cells.text(row["case_manager"]):
        if user.role == Role.CASE_MANAGER:
            manager = user
        else:
            importer.problem(row, "case_manager", gettext("Case manager is missing."))
    values["case_manager"] = manager
    values["peer_mentor"] = importer.read(
        row,
        "peer_mentor",
        cells.lookup,
        staffing.pm_table,
        missing=gettext("Not a peer mentor you can assign (give her username)."),
    )


class ParticipantImporter(Importer):
    kind = "participants"
    record_kind = "participant"
    columns = (
        EXTERNAL_ID,
        Column(
            "preferred_name",
            "Preferred name",
            True,
            gettext_lazy("The name she wants to be called."),
            aliases=("name", "first name"),
        ),
        Column("legal_name", "Legal name", False, gettext_lazy("As on her ID, if known.")),
        Column(
            "aliases",
            "Other names",
            False,
            gettext_lazy("Other names she is known by, separated by ;"),
            aliases=("aliases", "other names she is known by"),
        ),
        Column(
            "date_of_birth",
            "Date of birth",
            False,
            gettext_lazy("2024-03-31 or 31/03/2024."),
            aliases=("dob", "birth date"),
        ),
        Column("phone", "Phone", False, gettext_lazy("A safe number, if she gave one.")),
        Column("email", "Email", False, ""),
        Column(
            "safe_contact",
            "Safe-contact instructions",
            False,
            gettext_lazy("How and when it is safe to reach her, and what never to do."),
            aliases=("safe contact",),
        ),
        CYCLE,
        REFERRAL_SOURCE,
        REFERRED_ON,
        CASE_MANAGER,
        PEER_MENTOR,
        Column(
            "different_person",
            "Checked: different person",
            False,
            gettext_lazy(
                "Write yes once you have checked that she is not the likely match Doorway reported."
            ),
        ),
    )
    field_columns = {
        "preferred_name": "preferred_name",
        "cycle": "cycle",
        "referral_source": "referral_source",
        "referred_on": "referred_on",
        "case_manager": "case_manager",
        "peer_mentor": "peer_mentor",
    }

    def prepare(self, rows: Any) -> None:
        self.staffing = Staffing(self.user)
        # Names already at the agency, for the likely-duplicate check: only rows with a
        # name digest in common with someone there are checked one by one.
        self.known_digests: set[str] = set()
        wanted: set[str] = set()
        for row in rows:
            wanted |= name_digests(*self._names(row))
        batch = sorted(wanted)
        for start in range(0, len(batch), 500):
            self.known_digests |= set(
                NameDigest.objects.filter(
                    participant__agency=self.agency, digest__in=batch[start : start + 500]
                ).values_list("digest", flat=True)
            )
        # Within the file: whole names and (preferred name, date of birth) seen so far.
        self.seen: dict[str, int] = {}
        self.shown: set[str] = set()
        # Matches she cannot open: never shown to her, counted for the audit log.
        self.hidden = 0
        self.digests: set[str] = set()

    @staticmethod
    def _names(row: Any) -> list[str]:
        try:
            names = [cells.text(row["preferred_name"]), cells.text(row["legal_name"])]
            names += split_names(cells.text(row["aliases"]))
        except CellProblem:
            return []
        return [n for n in names if n]

    def example(self) -> list[str]:
        cycle = self.staffing.cycles[0].name if self.staffing.cycles else "Cycle 1"
        manager = self.user.username if self.user.role == Role.CASE_MANAGER else "alice"
        return [
            "P-0001",
            "Maria",
            "Maria Example",
            "Mari; M.",
            "1990-05-17",
            "416-555-0100",
            "",
            "Text first; never leave a voicemail.",
            cycle,
            ReferralSource.STREET_OUTREACH.value,
            "31/01/2025",
            manager,
            "",
            "",
        ]

    def code_lists(self) -> list[CodeList]:
        return self.staffing.code_lists()

    def check(self, plan: Plan) -> bool:
        row = plan.first
        before = len(self.problems)
        values = plan.values
        for key in ("preferred_name", "legal_name", "phone", "email", "safe_contact"):
            values[key] = self.read(row, key, cells.text) or ""
        for key in ("preferred_name", "legal_name"):
            if len(values[key]) > MAX_NAME:
                self.problem(
                    row, key, gettext("Keep it under %(most)s characters.") % {"most": MAX_NAME}
                )
        if len(values["phone"]) > 40:
            self.problem(row, "phone", gettext("Keep the phone number under 40 characters."))
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                self.problem(row, "email", gettext("This is not an email address."))
        values["aliases"] = "\n".join(split_names(self.read(row, "aliases", cells.text) or ""))
        dob = self.read(row, "date_of_birth", cells.date)
        if dob is not None and dob > timezone.localdate():
            self.problem(row, "date_of_birth", gettext("A date of birth cannot be in the future."))
        values["date_of_birth"] = dob
        read_enrolment_fields(self, self.staffing, plan)
        checked = self.read(row, "different_person", cells.yes_no)
        names = self._names(row)
        self._check_within_file(plan, names, dob, checked)
        if not checked and names:
            self._check_existing(plan, names, dob)
        return len(self.problems) == before

    def _check_within_file(
        self, plan: Plan, names: list[str], dob: datetime.date | None, checked: bool | None
    ) -> None:
        row = plan.first
        keys = {blind_index(n) for n in names if len(normalise(n).split()) > 1}
        if dob is not None and names:
            keys.add(f"{blind_index(names[0])}:{dob.isoformat()}")
        earlier = sorted({self.seen[k] for k in keys if k in self.seen})
        if earlier and not checked:
            self.problem(
                row,
                "preferred_name",
                gettext(
                    "Same name as row %(row)s: is it the same woman? Keep one row, or write "
                    "yes in 'Checked: different person'."
                )
                % {"row": earlier[0]},
            )
        for k in keys:
            self.seen.setdefault(k, row.number)

    def _check_existing(self, plan: Plan, names: list[str], dob: datetime.date | None) -> None:
        if not name_digests(*names) & self.known_digests:
            return
        found = find_likely_duplicates(
            agency=self.agency,
            reached=participants_visible_to(self.user),
            names=names,
            date_of_birth=dob,
        )
        row = plan.first
        for person in found.visible:
            self.shown.add(str(person.pk))
            self.problem(
                row,
                "preferred_name",
                gettext(
                    "Likely the same woman as %(code)s, already in Doorway. Check her "
                    "record; if she is someone else, write yes in 'Checked: different person'."
                )
                % {"code": person.code},
            )
        self.digests |= {blind_index(n) for n in names if normalise(n)}
        if found.hidden:
            # Never a word to the importer about a record she cannot open (that would
            # tell her the woman is in the program): her program manager is told.
            self.hidden += found.hidden_count
            tell_program_managers(self.user, found.hidden)

    def finish_check(self) -> None:
        if self.shown or self.hidden:
            # The duplicate check read names: audited as the registration page's is,
            # with the blind-index digests of the names that matched (never the names),
            # the matches she was shown and how many she was not.
            record(
                Action.SEARCH,
                actor=self.user,
                detail={
                    "object_type": "people.Participant",
                    "purpose": "import_duplicate_check",
                    "shown": sorted(self.shown),
                    "hidden": self.hidden,
                    "digests": sorted(self.digests),
                },
            )

    def save(self, plan: Plan) -> uuid.UUID:
        v = plan.values
        enrolment = register_participant(
            cycle=v["cycle"],
            by=self.user,
            preferred_name=v["preferred_name"],
            legal_name=v["legal_name"],
            aliases=v["aliases"],
            date_of_birth=v["date_of_birth"],
            phone=v["phone"],
            email=v["email"],
            safe_contact=v["safe_contact"],
            referral_source=v["referral_source"],
            referred_on=v["referred_on"],
            case_manager=v["case_manager"],
            peer_mentor=v["peer_mentor"],
        )
        self.created["participant"] += 1
        self.created["enrolment"] += 1
        return enrolment.participant_id


def split_names(value: str) -> list[str]:
    return [n.strip() for n in value.replace("\n", ";").split(";") if n.strip()]


class EnrolmentImporter(Importer):
    kind = "enrolments"
    record_kind = "enrolment"
    columns = (
        EXTERNAL_ID,
        PARTICIPANT,
        CYCLE,
        REFERRAL_SOURCE,
        REFERRED_ON,
        CASE_MANAGER,
        PEER_MENTOR,
    )
    field_columns = {
        "cycle": "cycle",
        "referral_source": "referral_source",
        "referred_on": "referred_on",
        "case_manager": "case_manager",
        "peer_mentor": "peer_mentor",
    }

    def prepare(self, rows: Any) -> None:
        self.staffing = Staffing(self.user)
        self.reach = Reach(self.user, self.agency)
        # Programs where she has an open enrolment (a second one is refused), and those
        # this file opens.
        self.open_in: dict[Any, set[Any]] = defaultdict(set)
        for pid, enrolments in self.reach.by_participant.items():
            self.open_in[pid] |= {e.cycle.program_id for e in enrolments if e.is_open}

    def example(self) -> list[str]:
        cycle = self.staffing.cycles[0].name if self.staffing.cycles else "Cycle 2"
        manager = self.user.username if self.user.role == Role.CASE_MANAGER else "alice"
        return ["E-0001", "P-0001", cycle, ReferralSource.SELF.value, "2025-02-28", manager, ""]

    def code_lists(self) -> list[CodeList]:
        return self.staffing.code_lists()

    def check(self, plan: Plan) -> bool:
        row = plan.first
        before = len(self.problems)
        value = self.read(row, "participant", cells.text)
        pid = self.reach.participant_id(value) if value else None
        if value and pid is None:
            self.problem(row, "participant", NO_SUCH_PARTICIPANT)
        read_enrolment_fields(self, self.staffing, plan)
        cycle = plan.values.get("cycle")
        if pid is not None and cycle is not None:
            if cycle.program_id in self.open_in[pid]:
                self.problem(
                    row, "cycle", gettext("She already has an open enrolment in this program.")
                )
            self.open_in[pid].add(cycle.program_id)
        plan.values["participant_id"] = pid
        return len(self.problems) == before

    def save(self, plan: Plan) -> uuid.UUID:
        v = plan.values
        participant = Participant.objects.get(pk=v["participant_id"])
        enrolment: Enrolment = enrol(
            participant,
            cycle=v["cycle"],
            referral_source=v["referral_source"],
            referred_on=v["referred_on"],
            case_manager=v["case_manager"],
            peer_mentor=v["peer_mentor"],
            by=self.user,
        )
        self.created["enrolment"] += 1
        return enrolment.pk
