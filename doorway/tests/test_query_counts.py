"""No signed-in page's query count grows with the number of rows.

Every page of the app (a GET that answers HTML, and the searches, which are POSTed) is
opened by the role that uses it on the shared world with one record of each kind (the
permission matrix's own records, `setup_extras`), and its queries counted; then many
more rows of the kinds the pages show are added (women in reach and their enrolments,
contacts, a contact's versions, goals and steps, referrals and their news, drop-in
sessions and attendance, assessments, outreach, supervision reviews, safety flags,
cycles, partners and cost lines, focus areas, theory excerpts and references, tokens,
audit entries, erasure requests, her requests for her own copy) and every page counted
again. A page whose count grew runs a query per row somewhere.

The pages are the permission matrix's rows (doorway/tests/test_permission_matrix.py)
and `OTHER_PAGES` for the URLs the matrix does not hold. A URL added later that is in
neither and not in `NOT_PAGES` fails the coverage test at the bottom.

The counts are taken once, for all pages, by the first test that needs them (the
world and the growth take a few seconds); each page's test compares its own two.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from doorway.api.tokens import issue_token
from doorway.audit.models import VerifyRun
from doorway.casework.actions import edit_contact, record_contact
from doorway.casework.models import ContactKind
from doorway.casework.outreach import actions as outreach
from doorway.casework.supervision import actions as supervision
from doorway.conftest import World
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.dropins.actions import mark_attendance, start_session
from doorway.enrolments.models import Enrolment
from doorway.erasure.models import ErasureRequest
from doorway.evaluation.theory.actions import add_excerpt, add_reference
from doorway.instruments.models import Administration
from doorway.people.actions import add_safety_flag
from doorway.plans.actions import add_goal, add_step
from doorway.plans.models import Goal
from doorway.programs.models import CostLine, FocusArea, KeyIngredient
from doorway.referrals.actions import make_referral, update_referral
from doorway.subject_access.models import SubjectAccessRequest
from doorway.testing.factories import (
    ConsentFactory,
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
    PartnerFactory,
)
from doorway.testing.matrix import EVERYONE, OK, Endpoint
from doorway.testing.signin import give_totp, signed_in
from doorway.tests.test_permission_matrix import ENDPOINTS, setup_extras
from doorway.web import middleware

pytestmark = pytest.mark.django_db

MORE = 12  # rows of each kind added: a query per row would show as a dozen more
TODAY = timezone.localdate


@dataclass
class Page:
    id: str
    name: str
    who: str
    url: Callable[[World, dict[str, Any]], str]
    data: Callable[[World, dict[str, Any]], dict[str, Any]] | None = None  # a POSTed search


# Searches are posted (a name never travels in a URL); they read, so they are pages.
SEARCHES = {"participant_list", "participant_duplicates", "walk_in_search"}


def own_verify_run(world: World) -> VerifyRun:
    return VerifyRun.objects.get_or_create(started_by=world.ada)[0]


# URLs that are not pages: POST-only writes, downloads, and what only polls.
NOT_PAGES = {
    # Downloads: a file, its rows streamed in chunks.
    "export_caseload": "a download",
    "export_contacts": "a download",
    "export_attendance": "a download",
    "funder_report_pdf": "a download",
    "research_export": "a download (the GET is its form, answered as a file after the POST)",
    "import_template": "a download",
    # Probes for the proxy and the monitor, their queries pinned in web/tests/test_health.py.
    "health_live": "a probe, no page",
    "health_ready": "a probe, no page",
}
# The role who uses a page, where it is not the first of EVERYONE the matrix lets in.
WHO: dict[str, str] = {}

# Pages outside the permission matrix: (name, who, url).
OTHER_PAGES: list[tuple[str, str, Callable[[World, dict[str, Any]], str]]] = [
    # The home page is each role's own.
    *[
        ("home", who, lambda w, x: reverse("home"))
        for who in ("alice", "pat", "morgan", "eve", "ada")
    ],
    ("token_list", "alice", lambda w, x: reverse("token_list")),
    ("token_revoke", "alice", lambda w, x: reverse("token_revoke", args=[x["token"].pk])),
    ("program_list", "morgan", lambda w, x: reverse("program_list")),
    ("program_detail", "morgan", lambda w, x: reverse("program_detail", args=[w.program.pk])),
    (
        "program_information_settings",
        "morgan",
        lambda w, x: reverse("program_information_settings", args=[w.program.pk]),
    ),
    ("phase_add", "morgan", lambda w, x: reverse("phase_add", args=[w.program.pk])),
    (
        "phase_edit",
        "morgan",
        lambda w, x: reverse("phase_edit", args=[w.program.pk, w.rosa_enrolment.current_phase_id]),
    ),
    ("focus_area_add", "morgan", lambda w, x: reverse("focus_area_add", args=[w.program.pk])),
    (
        "focus_area_edit",
        "morgan",
        lambda w, x: reverse("focus_area_edit", args=[w.program.pk, x["area"].pk]),
    ),
    ("cycle_add", "morgan", lambda w, x: reverse("cycle_add", args=[w.program.pk])),
    (
        "cycle_edit",
        "morgan",
        lambda w, x: reverse("cycle_edit", args=[w.program.pk, w.rosa_enrolment.cycle_id]),
    ),
    (
        "cost_lines",
        "morgan",
        lambda w, x: reverse("cost_lines", args=[w.program.pk, w.rosa_enrolment.cycle_id]),
    ),
    (
        "cost_line_add",
        "morgan",
        lambda w, x: reverse("cost_line_add", args=[w.program.pk, w.rosa_enrolment.cycle_id]),
    ),
    (
        "cost_line_edit",
        "morgan",
        lambda w, x: reverse(
            "cost_line_edit", args=[w.program.pk, w.rosa_enrolment.cycle_id, x["cost_line"].pk]
        ),
    ),
    ("partner_add", "morgan", lambda w, x: reverse("partner_add", args=[w.program.pk])),
    (
        "partner_edit",
        "morgan",
        lambda w, x: reverse("partner_edit", args=[w.program.pk, x["partner"].pk]),
    ),
    ("instrument_list", "morgan", lambda w, x: reverse("instrument_list")),
    (
        "instrument_detail",
        "morgan",
        lambda w, x: reverse("instrument_detail", args=[x["intake"].pk]),
    ),
    (
        "instrument_new_version",
        "morgan",
        lambda w, x: reverse("instrument_new_version", args=[x["intake"].pk]),
    ),
    (
        "instrument_version",
        "morgan",
        lambda w, x: reverse("instrument_version", args=[x["administration"].version_id]),
    ),
    ("audit_log", "ada", lambda w, x: reverse("audit_log")),
    *[
        (name, "ada", lambda w, x, name=name: reverse(name, args=[own_verify_run(w).pk]))
        for name in ("audit_verify_run", "audit_verify_progress")
    ],
    ("break_glass", "ada", lambda w, x: reverse("break_glass")),
    # The quick exit's neutral page (it signs her out only when posted to).
    ("quick_exit", "alice", lambda w, x: reverse("quick_exit")),
    # A partner's referral-link page: no sign-in (whoever is signed in is set aside).
    ("partner_link", "alice", lambda w, x: reverse("partner_link", args=[x["partner_link_token"]])),
    ("import_home", "alice", lambda w, x: reverse("import_home")),
    ("import_kind", "alice", lambda w, x: reverse("import_kind", args=["participants"])),
    ("import_job", "alice", lambda w, x: reverse("import_job", args=[x["import_job"].pk])),
    (
        "import_progress",
        "alice",
        lambda w, x: reverse("import_progress", args=[x["import_job"].pk]),
    ),
]


def role_for(endpoint: Endpoint) -> str | None:
    """Who uses the page: her care team, else her manager, else whoever the matrix lets in."""
    if endpoint.name in WHO:
        return WHO[endpoint.name]
    return next((who for who in EVERYONE if endpoint.expected(who) == OK), None)


def pages() -> list[Page]:
    found: list[Page] = []
    seen: dict[str, int] = {}
    for endpoint in ENDPOINTS:
        if endpoint.name in NOT_PAGES:
            continue
        if endpoint.method == "POST" and endpoint.name not in SEARCHES:
            continue
        who = role_for(endpoint)
        assert who is not None, f"nobody opens {endpoint.name}"
        seen[endpoint.name] = seen.get(endpoint.name, 0) + 1
        suffix = f"-{seen[endpoint.name]}" if seen[endpoint.name] > 1 else ""
        found.append(
            Page(
                f"{endpoint.method}-{endpoint.name}{suffix}",
                endpoint.name,
                who,
                endpoint.url,
                endpoint.payload if endpoint.method == "POST" else None,
            )
        )
    names = [name for name, _, _ in OTHER_PAGES]
    found += [
        Page(f"GET-{name}" + (f"-{who}" if names.count(name) > 1 else ""), name, who, url)
        for name, who, url in OTHER_PAGES
    ]
    return found


PAGES = pages()

# Pages whose count grows, in parts this module does not fix: each is an expected
# failure (strict: it fails once fixed, so that the mark goes).
GROWS: dict[str, str] = {}


# --- the world, and more of it ------------------------------------------------------


def extras_for(world: World) -> dict[str, Any]:
    from doorway.exchange.models import ImportJob
    from doorway.exchange.tests.importing_helpers import (
        PARTICIPANT_HEADER,
        csv_file,
        dry_run,
        participant_row,
    )

    extras = setup_extras(world)
    # One of each link too, so that a query run only when there is one is in both
    # counts: a contact naming a goal, focus area and key ingredient, her attendance at
    # the session, a supervision review of her.
    rosa = world.rosa_enrolment
    record_contact(
        rosa,
        by=world.alice,
        happened_on=TODAY(),
        duration_minutes=30,
        kind=ContactKind.PHONE_OR_TEXT,
        focus_areas=FocusArea.objects.filter(program=world.program)[:1],
        goals=[extras["goal"]],
        ingredients=KeyIngredient.objects.filter(program=world.program)[:1],
        note="Linked",
    )
    mark_attendance(extras["session"], rosa, by=world.alice)
    supervision.add_review(
        extras["casework_session"], by=world.alice, enrolment=rosa, decisions="Go on"
    )
    extras["area"] = FocusArea.objects.filter(program=world.program).order_by("order").first()
    extras["cost_line"] = CostLine.objects.create(
        cycle=world.rosa_enrolment.cycle,
        category="staff",
        amount=Decimal("100.00"),
        recorded_by=world.morgan,
    )
    data = csv_file(PARTICIPANT_HEADER, [participant_row("P1", "Nadia")])
    extras["import_job"] = dry_run(world.alice, "participants", data)
    assert isinstance(extras["import_job"], ImportJob)
    give_totp(world.alice)  # no token without a second factor
    extras["token"], _ = issue_token(world.alice, name="laptop", scope="read", days=30)
    return extras


def grow(world: World, extras: dict[str, Any]) -> None:
    """MORE of every kind of row the pages show, within each role's reach."""
    today = TODAY()
    day = datetime.timedelta(days=1)
    cycle = world.rosa_enrolment.cycle
    enrolments: list[Enrolment] = []
    for i in range(MORE):
        for worker in (world.alice, world.amira, world.bianca):
            person = ParticipantFactory(
                preferred_name=f"More{i}",
                legal_name=f"More{i} Example",
                agency=world.agency,
                registered_by=worker,
            )
            ConsentFactory(participant=person, recorded_by=worker)
            enrolments.append(
                EnrolmentFactory(
                    participant=person, cycle=cycle, case_manager=worker, peer_mentor=world.pat
                )
            )
        other = ParticipantFactory(agency=world.other_agency, registered_by=world.oscar)
        EnrolmentFactory(
            participant=other, cycle=world.vera.enrolments.get().cycle, case_manager=world.oscar
        )
    mine = [e for e in enrolments if e.case_manager_id == world.alice.pk]
    rosa = world.rosa_enrolment
    areas = list(FocusArea.objects.filter(program=world.program))
    goal: Goal = extras["goal"]
    partner = extras["partner"]
    session = extras["session"]
    for i in range(MORE):
        for enrolment in (rosa, mine[i]):
            record_contact(
                enrolment,
                by=world.alice,
                happened_on=today - day * i,
                duration_minutes=20,
                kind=ContactKind.PHONE_OR_TEXT,
                focus_areas=areas[:2],
                goals=[goal] if enrolment is rosa else [],
                note=f"Note {i}",
            )
        new_goal = add_goal(
            rosa, by=world.alice, focus_area=areas[i % len(areas)], her_words="More"
        )
        add_step(new_goal, by=world.alice, what="A step")
        add_step(goal, by=world.alice, what=f"Step {i}")
        referral = make_referral(
            rosa,
            by=world.alice,
            partner=partner,
            service_kind="housing",
            shares_information=False,
            made_on=today - day * (i + 2),
        )
        if i % 2:
            update_referral(referral, by=world.alice, status="accepted", dated_on=today - day)
        held = start_session(
            world.program, by=world.alice, kind="drop_in", held_on=today - day * (i + 1)
        )
        mark_attendance(held, rosa, by=world.alice)
        mark_attendance(held, mine[i], by=world.alice)
        mark_attendance(session, mine[i], by=world.alice)
        add_safety_flag(world.rosa, kind="no_texts", note="", by=world.alice)
        record_disclosure(
            world.rosa,
            channel=Channel.REFERRAL,
            what=["contact_details"],
            by=world.alice,
            partner=partner,
            consent=ConsentFactory(
                participant=world.rosa,
                kind="information_sharing",
                partner=partner,
                scope=["contact_details"],
                recorded_by=world.alice,
            ),
        )
        met = outreach.record_outreach(
            world.program, by=world.pat, happened_on=today, kind="street",
            place=f"Corner {i}", women_reached=1,
        )  # fmt: skip
        outreach.link_outreach(rosa, [met], by=world.alice)
        held_supervision = supervision.record_session(
            extras["casework_north"], by=world.alice, held_on=today - day * i,
            led_by=world.alice, attendees=[world.amira],
        )  # fmt: skip
        supervision.add_review(
            extras["casework_session"], by=world.alice, enrolment=mine[i], decisions="Go on"
        )
        supervision.add_review(held_supervision, by=world.alice, enrolment=rosa, decisions="Go on")
        PartnerFactory(agency=world.agency, name=f"Partner {i}", services=["housing"])
        extra_cycle = CycleFactory(program=world.program, name=f"Cycle more {i}")
        for c in (cycle, extra_cycle):
            CostLine.objects.create(
                cycle=c, category="staff", amount=Decimal("10.00"), recorded_by=world.morgan
            )
        issue_token(world.alice, name=f"token {i}", scope="read", days=30)
        for n, status in enumerate(("pending", "erased")):
            woman = enrolments[3 * i + n].participant
            ErasureRequest.objects.create(
                participant=woman, participant_ref=str(woman.pk), code=woman.code,
                program=world.program, kind="her_request", status=status, reason="She asked",
                proposed_by=world.alice, proposed_at=timezone.now(),
                decided_by=world.morgan if status == "erased" else None,
            )  # fmt: skip
        # Her requests for her own copy, waiting and answered in turn.
        SubjectAccessRequest.objects.create(
            participant=world.rosa,
            received_on=today - day * (i + 1),
            recorded_by=world.alice,
            answered_on=today if i % 2 else None,
            answered_by=world.alice if i % 2 else None,
        )
        FocusArea.objects.create(
            program=world.program, name=f"Area {i}", slug=f"area-{i}", order=50 + i
        )
        # Earlier versions of the one contact whose history is shown.
        edit_contact(extras["contact"], by=world.alice, note=f"Note, version {i}")
        add_excerpt(extras["theory_link"], by=world.eve, interviewee="staff", text=f"Said {i}.")
        add_reference(extras["theory_link"], by=world.eve, citation=f"Reference {i}")
    first: Administration = extras["administration"]
    Administration.objects.bulk_create(
        Administration(
            enrolment=rosa,
            version=first.version,
            timepoint="ad_hoc",
            completed_on=first.completed_on,
            recorded_by=first.recorded_by,
        )
        for _ in range(MORE)
    )


