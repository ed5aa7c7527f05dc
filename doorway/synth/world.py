"""The shape of a synthetic deployment: agencies, their programs (the Exit Doors Here
template and a youth variant with phases and focus areas of its own), cycles, partner
agencies, and then the staff sized to the caseloads the journeys leave open.

Configuration is small, so it is written through the ORM and the program templates
(history rows and all), as a program manager's setup pages would write it.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db.models import UUIDField

from doorway.evaluation import exit_doors_here as theory_template
from doorway.instruments import exit_doors_here as instrument_template
from doorway.instruments.definition import definition_of, flat_items, load_version
from doorway.instruments.models import Instrument, InstrumentVersion
from doorway.people.models import Team, User
from doorway.people.roles import Role
from doorway.programs import exit_doors_here as program_template
from doorway.programs.models import (
    Agency,
    ContactCadence,
    CostCategory,
    CostLine,
    Cycle,
    FocusArea,
    KeyIngredient,
    PartnerAgency,
    Phase,
    Program,
    ServiceKind,
)
from doorway.synth import names
from doorway.synth.writer import Id, new_uuid

# Every synthetic agency's slug starts with this: how a run knows its own records.
SLUG_PREFIX = "synth-"
# Participants per agency, roughly; at least two agencies, at most eight.
PER_AGENCY = 20000
CYCLES = 6  # yearly intakes, the last one running now
CYCLE_MONTH = 4  # cycles start on the first of April
CASELOAD = 19  # open enrolments per case manager: CTI's "about 20", with room to spare
TEAM_SIZE = 5  # case managers per team, with one peer mentor

YOUTH_PHASES = [
    # name, expected days, cadence, needs service consent, needs eligibility, description
    ("First contact", None, ContactCadence.AS_NEEDED, False, False,
     "Meeting her where she is: youth drop-ins, schools, shelters, online."),
    ("Getting to know her", 60, ContactCadence.WEEKLY, True, False,
     "Intake, risk factors, eligibility and what she wants, at her pace."),
    ("Building stability", 120, ContactCadence.WEEKLY, True, True,
     "Housing, school or work, health: the plan she sets, with weekly support."),
    ("Stepping out", 120, ContactCadence.FORTNIGHTLY, True, True,
     "Her own supports take over; the worker steps back and hands over care."),
]  # fmt: skip
YOUTH_FOCUS_AREAS = [
    ("support-networks", "Support networks"),
    ("accommodation", "Accommodation"),
    ("money", "Money"),
    ("school-and-training", "School and training"),
    ("physical-health", "Physical health"),
    ("emotional-health", "Emotional health"),
    ("drugs-and-alcohol", "Drugs and alcohol"),
    ("safety", "Safety"),
    ("family-and-relationships", "Family and relationships"),
]

PARTNER_KINDS = [
    ("Housing Co-operative", [ServiceKind.HOUSING]),
    ("Employment Services", [ServiceKind.EMPLOYMENT, ServiceKind.EDUCATION]),
    ("Community Health Centre", [ServiceKind.HEALTH, ServiceKind.MENTAL_HEALTH]),
    ("Legal Clinic", [ServiceKind.LEGAL, ServiceKind.IMMIGRATION]),
    ("Recovery Program", [ServiceKind.SUBSTANCE_USE, ServiceKind.COUNSELLING]),
    ("Income Support Office", [ServiceKind.INCOME]),
    ("Women's Collective", [ServiceKind.COUNSELLING, ServiceKind.MENTAL_HEALTH]),
    ("Learning Centre", [ServiceKind.EDUCATION]),
    ("Newcomer Services", [ServiceKind.IMMIGRATION, ServiceKind.LEGAL]),
    ("Transitional Residence", [ServiceKind.HOUSING, ServiceKind.OTHER]),
    ("Harm Reduction", [ServiceKind.SUBSTANCE_USE, ServiceKind.HEALTH]),
    ("Tax and Benefits Clinic", [ServiceKind.INCOME, ServiceKind.LEGAL]),
]


@dataclass
class InstrumentInfo:
    version_id: Id
    definition: dict[str, Any]
    items: dict[str, dict[str, Any]]
    item_ids: dict[str, tuple[Id, str]]  # code -> (item id, kind)


@dataclass
class ProgramInfo:
    program: Program
    agency: Agency
    weight: float
    phases: list[Phase]
    areas: list[FocusArea]
    ingredients: list[KeyIngredient]
    cycles: list[Cycle]
    partners: list[PartnerAgency]
    instruments: dict[str, InstrumentInfo] = field(default_factory=dict)
    case_managers: list[User] = field(default_factory=list)
    peer_mentors: list[User] = field(default_factory=list)  # one per team, in team order
    teams: list[Team] = field(default_factory=list)
    manager: User | None = None

    def cycle_on(self, day: datetime.date) -> Cycle:
        for cycle in self.cycles:
            if cycle.starts_on <= day <= cycle.ends_on:
                return cycle
        return self.cycles[-1]


def agency_count(participants: int) -> int:
    return min(8, max(2, math.ceil(participants / PER_AGENCY)))


def first_cycle_start(today: datetime.date) -> datetime.date:
    year = today.year if (today.month, today.day) >= (CYCLE_MONTH, 1) else today.year - 1
    return datetime.date(year - (CYCLES - 1), CYCLE_MONTH, 1)


@contextlib.contextmanager
def seeded_ids(rng: random.Random) -> Iterator[None]:
    """While the program templates install themselves through their own code, the rows
    they create take ids drawn from `rng` instead of `uuid4()`, so that a seed gives the
    same ids everywhere. Every model whose primary key defaults to `uuid4` is covered;
    the defaults are put back on leaving, error or not."""
    changed = []
    for model in apps.get_models():
        pk = model._meta.pk
        if isinstance(pk, UUIDField) and pk.default is uuid.uuid4:
            changed.append(pk)
            pk.default = lambda: uuid.UUID(new_uuid(rng))
            # Django caches the callable it will call (`Field._get_default`).
            pk.__dict__.pop("_get_default", None)
    try:
        yield
    finally:
        for pk in changed:
            pk.default = uuid.uuid4
            pk.__dict__.pop("_get_default", None)


def build_programs(
    rng: random.Random, participants: int, today: datetime.date
) -> list[ProgramInfo]:
    """Agencies, programs, phases, focus areas, instruments, cycles and partners."""
    infos = []
    used_places: set[str] = set()
    for number in range(1, agency_count(participants) + 1):
        place = names.place(rng)
        while place in used_places:
            place = names.place(rng)
        used_places.add(place)
        agency = Agency.objects.create(
            id=new_uuid(rng),
            name=f"{place} Women's Services",
            slug=f"{SLUG_PREFIX}{number}-{place.lower()}",
        )
        partners = _partners(rng, agency)
        mine = [_program(rng, agency, number, place, youth=False, partners=partners)]
        if number % 2 == 0:
            mine.append(_program(rng, agency, number, place, youth=True, partners=partners))
        for info in mine:
            _cycles(rng, info, today)
        infos.extend(mine)
    return infos


def _program(
    rng: random.Random,
    agency: Agency,
    number: int,
    place: str,
    *,
    youth: bool,
    partners: list[PartnerAgency],
) -> ProgramInfo:
    program = Program.objects.create(
        id=new_uuid(rng),
        agency=agency,
        name=f"Exit Doors Here {'Youth ' if youth else ''}{place}",
        slug=f"{agency.slug}-{'youth' if youth else 'edh'}",
        description=(
            "Critical Time Intervention for young women, 16 to 24, leaving sex work."
            if youth
            else "Critical Time Intervention for women who want to leave sex work."
        ),
        minimum_age=16,
        caseload_limit=20,
        code_prefix=f"{'EDY' if youth else 'EDH'}{number}",
    )
    phase_rows = YOUTH_PHASES if youth else program_template.PHASES
    phases = [
        Phase.objects.create(
            id=new_uuid(rng),
            program=program,
            order=order,
            name=name,
            expected_days=days,
            contact_cadence=cadence,
            requires_service_consent=consent,
            requires_eligibility=eligibility,
            description=description,
        )
        for order, (name, days, cadence, consent, eligibility, description) in enumerate(phase_rows)
    ]
    area_rows = YOUTH_FOCUS_AREAS if youth else program_template.FOCUS_AREAS
    areas = [
        FocusArea.objects.create(id=new_uuid(rng), program=program, slug=slug, name=name, order=i)
        for i, (slug, name) in enumerate(area_rows)
    ]
    ingredients = [
        KeyIngredient.objects.create(
            id=new_uuid(rng), program=program, slug=slug, name=name, description=text, order=i
        )
        for i, (slug, name, text) in enumerate(program_template.KEY_INGREDIENTS)
    ]
    with seeded_ids(rng):
        instrument_template.install(program)
        theory_template.install(program)
    info = ProgramInfo(
        program=program,
        agency=agency,
        weight=0.5 if youth else 1.0,
        phases=phases,
        areas=areas,
        ingredients=ingredients,
        cycles=[],
        partners=partners,
    )
    for instrument in Instrument.objects.filter(program=program):
        version = instrument.current_version()
        assert isinstance(version, InstrumentVersion)
        loaded = load_version(version.pk)
        definition = definition_of(loaded)
        info.instruments[instrument.slug] = InstrumentInfo(
            version_id=version.pk,
            definition=definition,
            items=flat_items(definition),
            item_ids={i.code: (i.pk, i.kind) for s in loaded.sections.all() for i in s.items.all()},
        )
    return info


def _cycles(rng: random.Random, info: ProgramInfo, today: datetime.date) -> None:
    start = first_cycle_start(today)
    for n in range(CYCLES):
        starts = start.replace(year=start.year + n)
        ends = starts.replace(year=starts.year + 1) - datetime.timedelta(days=1)
        info.cycles.append(
            Cycle.objects.create(
                id=new_uuid(rng),
                program=info.program,
                name=f"Cycle {n + 1} ({starts.year}-{str(starts.year + 1)[2:]})",
                starts_on=starts,
                ends_on=ends,
            )
        )


def _partners(rng: random.Random, agency: Agency) -> list[PartnerAgency]:
    partners = []
    taken: set[str] = set()
    for n, (kind, services) in enumerate(PARTNER_KINDS * 2):
        name = f"{names.place(rng)} {kind}"
        if name in taken:
            continue
        taken.add(name)
        domain = name.split()[0].lower()
        partners.append(
            PartnerAgency.objects.create(
                id=new_uuid(rng),
                agency=agency,
                name=name,
                services=[str(s) for s in services],
                contact_name=f"{names.first_name(rng)} {names.last_name(rng)}",
                phone=names.phone(rng),
                email=f"intake{n}@{domain}.example.org",
            )
        )
    return partners


# --- staff --------------------------------------------------------------------------------


def build_staff(
    rng: random.Random, infos: list[ProgramInfo], open_counts: dict[Id, int], password: str
) -> int:
    """Case managers for the open caseloads (about CASELOAD each) in teams of TEAM_SIZE
    with a peer mentor each, a program manager per program, and an evaluator and an
    administrator per agency. Every account shares one password hash, of the demo's
    published password: they are demo accounts, usable only while DOORWAY_DEMO is on."""
    hashed = make_password(password)
    users: list[User] = []
    program_links: list[tuple[User, Program]] = []
    team_links: list[tuple[Team, User]] = []

    def user(username: str, role: str, agency: Agency) -> User:
        account = User(
            id=new_uuid(rng),
            username=username,
            role=role,
            first_name=names.first_name(rng),
            last_name=names.last_name(rng),
            agency=agency,
            password=hashed,
            is_demo_account=True,
            is_staff=role == Role.ADMINISTRATOR,
        )
        users.append(account)
        return account

    agencies: dict[Id, list[ProgramInfo]] = {}
    for info in infos:
        agencies.setdefault(info.agency.pk, []).append(info)
        prefix = info.program.code_prefix.lower()
        workers = max(2, math.ceil(open_counts.get(info.program.pk, 0) / CASELOAD))
        info.manager = user(f"{prefix}-manager", Role.PROGRAM_MANAGER, info.agency)
        program_links.append((info.manager, info.program))
        for t in range(math.ceil(workers / TEAM_SIZE)):
            team = Team(
                id=new_uuid(rng), agency=info.agency, name=f"{info.program.name} team {t + 1}"
            )
            info.teams.append(team)
            mentor = user(f"{prefix}-peer{t + 1:03d}", Role.PEER_MENTOR, info.agency)
            info.peer_mentors.append(mentor)
            program_links.append((mentor, info.program))
            team_links.append((team, mentor))
            for n in range(t * TEAM_SIZE, min(workers, (t + 1) * TEAM_SIZE)):
                worker = user(f"{prefix}-cm{n + 1:04d}", Role.CASE_MANAGER, info.agency)
                info.case_managers.append(worker)
                program_links.append((worker, info.program))
                team_links.append((team, worker))
    for programs in agencies.values():
        agency = programs[0].agency
        # Usernames a benchmark can guess: agency1-evaluator, agency1-admin, ...
        number = agency.slug.removeprefix(SLUG_PREFIX).split("-")[0]
        evaluator = user(f"agency{number}-evaluator", Role.EVALUATOR, agency)
        program_links.extend((evaluator, info.program) for info in programs)
        user(f"agency{number}-admin", Role.ADMINISTRATOR, agency)
    User.objects.bulk_create(users)
    Team.objects.bulk_create([team for info in infos for team in info.teams])
    Through = User.programs.through
    Through.objects.bulk_create([Through(user=u, program=p) for u, p in program_links])
    Members = Team.members.through
    Members.objects.bulk_create([Members(team=t, user=u) for t, u in team_links])
    return len(users)


def add_costs(rng: random.Random, infos: list[ProgramInfo], enrolled: dict[Id, int]) -> int:
    """Each cycle's cost lines, in proportion to the women it enrolled (a program
    manager's entries, with their history)."""
    lines = 0
    shares = [
        (CostCategory.STAFF, "Case managers and supervision", Decimal("3150.00")),
        (CostCategory.SPACE, "Office and drop-in space", Decimal("410.00")),
        (CostCategory.PARTICIPANT_SUPPORTS, "Transit, phones, ID replacement", Decimal("260.00")),
        (CostCategory.PEER_HONORARIA, "Peer mentors' honoraria", Decimal("180.00")),
        (CostCategory.DROP_IN_FOOD_TRANSIT, "Drop-in meals and tokens", Decimal("120.00")),
        (CostCategory.EVALUATION, "External evaluation", Decimal("95.00")),
    ]
    for info in infos:
        for cycle in info.cycles:
            count = enrolled.get(cycle.pk, 0)
            if not count:
                continue
            for category, description, per_woman in shares:
                line = CostLine(
                    id=new_uuid(rng),
                    cycle=cycle,
                    category=category,
                    description=description,
                    amount=(per_woman * count).quantize(Decimal("0.01")),
                    recorded_by=info.manager,
                )
                line._history_user = info.manager  # type: ignore[attr-defined]  # simple-history reads the change's author from this attribute
                line.save()
                lines += 1
    return lines
