"""Every page passes axe-core's WCAG 2.1 A and AA checks, on a desk and on a phone.

The pages are those of the permission matrix (each app's tests/matrix.py): every row
read with GET, as the first member of the shared world the matrix lets in (her case
manager for pages about Rosa, the program manager or the evaluator for the
evaluation, the administrator for staff access). A page added to the matrix is checked
here without a line more. Beside them, the pages outside the matrix that every role
sees: the home page as each role, signing in, her account, imports, configuration,
instruments, the audit log, API tokens, and the 403 and 404 pages.

One browser; one context per person and size, kept for all her pages. A failure lists
every rule broken, with the element and the page, so one run shows all there is to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext

from doorway.conftest import World
from doorway.testing.browser import DESKTOP, PHONE, ConsoleLog, axe_violations, sign_in_context
from doorway.testing.matrix import EVERYONE, OK
from doorway.tests.test_permission_matrix import ENDPOINTS, setup_extras

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SIZES = {"desktop": DESKTOP, "phone": PHONE}


@dataclass(frozen=True)
class Visit:
    name: str
    who: str | None  # None: not signed in
    url: Callable[[World, dict[str, Any]], str]
    status: int = 200


def matrix_visits() -> list[Visit]:
    """Each GET row of the matrix, as the first person it lets in."""
    visits = []
    for endpoint in ENDPOINTS:
        if endpoint.method != "GET":
            continue
        allowed = [who for who in EVERYONE if endpoint.expected(who) == OK]
        assert allowed, f"nobody may open {endpoint.name}"
        visits.append(Visit(endpoint.name, allowed[0], endpoint.url))
    return visits


def _program(world: World, extras: dict[str, Any]) -> str:
    return reverse("program_detail", args=[world.program.pk])


OTHER_VISITS = [
    *(Visit("home", who, lambda w, x: reverse("home")) for who in EVERYONE),
    Visit("sign-in", None, lambda w, x: reverse("account_login")),
    Visit("her account", "alice", lambda w, x: reverse("mfa_index")),
    Visit("imports", "morgan", lambda w, x: reverse("import_home")),
    Visit("programs", "morgan", lambda w, x: reverse("program_list")),
    Visit("program", "morgan", _program),
    Visit("instruments", "ada", lambda w, x: reverse("instrument_list")),
    Visit("audit log", "ada", lambda w, x: reverse("audit_log")),
    Visit("break the glass", "ada", lambda w, x: reverse("break_glass")),
    Visit("API tokens", "alice", lambda w, x: reverse("token_list")),
    Visit("403", "alice", lambda w, x: reverse("staff_list"), status=403),
    Visit("404", "alice", lambda w, x: "/no-such-page/", status=404),
]


class Contexts:
    """One browser context per person (None: nobody signed in), made when first asked."""

    def __init__(self, browser: Browser, axe_script: str, live_url: str, world: World, size: str):
        self.browser, self.axe_script, self.live_url = browser, axe_script, live_url
        self.world, self.size = world, size
        self.open: dict[str | None, tuple[BrowserContext, ConsoleLog]] = {}

    def page_for(self, who: str | None) -> Any:
        if who not in self.open:
            context = self.browser.new_context(**SIZES[self.size])
            context.set_default_timeout(15_000)
            context.add_init_script(script=self.axe_script)
            if who is not None:
                sign_in_context(context, self.live_url, self.world.staff()[who])
            console = ConsoleLog()
            page = context.new_page()
            page.on("console", console)
            self.open[who] = (context, console)
        context, console = self.open[who]
        return context.pages[0], console

    def close(self) -> None:
        for context, _console in self.open.values():
            context.close()


@pytest.fixture
def contexts(
    request: pytest.FixtureRequest, browser: Browser, axe_script: str, live_url: str, world: World
) -> Iterator[Contexts]:
    opened = Contexts(browser, axe_script, live_url, world, request.param)
    yield opened
    opened.close()


def check(contexts: Contexts, visits: list[Visit], extras: dict[str, Any]) -> list[str]:
    """Open each page and run axe on it; what is wrong, one line each."""
    problems: list[str] = []
    for visit in visits:
        page, console = contexts.page_for(visit.who)
        url = contexts.live_url + visit.url(contexts.world, extras)
        # Exports answer with a file, not a page: asked first, with her cookies.
        answer = page.request.get(url, max_redirects=5)
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        seen = len(console.csp_violations())
        response = page.goto(url)
        assert response is not None
        where = f"[{contexts.size}] {visit.name} as {visit.who or 'anonymous'} ({page.url})"
        if response.status != visit.status:
            problems.append(f"{where}: answered {response.status}, not {visit.status}")
            continue
        page.wait_for_load_state("load")
        problems += [f"{where}: {line}" for line in axe_violations(page)]
        problems += [f"{where}: {line}" for line in console.csp_violations()[seen:]]
    return problems


@pytest.mark.parametrize("contexts", list(SIZES), indirect=True)
def test_every_page_of_the_permission_matrix_passes_wcag_2_1_aa(
    contexts: Contexts, world: World
) -> None:
    problems = check(contexts, matrix_visits(), setup_extras(world))
    assert not problems, "\n".join(["WCAG 2.1 A/AA failures:", *problems])


@pytest.mark.parametrize("contexts", list(SIZES), indirect=True)
def test_the_pages_every_role_sees_pass_wcag_2_1_aa(contexts: Contexts, world: World) -> None:
    problems = check(contexts, OTHER_VISITS, setup_extras(world))
    assert not problems, "\n".join(["WCAG 2.1 A/AA failures:", *problems])