# --- counting -------------------------------------------------------------------------


def count(
    world: World, extras: dict[str, Any], clients: dict[str, Client], *, warm: bool
) -> dict[str, tuple[int, int]]:
    """(status, queries) of every page."""
    counted: dict[str, tuple[int, int]] = {}
    for page in PAGES:
        if page.who not in clients:
            clients[page.who] = Client()
            signed_in(clients[page.who], world.staff()[page.who])
        client = clients[page.who]
        url = page.url(world, extras)

        def visit(client: Client = client, url: str = url, page: Page = page) -> Any:
            if page.data is not None:
                return client.post(url, page.data(world, extras))
            return client.get(url)

        if warm:
            visit()  # first-use caches (the session, content types) out of the way
        with CaptureQueriesContext(connection) as captured:
            status = visit().status_code
        counted[page.id] = (status, len(captured))
    return counted


COUNTS: dict[str, dict[str, tuple[int, int]]] = {}
BROKEN: list[BaseException] = []


@pytest.fixture
def counts(request: pytest.FixtureRequest) -> dict[str, dict[str, tuple[int, int]]]:
    if BROKEN:
        pytest.fail(f"counting the pages failed: {BROKEN[0]!r}")
    if not COUNTS:
        world: World = request.getfixturevalue("world")
        # A signed-in session's idle expiry is pushed on at most once a minute
        # (doorway/web/middleware.py); counting takes longer than a minute, and a push is
        # no row's cost: each client's session is pushed at its first visit only.
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setattr(middleware, "TOUCH_EVERY_SECONDS", 24 * 3600)
        try:
            extras = extras_for(world)
            clients: dict[str, Client] = {}
            small = count(world, extras, clients, warm=True)
            grow(world, extras)
            COUNTS.update(small=small, grown=count(world, extras, clients, warm=False))
        except Exception as failure:
            BROKEN.append(failure)  # every page's test says so, without trying again
            raise
    return COUNTS


