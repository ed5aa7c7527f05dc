"""Browser tests: Playwright driving Debian's headless Chromium (/usr/bin/chromium).

A pytest plugin, loaded from doorway/conftest.py. It gives:

- `page`: a Playwright Page in a fresh browser context (desktop size);
- `phone_page`: the same at a phone's size (390x844, touch, mobile);
- `live_url`: the address of pytest-django's live server.

Playwright never downloads a browser here: it launches the Chromium that Debian's
`chromium` package installs. Without it the browser tests are skipped, unless
DOORWAY_REQUIRE_BROWSER=1 (as in CI), when they fail.

Every browser test also fails if the page logged a Content-Security-Policy violation:
the CSP forbids inline script and style, and a page that breaks it is broken for real
users even when the test's clicks still work. When a browser test fails, a screenshot
of its page is saved in test-artifacts/.

Accessibility: `axe_script` is axe-core (installed from npm by `make test`, see
package.json), and `axe_violations(page)` runs it on the page and lists every WCAG 2.1 A
or AA failure, and every target smaller than 24 px (WCAG 2.2). Without
node_modules/axe-core those tests are skipped, or fail under DOORWAY_REQUIRE_BROWSER=1.
`DESKTOP` and `PHONE` are the two sizes pages are tried at; `sign_in_context` signs a
browser context in without the sign-in form.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise
# refuse the test's own database calls made while that loop exists.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MISSING = "Chromium not installed (apt-get install chromium): browser tests skipped"
# Flags for a machine with no network but loopback, no GPU and root as the user.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_FIXTURES = {"page", "phone_page", "browser"}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = (
    "axe-core not installed (at the repository's root: npm ci --no-audit --no-fund; "
    "without npm: apt-get install nodejs npm): accessibility tests skipped"
)
# What a page must pass: WCAG 2.0 and 2.1, levels A and AA; and from WCAG 2.2 AA the
# one rule axe tags so, a target of at least 24 by 24 CSS px (a thumb on a phone).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def browser_required() -> bool:
    return os.environ.get("DOORWAY_REQUIRE_BROWSER", "") == "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Any test that uses a browser is a `browser` test, marked or not."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Kept on the item so that the page fixture knows, at teardown, if the test failed.
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if browser_required():
            pytest.fail(f"{MISSING}, but DOORWAY_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Each launch runs in a new, empty temporary profile (user-data dir) of its own.
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def live_url(live_server: Any) -> str:
    return str(live_server.url)


class ConsoleLog:
    """What the page said on its console, and what it refused under the CSP."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if re.search("Content.Security.Policy", m, re.I)]


def _open_page(browser: Browser, request: pytest.FixtureRequest, **context: Any) -> Iterator[Page]:
    ctx = browser.new_context(**context)
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    console = ConsoleLog()
    page.on("console", console)
    page.on("pageerror", lambda error: console.messages.append(f"pageerror: {error}"))
    # Kept on the page for console_log(); Playwright's Page declares no such attribute.
    page.console_log = console  # type: ignore[attr-defined]  # an attribute of ours on Playwright's Page
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        # A screenshot is a courtesy, never a second failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    ctx.close()
    violations = console.csp_violations()
    if violations and not (failed is not None and failed.failed):
        pytest.fail("The page broke its Content-Security-Policy:\n" + "\n".join(violations))


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _open_page(browser, request, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _open_page(
        browser,
        request,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )


@pytest.fixture(scope="session")
def axe_script(browser: Browser) -> str:
    """axe-core's source, to be added to a context with `add_init_script` (which the
    page's Content-Security-Policy does not apply to, unlike a <script> tag)."""
    if not AXE.exists():
        if browser_required():
            pytest.fail(f"{AXE_MISSING}, but DOORWAY_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(AXE_MISSING)
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """Every WCAG 2.1 A and AA failure axe finds on the page as it is now, one line per
    element: rule, what it asks, the element and why it fails. The page's context must
    have been given `axe_script` as an init script."""
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                help: v.help,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "),
                    why: (n.failureSummary || "").replace(/\\s+/g, " "),
                })),
            }));
        }""",
        WCAG_AA,
    )
    return [
        f"{v['id']} ({v['help']}): {node['target']}: {node['why']}"
        for v in found
        for node in v["nodes"]
    ]


def sign_in_context(context: BrowserContext, base_url: str, user: Any) -> None:
    """Give the context a session of hers, second factor satisfied, as `signed_in`
    does for the test client: no sign-in form, no rate limit, no code to wait for."""
    from django.conf import settings
    from django.test import Client

    from doorway.testing.signin import signed_in

    client = signed_in(Client(), user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


def console_log(page: Page) -> ConsoleLog:
    """The console messages `page` has logged so far (for tests that assert on them)."""
    return page.console_log  # type: ignore[attr-defined]  # set on the page by _open_page
