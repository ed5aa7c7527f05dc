"""Every evaluation page and API endpoint takes only the query parameters it declares:
any other, or a known one with a value that means nothing, is refused with a 400 that
names it, and nothing is counted, shown or audited; the known ones still work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.evaluation import snapshots, views
from doorway.evaluation.tests.fakes import fake_report
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "build_report", lambda cohort: fake_report(cohort.program.slug))


def _slug(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.program.slug])


def _pk(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.program.pk])


def _plain(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name)


# Every evaluation page a person opens by GET without a record of its own to name:
# (url name, address, who asks, the known parameters it takes).
PAGES: list[tuple[str, Callable[[World], str], str, set[str]]] = [
    ("evaluation_home", _plain("evaluation_home"), "eve", set()),
    ("evaluation_page", _slug("evaluation_page"), "eve", {"cycles"}),
    ("evaluation_outcomes", _slug("evaluation_outcomes"), "eve", {"cycles"}),
    ("evaluation_process", _slug("evaluation_process"), "eve", {"cycles"}),
    ("evaluation_fidelity", _slug("evaluation_fidelity"), "eve", {"cycles"}),
    ("evaluation_costs", _slug("evaluation_costs"), "eve", {"cycles"}),
    ("funder_report", _slug("funder_report"), "eve", {"cycles"}),
    ("funder_report_pdf", _slug("funder_report_pdf"), "eve", {"cycles"}),
    ("research_export", _slug("research_export"), "eve", {"cycles"}),
    ("theory_home", _plain("theory_home"), "morgan", set()),
    ("theory_detail", _pk("theory_detail"), "eve", set()),
    ("theory_story", _pk("theory_story"), "eve", set()),
    ("theory_step_add", _pk("theory_step_add"), "morgan", set()),
    ("theory_link_add", _pk("theory_link_add"), "morgan", set()),
    ("partner_survey", _plain("partner_survey"), "eve", set()),
    ("partner_survey_record", _plain("partner_survey_record"), "morgan", set()),
]
# The cohort pages as a program manager, who may also choose dates and phases.
MANAGER_PAGES = [
    (name, _slug(name), "morgan", views.COHORT_FIELDS) for name in views.SECTIONS.values()
]
API = [
    ("/api/v1/evaluation/{slug}/outcomes/", "eve", {"cycles"}),
    ("/api/v1/evaluation/{slug}/outcomes/", "morgan", views.COHORT_FIELDS),
    ("/api/v1/evaluation/deployment/", "eve", set()),
]


def _patterns(resolver: URLResolver) -> list[URLPattern]:
    found: list[URLPattern] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            found += _patterns(p)
        else:
            found.append(p)
    return found


def _evaluation_resolver() -> URLResolver:
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and str(p.pattern) == "evaluation/":
            return p
    raise AssertionError("no /evaluation/ in the URLs")


def test_every_evaluation_page_declares_its_parameters() -> None:
    """A new evaluation page that reads the query must say what it accepts; a page that
    answers GET without declaring any fails here."""
    for pattern in _patterns(_evaluation_resolver()):
        view: Any = pattern.callback
        name = pattern.name or ""
        post_only = name == "theory_install" or name.endswith("_remove")
        assert post_only or hasattr(view, "accepted_parameters"), pattern.name


def test_every_page_answering_get_is_in_this_test() -> None:
    named = {p.name or "" for p in _patterns(_evaluation_resolver())}
    # Pages about one part of a theory (a step, a link, its evidence) need that part:
    # they declare their parameters above and share the decorator tested here.
    of_a_part = {n for n in named if n.endswith(("_edit", "_rate"))}
    of_a_part |= {"theory_indicator_add", "theory_excerpt_add", "theory_reference_add"}
    post_only = {"theory_install", "theory_indicator_remove", "evaluation_count_again"}
    assert named - of_a_part - post_only == {name for name, *_ in PAGES}
    for name in of_a_part:
        view: Any = next(p for p in _patterns(_evaluation_resolver()) if p.name == name).callback
        assert view.accepted_parameters == frozenset(), name


def test_every_evaluation_endpoint_is_in_this_test() -> None:
    paths = APIClient().get("/api/v1/schema/").json()["paths"]
    ours = {p for p in paths if p.startswith("/api/v1/evaluation/")}
    assert ours == {"/api/v1/evaluation/{program}/outcomes/", "/api/v1/evaluation/deployment/"}
    outcomes = paths["/api/v1/evaluation/{program}/outcomes/"]["get"]["parameters"]
    assert {p["name"] for p in outcomes if p["in"] == "query"} == views.COHORT_FIELDS


@pytest.mark.parametrize(("name", "url", "who", "known"), PAGES + MANAGER_PAGES)
def test_an_unknown_parameter_is_refused_by_name(
    client: Any, world: World, fake: None, name: str, url: Any, who: str, known: set[str]
) -> None:
    signed_in(client, getattr(world, who))
    before = AuditEntry.objects.count()
    response = client.get(url(world), {"cylces": "1", "colour": "red"})
    assert response.status_code == 400, name
    html = response.content.decode()
    assert "<code>cylces</code>" in html
    assert "<code>colour</code>" in html
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("name", "url", "who", "known"), PAGES + MANAGER_PAGES)
def test_the_known_parameters_still_work(
    client: Any,
    world: World,
    fake: None,
    any_cohort_size: None,
    name: str,
    url: Any,
    who: str,
    known: set[str],
) -> None:
    signed_in(client, getattr(world, who))
    assert client.get(url(world)).status_code in (200, 302), name
    if "cycles" in known:
        cycle = world.rosa_enrolment.cycle
        assert client.get(url(world), {"cycles": str(cycle.pk)}).status_code == 200, name
    if "enrolled_from" in known:
        query = {"enrolled_from": "2020-01-01", "phase_reached": "1"}
        assert client.get(url(world), query).status_code == 200, name


@pytest.mark.parametrize(
    ("name", "url", "who", "query"),
    [
        (name, url, who, {"cycles": "not-a-cycle"})
        for name, url, who, known in PAGES
        if "cycles" in known
    ]
    + [
        ("evaluation_page", _slug("evaluation_page"), "morgan", {"enrolled_from": "soon"}),
        ("evaluation_page", _slug("evaluation_page"), "morgan", {"phase_reached": "first"}),
    ],
)
def test_a_known_parameter_with_a_bad_value_is_refused_by_name(
    client: Any,
    world: World,
    fake: None,
    any_cohort_size: None,
    name: str,
    url: Any,
    who: str,
    query: dict[str, str],
) -> None:
    signed_in(client, getattr(world, who))
    before = AuditEntry.objects.count()
    response = client.get(url(world), query)
    assert response.status_code == 400, name
    assert f"<code>{next(iter(query))}</code>" in response.content.decode()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("url", "who", "known"), API)
def test_the_api_refuses_an_unknown_parameter_by_name(
    world: World, any_cohort_size: None, url: str, who: str, known: set[str]
) -> None:
    api = APIClient()
    api.force_authenticate(getattr(world, who))
    before = AuditEntry.objects.count()
    response = api.get(url.format(slug=world.program.slug), {"cylces": "1"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert set(response.json()["errors"]) == {"cylces"}
    assert AuditEntry.objects.count() == before
    assert api.get(url.format(slug=world.program.slug)).status_code == 200
    if "cycles" in known:
        cycle = world.rosa_enrolment.cycle
        good = api.get(url.format(slug=world.program.slug), {"cycles": str(cycle.pk)})
        assert good.status_code == 200
        bad = api.get(url.format(slug=world.program.slug), {"cycles": "not-a-cycle"})
        assert bad.status_code == 400
        assert set(bad.json()["errors"]) == {"cycles"}
