"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live_server.

Playwright's sync API runs an asyncio loop in this thread, which makes Django
refuse ORM calls (SynchronousOnlyOperation). DJANGO_ALLOW_ASYNC_UNSAFE is set
for these tests only, and the browser is stopped at the end of each module so
no loop outlives them. The browser comes from apt (`make test` installs it),
never from `playwright install`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "pw-for-tests-only"  # every user tests.factories.make_role_user makes


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the module-scoped start runs before the autouse fixture
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm prompts
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, username)`: through the login form from the queue's URL, landing on the queue."""
    from playwright.sync_api import expect

    def sign_in(page, username: str) -> None:
        page.goto(f"{live_server.url}/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name=re.compile("is not in this view"))).to_have_count(0)
        expect(page.locator("#stats")).to_be_visible()

    return sign_in


def open_card(page, pk: int):
    """Open a queue row (its card loads under the line) and return the card."""
    from playwright.sync_api import expect

    page.locator(f"#open-{pk}").click()
    card = page.locator(f"#card-{pk}")
    expect(card).to_be_visible()
    return card
