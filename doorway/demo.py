"""The Exit Doors Here demo: an agency, its program, staff, partners and a synthetic
cohort, built through the same actions the pages use.

Every person here is invented. Names, dates of birth, phone numbers (555-01xx) and
e-mail addresses (example.org) belong to nobody.

The data is in plain tables at the top; `load()` turns them into records. Loading is
idempotent: an account, team, cycle or partner is looked up by its name before it is
made, and a participant by the blind index of her legal name, so a second run creates
nothing. Dates come from a fixed random seed; the current intake is placed relative to
today, everything else lies between 2018 and 2023.

Cycles 1-4 are the cohorts of the published evaluation: beside the women written out
below, `generated_people` fills each to its published size, and
`doorway.evaluation.demo_cohort` gives them the assessments, cost lines and partner
surveys from which `doorway evaluate` computes the published figures. Only those four
cycles were asked to join the research; the current intake was not.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from doorway import demo_history
from doorway.caseload import demo as caseload_demo
from doorway.casework import demo as casework_demo
from doorway.dropins import demo as dropins_demo
from doorway.encryption import blind_index
from doorway.enrolments.actions import register_participant
from doorway.enrolments.models import Eligibility, Enrolment, ExitReason, ReferralSource
from doorway.evaluation import demo_cohort
from doorway.evaluation import exit_doors_here as theory_template
from doorway.instruments import demo as assessments_demo
from doorway.instruments import exit_doors_here as instrument_template
from doorway.people.actions import add_safety_flag, give_consent, withdraw_consent
from doorway.people.models import ConsentKind, FlagKind, Language, Participant, Team, User
from doorway.people.roles import Role
from doorway.plans import demo as plans_demo
from doorway.programs import exit_doors_here
from doorway.programs.models import Agency, Cycle, PartnerAgency, Phase, Program, ServiceKind
from doorway.referrals import demo as referrals_demo

# One published password for every demo account. Demo accounts may skip the second
# factor only while DOORWAY_DEMO is on, and `doorway load-demo` refuses to run without it.
DEMO_PASSWORD = "doorway-demo-2026"  # noqa: S105 - published on purpose, demo only
SEED = 2018

AGENCY_NAME = "Elizabeth Fry Toronto"
AGENCY_SLUG = "efry-toronto"

TEAMS = ["Queen West team", "Scarborough team"]

# username, role, first name, last name, team (or None)
# casemanager2 works in French (her account's language), the others in English.
STAFF = [
    ("casemanager", Role.CASE_MANAGER, "Casey", "Marlowe", "Queen West team"),
    ("casemanager2", Role.CASE_MANAGER, "Robin", "Achterberg", "Scarborough team"),
    ("peermentor", Role.PEER_MENTOR, "Pia", "Lindqvist", "Queen West team"),
    ("programmanager", Role.PROGRAM_MANAGER, "Morgan", "Okafor-Reyes", None),
    ("evaluator", Role.EVALUATOR, "Evelyn", "Thibodeau", None),
    ("admin", Role.ADMINISTRATOR, "Ada", "Kowalczyk", None),
    # A second administrator: giving anyone access needs one besides the one who asks.
    ("admin2", Role.ADMINISTRATOR, "Abe", "Lindgren", None),
]

FRENCH_SPEAKING_STAFF = {"casemanager2": Language.FRENCH}

# Women who prefer French: their printed plan and star chart are in French.
PREFERS_FRENCH = {
    "Marisol Quenneville",
    "Odile Ferncastle",
    "Anouk Peregrine",
    "Leocadia Moreau-Vance",
    "Marigold Penhaligon",
    "Isadora Quill",
    "Briony Castellane",
    "Honora Blaise",
}

# What she reads of the program (her printed plan), in French too.
PROGRAM_CONTACT = {"contact_phone": "647-555-0100", "contact_email": "exitdoors@example.org"}

# Intake cohorts: name, first day, last day.
CYCLES = [
    ("Cycle 1", datetime.date(2018, 4, 1), datetime.date(2019, 3, 31)),
    ("Cycle 2", datetime.date(2019, 4, 1), datetime.date(2020, 3, 31)),
    ("Cycle 3", datetime.date(2020, 4, 1), datetime.date(2021, 3, 31)),
    ("Cycle 4", datetime.date(2021, 4, 1), datetime.date(2022, 3, 31)),
]
# The cohort in the program now, so that caseloads have open work: it started this
# many days before the day the demo is first loaded, and runs for a year.
CURRENT_INTAKE = ("Current intake", 330)

# name, services (ServiceKind), contact name, phone, e-mail
# fmt: off
PARTNERS = [
    ("Harbourlight Housing Co-operative", [ServiceKind.HOUSING],
     "Tova Grenier", "416-555-0201", "intake@harbourlight.example.org"),
    ("Northwind Employment Services", [ServiceKind.EMPLOYMENT, ServiceKind.EDUCATION],
     "Idris Palmqvist", "416-555-0202", "hello@northwind.example.org"),
    ("Cedar Lane Community Health Centre", [ServiceKind.HEALTH, ServiceKind.MENTAL_HEALTH],
     "Dr. Noor Abernethy", "416-555-0203", "referrals@cedarlane.example.org"),
    ("Riverstone Legal Clinic", [ServiceKind.LEGAL, ServiceKind.IMMIGRATION],
     "Aurelio Szabo", "416-555-0204", "clinic@riverstone.example.org"),
    ("Open Gate Recovery Program", [ServiceKind.SUBSTANCE_USE, ServiceKind.COUNSELLING],
     "Bettina Rourke", "416-555-0205", "opengate@example.org"),
    ("Bridgeway Income Support Office", [ServiceKind.INCOME],
     "Kwame Hollis", "416-555-0206", "bridgeway@example.org"),
    ("Maplewood Women's Collective", [ServiceKind.COUNSELLING, ServiceKind.MENTAL_HEALTH],
     "Lisbeth Ngata", "416-555-0207", "collective@maplewood.example.org"),
    ("Lakeshore Learning Centre", [ServiceKind.EDUCATION],
     "Oren Castellanos", "416-555-0208", "learn@lakeshore.example.org"),
    ("Safe Harbour Newcomer Services", [ServiceKind.IMMIGRATION, ServiceKind.LEGAL],
     "Mirela Oyelaran", "416-555-0209", "newcomers@safeharbour.example.org"),
    ("Willowbrook Transitional Residence", [ServiceKind.HOUSING, ServiceKind.OTHER],
     "Greta Vanterpool", "416-555-0210", "residence@willowbrook.example.org"),
    # The partners the published survey reached as well (22 in all).
    ("Kingsbridge Tenant Support", [ServiceKind.HOUSING],
     "Petra Almqvist", "416-555-0211", "tenants@kingsbridge.example.org"),
    ("Eastgate Skills Exchange", [ServiceKind.EMPLOYMENT],
     "Dario Feltham", "416-555-0212", "skills@eastgate.example.org"),
    ("Parkdale Hollow Dental Outreach", [ServiceKind.HEALTH],
     "Dr. Ines Marlowe-Obi", "416-555-0213", "dental@parkdalehollow.example.org"),
    ("Fernhill Counselling Co-op", [ServiceKind.COUNSELLING],
     "Sunniva Arkwright", "416-555-0214", "coop@fernhill.example.org"),
    ("Silverbirch Trauma Services", [ServiceKind.MENTAL_HEALTH],
     "Hallam Kovacevic", "416-555-0215", "intake@silverbirch.example.org"),
    ("Lanternway Harm Reduction", [ServiceKind.SUBSTANCE_USE, ServiceKind.HEALTH],
     "Odalys Penrose", "416-555-0216", "lanternway@example.org"),
    ("Millrace Adult School", [ServiceKind.EDUCATION],
     "Corwin Achebe-Lind", "416-555-0217", "office@millrace.example.org"),
    ("Quayside Tax and Benefits Clinic", [ServiceKind.INCOME, ServiceKind.LEGAL],
     "Margit Osei-Hale", "416-555-0218", "clinic@quayside.example.org"),
    ("Thistledown Family Services", [ServiceKind.COUNSELLING, ServiceKind.OTHER],
     "Renske Ballantyne", "416-555-0219", "families@thistledown.example.org"),
    ("Juniper Street Women's Shelter", [ServiceKind.HOUSING],
     "Ayodele Strand", "416-555-0220", "shelter@juniperstreet.example.org"),
    ("Crossway Newcomer Hub", [ServiceKind.IMMIGRATION, ServiceKind.EMPLOYMENT],
     "Teodor Vashti", "416-555-0221", "hub@crossway.example.org"),
    ("Greenfold Legal Aid Office", [ServiceKind.LEGAL],
     "Liesel Okafor-Dunne", "416-555-0222", "greenfold@example.org"),
]
# fmt: on

# How far along the program she got. Each stage includes the ones before it.
CONNECTION = "connection"  # in "Making the connection", no consent yet
INTAKE = "intake"  # consented, in intake and assessment, eligibility not decided
ELIGIBLE = "eligible"  # found eligible, still in intake and assessment
SERVICES = "services"  # in service implementation and behaviour change
IDENTITY = "identity"  # in adopting a new identity
STAGES = [CONNECTION, INTAKE, ELIGIBLE, SERVICES, IDENTITY]


@dataclass(frozen=True)
class Person:
    legal_name: str
    preferred_name: str
    cycle: str
    stage: str
    # An ExitReason, or "" while she is still in the program.
    ending: str = ""
    case_manager: str = "casemanager"
    peer_mentor: str | None = None
    referral: str = ReferralSource.STREET_OUTREACH
    # Consented to the evaluation research.
    evaluation: bool = True
    withdraws_evaluation: bool = False
    flags: tuple[str, ...] = ()
    aliases: str = ""
    # Current intake only: referred this many days before the demo was loaded.
    days_ago: int | None = None

    def reached(self, stage: str) -> bool:
        return STAGES.index(self.stage) >= STAGES.index(stage)


# Short names that keep the table below one person a line.
P = Person
NOW = CURRENT_INTAKE[0]
CM2, PM = "casemanager2", "peermentor"
G, WITHDREW, LOST = ExitReason.GRADUATED, ExitReason.WITHDREW, ExitReason.LOST_CONTACT
TRANSFERRED, NOT_ELIGIBLE = ExitReason.TRANSFERRED, ExitReason.NOT_ELIGIBLE
HOST, LEGAL = ReferralSource.HOST_ORGANISATION, ReferralSource.LEGAL_NETWORK
TRAFFICKING, SELF = ReferralSource.ANTI_TRAFFICKING, ReferralSource.SELF
NO_VOICEMAIL, NOT_AT_HOME, NO_TEXTS = (
    FlagKind.NO_VOICEMAIL,
    FlagKind.NO_CONTACT_AT_HOME,
    FlagKind.NO_TEXTS,
)
NO_MAIL, SAFE_WORD, SOMEONE_LOOKING = FlagKind.NO_MAIL, FlagKind.SAFE_WORD, FlagKind.SOMEONE_LOOKING

# Stage and ending say how far she got; with no ending she is still in the program.
# fmt: off
PEOPLE = [
    # legal name, preferred name, cycle, stage, ending, then what differs from the defaults
    P("Wren Halloway", "Wren", "Cycle 1", IDENTITY, G, flags=(NO_VOICEMAIL,)),
    P("Delphine Okonkwo-Marsh", "Del", "Cycle 1", IDENTITY, G, referral=HOST),
    P("Marisol Quenneville", "Mari", "Cycle 1", IDENTITY, G, case_manager=CM2),
    P("Tamsin Abernathy-Ruiz", "Tam", "Cycle 1", SERVICES, WITHDREW, withdraws_evaluation=True),
    P("Odile Ferncastle", "Odile", "Cycle 1", ELIGIBLE, LOST, evaluation=False),
    P("Saoirse Vantongeren", "Saoirse", "Cycle 1", IDENTITY, G, case_manager=CM2, referral=LEGAL),
    P("Imogen Blackwood-Tal", "Immy", "Cycle 1", INTAKE, NOT_ELIGIBLE, evaluation=False,
      referral=SELF),

    P("Lucinda Marchetti-Gray", "Lucy", "Cycle 2", IDENTITY, G, aliases="Lulu"),
    P("Anouk Peregrine", "Anouk", "Cycle 2", IDENTITY, G, case_manager=CM2),
    P("Beatrix Solano-Wynn", "Bea", "Cycle 2", SERVICES, TRANSFERRED, referral=HOST),
    P("Clementine Araya", "Clem", "Cycle 2", IDENTITY, G, flags=(NOT_AT_HOME,)),
    P("Rosalind Kestrel", "Ros", "Cycle 2", IDENTITY, LOST),
    P("Henrietta Nakashima-Bell", "Etta", "Cycle 2", IDENTITY, G, evaluation=False),
    P("Zinnia Oyelaran-Fisk", "Zinnia", "Cycle 2", ELIGIBLE, WITHDREW, referral=TRAFFICKING),

    P("Perpetua Lindgren", "Pet", "Cycle 3", IDENTITY, G),
    P("Marguerite Oduya", "Maggie", "Cycle 3", IDENTITY, G, case_manager=CM2),
    P("Ysolde Carrow", "Ysolde", "Cycle 3", IDENTITY, G, referral=LEGAL),
    P("Fenella Dragomir", "Nell", "Cycle 3", SERVICES, WITHDREW),
    P("Calliope Strand", "Callie", "Cycle 3", IDENTITY, G, evaluation=False),
    P("Thomasina Ebright", "Tommie", "Cycle 3", CONNECTION, LOST, evaluation=False),
    P("Ottilie Brannagh", "Tilly", "Cycle 3", IDENTITY, G, case_manager=CM2, flags=(NO_MAIL,)),

    P("Philippa Nwachukwu", "Pippa", "Cycle 4", IDENTITY, G, referral=HOST),
    P("Esmeralda Thorne-Ikeda", "Esme", "Cycle 4", IDENTITY, G, aliases="Star\nEsmé T."),
    P("Georgiana Fairweather", "Gina", "Cycle 4", IDENTITY, TRANSFERRED, case_manager=CM2),
    P("Leocadia Moreau-Vance", "Cadie", "Cycle 4", IDENTITY, G),
    P("Winifred Aalto", "Winnie", "Cycle 4", ELIGIBLE, WITHDREW),
    P("Seraphina Okoro-Lund", "Sera", "Cycle 4", IDENTITY, G, case_manager=CM2,
      referral=TRAFFICKING),
    P("Araminta Velasquez-Hart", "Minty", "Cycle 4", IDENTITY, G, evaluation=False),

    # The current intake: open caseloads, peer mentoring, safety flags in force.
    P("Juniper Ashcombe", "June", NOW, CONNECTION, days_ago=6, peer_mentor=PM),
    P("Marigold Penhaligon", "Goldie", NOW, CONNECTION, days_ago=12, case_manager=CM2),
    P("Rosamund Ekwueme", "Roz", NOW, INTAKE, days_ago=20, peer_mentor=PM, flags=(NO_TEXTS,)),
    P("Theodora Vasquez-Lyle", "Teddy", NOW, ELIGIBLE, days_ago=45, referral=HOST),
    P("Isadora Quill", "Izzy", NOW, ELIGIBLE, days_ago=60, case_manager=CM2,
      referral=TRAFFICKING, flags=(SOMEONE_LOOKING, NO_VOICEMAIL)),
    P("Honora Blaise", "Nora", NOW, SERVICES, days_ago=120, peer_mentor=PM, flags=(SAFE_WORD,),
      aliases="Honey"),
    P("Verity Oyelowo-Strand", "Verity", NOW, SERVICES, days_ago=140),
    P("Briony Castellane", "Bri", NOW, SERVICES, days_ago=150, case_manager=CM2, peer_mentor=PM),
    P("Cordelia Amankwah", "Delia", NOW, IDENTITY, days_ago=215, peer_mentor=PM, evaluation=False),
    P("Evangeline Sorensen", "Evie", NOW, IDENTITY, days_ago=240, case_manager=CM2,
      flags=(NOT_AT_HOME,)),
    P("Philomena Draycott", "Mena", NOW, IDENTITY, G, days_ago=320),
    P("Lavinia Oduya-Park", "Vinnie", NOW, SERVICES, WITHDREW, days_ago=130, case_manager=CM2),
]
# fmt: on

# The rest of Cycles 1-4, so that each has its published number of women enrolled
# (30, 40, 31 and 33; "enrolled" leaves out women found not eligible) and 55 of them
# consent to the evaluation research. Per cycle: women in the research who graduated,
# who left after services began, who left before; then women outside it, of whom some
# consented and withdrew; and referrals found not eligible.
# fmt: off
# cycle: (graduates, went_on, early, outside, withdrew, not_eligible)
GENERATED = {
    "Cycle 1": (7, 1, 1, 15, 2, 0),
    "Cycle 2": (7, 1, 1, 24, 2, 1),
    "Cycle 3": (6, 1, 1, 16, 2, 1),
    "Cycle 4": (6, 1, 1, 18, 2, 1),
}
# fmt: on
# Invented names, put together from syllables: they belong to nobody.
FIRST_SYLLABLES = ["Al", "Bre", "Ca", "Dar", "El", "Fio", "Gwe", "Ila", "Jes", "Ka", "Lo", "Mi"]
FIRST_ENDINGS = ["ra", "nna", "lie", "wen", "ssa", "ria", "dine", "lyn", "ette", "sha"]
LAST_SYLLABLES = ["Ash", "Bram", "Cor", "Dun", "Fal", "Hart", "Kel", "Mor", "Pen", "Ros", "Tarn"]
LAST_ENDINGS = ["wick", "ley", "bury", "ton", "more", "field", "ridge", "holm", "gate", "dale"]
# What became of the women outside the research, in turn.
OUTSIDE = [
    (IDENTITY, G), (SERVICES, WITHDREW), (IDENTITY, G), (ELIGIBLE, LOST),
    (IDENTITY, TRANSFERRED), (CONNECTION, LOST), (IDENTITY, G), (SERVICES, LOST),
]  # fmt: skip
SOURCES = [ReferralSource.STREET_OUTREACH, HOST, SELF, LEGAL, TRAFFICKING]


def generated_people(taken: set[str]) -> list[Person]:
    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible demo data
    people = []

    def name() -> tuple[str, str]:
        while True:
            first = rng.choice(FIRST_SYLLABLES) + rng.choice(FIRST_ENDINGS)
            last = rng.choice(LAST_SYLLABLES) + rng.choice(LAST_ENDINGS)
            if f"{first} {last}" not in taken:
                taken.add(f"{first} {last}")
                return f"{first} {last}", first

    for cycle, (graduates, went_on, early, outside, withdrew, not_eligible) in GENERATED.items():
        kinds = (
            [(IDENTITY, G, True, False)] * graduates
            + [(SERVICES, rng.choice([LOST, WITHDREW]), True, False)] * went_on
            + [(ELIGIBLE, rng.choice([LOST, WITHDREW]), True, False)] * early
            + [(IDENTITY, G, True, True)] * withdrew
            + [(*OUTSIDE[i % len(OUTSIDE)], False, False) for i in range(outside - withdrew)]
            + [(INTAKE, NOT_ELIGIBLE, False, False)] * not_eligible
        )
        for i, (stage, ending, evaluation, withdraws) in enumerate(kinds):
            legal, preferred = name()
            people.append(
                P(legal, preferred, cycle, stage, ending,
                  case_manager=CM2 if i % 2 else "casemanager",
                  referral=SOURCES[i % len(SOURCES)],
                  evaluation=evaluation, withdraws_evaluation=withdraws)
            )  # fmt: skip
    return people


PEOPLE += generated_people({p.legal_name for p in PEOPLE})

RISK_FACTORS = [
    "conflict with the law",
    "lacks positive supports",
    "harmful substance use",
    "un- or under-employment",
    "lacks life skills",
    "unsafe because of an abuser",
    "homeless or at risk of homelessness",
]

FLAG_NOTES: dict[str, str] = {
    FlagKind.NO_VOICEMAIL: "Her phone is shared.",
    FlagKind.NO_CONTACT_AT_HOME: "Someone at home does not know she is in the program.",
    FlagKind.NO_TEXTS: "",
    FlagKind.NO_MAIL: "",
    FlagKind.SAFE_WORD: "Safe word is on her intake form.",
    FlagKind.SOMEONE_LOOKING: "A former partner has called other agencies asking for her.",
}

SAFE_CONTACT = [
    "Text first; call only after she replies.",
    "Call her cell after 6 pm. If someone else answers, say it is the library.",
    "Reach her at drop-in on Tuesdays; no calls.",
    "E-mail only; she checks it at the library.",
    "",
]

EXIT_NOTES: dict[str, str] = {
    ExitReason.GRADUATED: "Transfer-of-care meeting held with her long-term supports; "
    "closing note written.",
    ExitReason.WITHDREW: "She chose to leave the program and asked for no further contact.",
    ExitReason.LOST_CONTACT: "No contact for eight weeks despite outreach at her usual places.",
    ExitReason.TRANSFERRED: "Moved out of the city; warm referral to a program there.",
    ExitReason.NOT_ELIGIBLE: "Fewer than two of the seven risk factors; referred to partners.",
}


@dataclass
class Loaded:
    """What a run of `load()` created; all zeros on a second run."""

    created: dict[str, int] = field(default_factory=dict)
    program: Program | None = None

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    @property
    def anything(self) -> bool:
        return any(self.created.values())


@transaction.atomic
def load(today: datetime.date | None = None) -> Loaded:
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    loaded = Loaded()

    agency, made = Agency.objects.get_or_create(slug=AGENCY_SLUG, defaults={"name": AGENCY_NAME})
    loaded.add("agencies", made)
    program = exit_doors_here.install(agency)
    if not program.contact_phone:
        Program.objects.filter(pk=program.pk).update(**PROGRAM_CONTACT)
        program.refresh_from_db()
    instrument_template.install(program)
    theory_template.install(program)
    loaded.program = program

    cycles = {}
    name, days_before = CURRENT_INTAKE
    starts = today - datetime.timedelta(days=days_before)
    for cycle_name, starts_on, ends_on in [
        *CYCLES,
        (name, starts, starts + datetime.timedelta(days=364)),
    ]:
        cycles[cycle_name], made = Cycle.objects.get_or_create(
            program=program,
            name=cycle_name,
            defaults={"starts_on": starts_on, "ends_on": ends_on},
        )
        loaded.add("cycles", made)

    partners = []
    for partner_name, services, contact, phone, email in PARTNERS:
        partner, made = PartnerAgency.objects.get_or_create(
            agency=agency,
            name=partner_name,
            defaults={
                "services": [str(s) for s in services],
                "contact_name": contact,
                "phone": phone,
                "email": email,
            },
        )
        partners.append(partner)
        loaded.add("partner agencies", made)

    teams = {}
    for team_name in TEAMS:
        teams[team_name], made = Team.objects.get_or_create(agency=agency, name=team_name)
        loaded.add("teams", made)

    staff = {}
    for username, role, first, last, team in STAFF:
        user, made = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first,
                "last_name": last,
                "agency": agency,
                "is_demo_account": True,
                "language": FRENCH_SPEAKING_STAFF.get(username, ""),
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role != Role.ADMINISTRATOR:
                user.programs.add(program)
            if team is not None:
                teams[team].members.add(user)
        staff[username] = user
        loaded.add("staff accounts", made)

    outcomes = demo_cohort.plan_outcomes(PEOPLE, [slug for slug, _ in exit_doors_here.FOCUS_AREAS])
    for number, person in enumerate(PEOPLE, start=1):
        # Drawn for every person, made or not, so each one's dates never depend on
        # which of the others were already there.
        person_rng = random.Random(rng.getrandbits(64))  # noqa: S311
        if Participant.objects.filter(
            agency=agency, name_digests__digest=blind_index(person.legal_name)
        ).exists():
            continue
        enrolment = _make_participant(
            person, number, person_rng, cycles[person.cycle], staff, partners, today
        )
        if person.legal_name in outcomes:
            demo_cohort.record_outcomes(enrolment, outcomes[person.legal_name], person_rng)
        loaded.add("participants")
    loaded.add("cost lines", demo_cohort.add_costs(cycles, by=staff["programmanager"]))
    loaded.add(
        "partner surveys",
        demo_cohort.add_partner_surveys(
            partners,
            random.Random(SEED + 2),  # noqa: S311
            by=staff["evaluator"],
        ),
    )
    if loaded.created.get("participants"):
        # Only with a new cohort, so that a second run adds no second round of casework.
        _add_supervision_history(program, staff, teams)
        _add_casework(random.Random(rng.getrandbits(64)), program, staff, teams, today)  # noqa: S311
    return loaded


def _add_supervision_history(
    program: Program, staff: dict[str, User], teams: dict[str, Team]
) -> None:
    """Each team's weekly supervision through the finished cycles: from the week the
    first of them started to the week the last woman in them left."""
    finished = Enrolment.objects.filter(
        cycle__program=program, cycle__name__in=[name for name, _, _ in CYCLES]
    )
    last = finished.aggregate(last=Max("exited_on"))["last"]
    if last is None:
        return
    demo_history.record_supervision(
        [
            (teams["Queen West team"], staff["casemanager"]),
            (teams["Scarborough team"], staff["casemanager2"]),
        ],
        CYCLES[0][1],
        last,
    )


def _add_casework(
    rng: random.Random,
    program: Program,
    staff: dict[str, User],
    teams: dict[str, Team],
    today: datetime.date,
) -> None:
    """The daily work on the current intake: assessments, plans, contacts, drop-ins,
    referrals, outreach and supervision, each through its part's own actions; then the
    due items, so that the first caseload opened is already right."""
    enrolments = list(
        Enrolment.objects.filter(cycle__program=program)
        .select_related("participant", "cycle__program", "current_phase")
        .select_related("case_manager", "peer_mentor")
        .order_by("referred_on", "created_at")
    )
    current = [e for e in enrolments if e.is_open]
    assessments_demo.add_demo_assessments(rng, [e for e in current if e.current_phase.order])
    plans_demo.give_plans(current, rng, today)
    casework_demo.add_contacts(rng, current, today=today)
    workers = [staff["casemanager"], staff["casemanager2"]]
    dropins_demo.add_sessions(rng, program, current, [*workers, staff["peermentor"]], today=today)
    referrals_demo.add_referrals(rng, current, today=today)
    # The newest women were met on outreach before they consented to a record.
    newest = [e for e in current if e.current_phase.order <= 1][:3]
    casework_demo.add_outreach(rng, program, workers, newest, today=today)
    for team_name, lead in (
        ("Queen West team", "casemanager"),
        ("Scarborough team", "casemanager2"),
    ):
        casework_demo.add_supervision(rng, teams[team_name], staff[lead], today=today)
    graduates = [e for e in enrolments if e.exit_reason == ExitReason.GRADUATED]
    casework_demo.add_closing_notes(rng, graduates)
    caseload_demo.refresh_due_items()


def _make_participant(
    person: Person,
    number: int,
    rng: random.Random,
    cycle: Cycle,
    staff: dict[str, User],
    partners: list[PartnerAgency],
    today: datetime.date,
) -> Enrolment:
    def later(start: datetime.date, low: int, high: int) -> datetime.date:
        return start + datetime.timedelta(days=rng.randint(low, high))

    worker = staff[person.case_manager]
    if person.days_ago is not None:
        referred_on = today - datetime.timedelta(days=person.days_ago)
    else:
        referred_on = later(cycle.starts_on, 0, 120)
    born = later(datetime.date(1976, 1, 1), 0, 26 * 365)
    enrolment = register_participant(
        cycle=cycle,
        by=worker,
        preferred_name=person.preferred_name,
        legal_name=person.legal_name,
        aliases=person.aliases,
        date_of_birth=born,
        phone=f"416-555-01{number % 100:02d}",
        email=f"{person.preferred_name.lower()}.{number}@example.org" if number % 2 else "",
        safe_contact=rng.choice(SAFE_CONTACT),
        referral_source=person.referral,
        referred_on=referred_on,
        case_manager=worker,
        peer_mentor=staff[person.peer_mentor] if person.peer_mentor else None,
    )
    participant = enrolment.participant
    if person.legal_name in PREFERS_FRENCH:
        Participant.objects.filter(pk=participant.pk).update(preferred_language=Language.FRENCH)
    for kind in person.flags:
        add_safety_flag(participant, kind=kind, note=FLAG_NOTES.get(kind, ""), by=worker)

    phases = list(cycle.program.active_phases())
    reached = STAGES.index(person.stage)
    day = phase_started = referred_on
    consents = []
    entered: list[tuple[Phase, datetime.date]] = []  # her CTI phases and the days she entered

    def step(on: datetime.date) -> datetime.date:
        if on >= today:
            raise ValueError(f"{person.legal_name}: a step falls on {on}; move her referral back.")
        return on

    if reached >= STAGES.index(INTAKE):
        day = step(later(day, 2, 7))
        consents.append(
            give_consent(participant, kind=ConsentKind.SERVICE, given_on=day, by=worker)
        )
        # Only Cycles 1-4 were asked to join the published evaluation research.
        if person.evaluation and person.cycle in demo_cohort.EVALUATED_CYCLES:
            consents.append(
                give_consent(participant, kind=ConsentKind.EVALUATION, given_on=day, by=worker)
            )
        enrolment.move_to(
            phases[1], by=worker, on=day, reason="Consented to service; intake started."
        )
        phase_started = day
        entered.append((phases[1], day))
    if reached >= STAGES.index(ELIGIBLE) or person.ending == ExitReason.NOT_ELIGIBLE:
        eligible = person.ending != ExitReason.NOT_ELIGIBLE
        factors = rng.sample(RISK_FACTORS, k=rng.randint(2, 4) if eligible else 1)
        day = step(later(day, 7, 14))
        enrolment.decide_eligibility(
            Eligibility.ELIGIBLE if eligible else Eligibility.NOT_ELIGIBLE,
            by=worker,
            on=day,
            reason=f"Wants to leave sex work; risk factors: {', '.join(factors)}.",
        )
    for stage, phase in ((SERVICES, phases[2]), (IDENTITY, phases[3])):
        if reached >= STAGES.index(stage):
            day = step(later(phase_started, 84, 96))
            phase_started = day
            enrolment.move_to(phase, by=worker, on=day)
            entered.append((phase, day))
            if stage == SERVICES:
                for partner in rng.sample(partners, k=rng.randint(1, 2)):
                    give_consent(
                        participant,
                        kind=ConsentKind.INFORMATION_SHARING,
                        partner=partner,
                        given_on=day,
                        by=worker,
                    )

    if person.ending:
        if person.ending == ExitReason.GRADUATED:
            ends = step(later(day, 84, 96))
        elif person.ending == ExitReason.NOT_ELIGIBLE:
            ends = day
        else:
            ends = min(later(day, 20, 60), today - datetime.timedelta(days=1))
        if entered and person.days_ago is None and person.ending != ExitReason.NOT_ELIGIBLE:
            # A finished cycle: her casework while she was in the program, before she left.
            demo_history.record_history(
                enrolment,
                [
                    demo_history.PhaseStay(phase, start, end)
                    for (phase, start), end in zip(
                        entered, [*(start for _, start in entered[1:]), ends], strict=True
                    )
                ],
                demo_history.rng_for(person.legal_name),
                facilitators=[staff["casemanager"], staff["casemanager2"], staff["peermentor"]],
            )
        enrolment.exit(person.ending, by=worker, on=ends, reason=EXIT_NOTES[person.ending])
        for consent in consents:
            withdrawn = (
                person.ending == ExitReason.WITHDREW and consent.kind == ConsentKind.SERVICE
            ) or (person.withdraws_evaluation and consent.kind == ConsentKind.EVALUATION)
            if withdrawn:
                withdraw_consent(
                    consent, on=ends, by=worker, note="She asked for this to stop when she left."
                )
    return enrolment


def logins_box(url: str) -> str:
    """The URL and the demo accounts, framed, for `make demo` to print."""
    lines = [
        gettext("Doorway demo: %(url)s") % {"url": url},
        "",
        gettext("Password for every account:  %(password)s") % {"password": DEMO_PASSWORD},
        "",
    ]
    for username, role, first, last, team in STAFF:
        where = f", {team}" if team else ""
        lines.append(f"  {username:<16}{role.label}{where} ({first} {last})")
    lines += ["", gettext("Demo accounts skip the second factor while DOORWAY_DEMO is on.")]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *[f"| {line:<{width}} |" for line in lines], rule])