def marks(page: Page) -> Any:
    if page.id in GROWS:
        return pytest.param(
            page, id=page.id, marks=pytest.mark.xfail(strict=True, reason=GROWS[page.id])
        )
    return pytest.param(page, id=page.id)


@pytest.mark.parametrize("page", [marks(p) for p in PAGES])
def test_the_page_runs_as_many_queries_with_many_more_rows(
    counts: dict[str, dict[str, tuple[int, int]]], page: Page
) -> None:
    small_status, small = counts["small"][page.id]
    grown_status, grown = counts["grown"][page.id]
    # A home page may send her on to her own program or team.
    assert {small_status, grown_status} <= {200, 302}, f"{page.who} could not open {page.id}"
    assert grown <= small, f"{page.id}: {small} queries, then {grown} with {MORE} more of each row"


# --- every page is here ----------------------------------------------------------------

# Not the app's own pages: allauth's account pages, Django's admin, the JSON API (whose
# lists' query counts are asserted in each app's tests/test_api.py).
OUTSIDE = ("accounts/", "admin/", "api/v1/")


def url_names(patterns: list[Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        path = prefix + str(p.pattern)
        if path.startswith(OUTSIDE):
            continue
        if isinstance(p, URLPattern):
            names.add(str(p.name))
        elif isinstance(p, URLResolver):
            names |= url_names(p.url_patterns, path)
    return names


# Matrix rows that are writes only (POST), and so not pages.
WRITES = (
    {e.name for e in ENDPOINTS if e.method == "POST"}
    - {e.name for e in ENDPOINTS if e.method == "GET"}
    - SEARCHES
)
# POST-only URLs outside the matrix.
OTHER_WRITES = {
    "phase_move",
    "phase_retire",
    "phase_restore",
    "focus_area_retire",
    "cost_line_delete",
    "partner_active",
    "import_confirm",
    "import_retry",
    "audit_verify",
    "set_language",  # the language switch: a POST that redirects back (GET refused)
}


def test_every_page_has_a_row() -> None:
    covered = {p.name for p in PAGES} | set(NOT_PAGES) | WRITES | OTHER_WRITES
    missing = url_names(get_resolver().url_patterns) - covered
    assert not missing, f"pages without a query-count row: {sorted(missing)}"
