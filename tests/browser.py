"""Browser plumbing shared by the browser tests: Debian's chromium driven by Playwright's sync API.

The fixtures are made available to every test module by tests/conftest.py (one session-scoped
browser for the whole run: Playwright allows one running instance per thread).
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; Django would refuse ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page, expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp/shots")
# HTTP error statuses, which the tests check themselves (chromium and htmx both log them).
IGNORED_CONSOLE_ERRORS = ("Failed to load resource", "Response Status Error Code")
NEW_PASSWORD = "Cerisier-lavande-du-Lot-47"

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser():
    """The browser, or None when chromium is missing: ``new_page()`` then fails the test itself."""
    if not CHROMIUM.exists():
        yield None
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() → a page in a fresh context (own cookies), addressed relative to the live server.

    Called from the test body, so a missing chromium is a FAILED test, never a skip or a setup error.
    JavaScript errors and console errors (a CSP violation, htmx failing to load) fail the test.
    """
    contexts = []
    problems = []

    def make() -> Page:
        if browser is None:
            pytest.fail(
                f"{CHROMIUM} is missing: the browser tests drive Debian's chromium (apt-get install chromium).",
                pytrace=False,
            )
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and not message.text.startswith(IGNORED_CONSOLE_ERRORS)
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


def field(scope, label: str):
    """The form field with exactly this label (Django adds the French label suffix « : »)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(\s*:)?$"))


def log_in(page: Page, user) -> None:
    page.goto("/connexion/")
    field(page, "Adresse e-mail").fill(user.email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("banner")).to_contain_text(user.full_name)


def header(page: Page):
    return page.get_by_role("banner")


def ght_nav(page: Page):
    return page.get_by_role("navigation", name="Navigation du GHT")


def role_badge(page: Page, role_label: str):
    """The role shown next to the user's name (closed menus hold the same words, hidden)."""
    return header(page).get_by_text(role_label, exact=True).filter(visible=True)
