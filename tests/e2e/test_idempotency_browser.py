"""The thread page's composer in a real browser: its replies go over the socket with the form's
idempotency key, and each sent reply leaves the form a new key for the next one."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ForumServer,
    browser_api,
    database_rows,
)

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000


@pytest.fixture
def server(tmp_path):
    forum = ForumServer(tmp_path / "forum.db")
    forum.start()
    yield forum
    forum.stop()


@pytest.fixture
def page(server):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="pl-PL")
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(error))
        page.goto(f"{server.url}/login?next=/threads/1")
        page.fill("#email", "jan@example.pl")
        page.fill("#password", "mieszkaniec-demo")
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{server.url}/threads/1*")
        yield page
        browser.close()
        assert not errors, f"JavaScript errors: {errors}"


def posts_with_body(server: ForumServer, body: str) -> int:
    rows = database_rows(server, "SELECT count(*) FROM post WHERE body_source = :body", body=body)
    return rows[0][0]


def test_each_reply_sent_from_the_composer_gets_stored_once_and_the_next_a_new_key(server, page):
    expect(page.locator("#presence")).to_contain_text("Jan", timeout=WAIT_MS)  # socket joined
    key = page.locator("#reply-form input[name=idempotency_key]")
    first_key = key.input_value()
    bodies = [f"Pierwsza {uuid.uuid4().hex[:8]}", f"Druga {uuid.uuid4().hex[:8]}"]
    for body in bodies:
        page.fill("#body", body)
        page.locator("#reply-form button[type=submit]").click()
        expect(page.locator(".post-tree .post-body", has_text=body)).to_be_visible()
        expect(page.locator("#body")).to_have_value("")
    assert key.input_value() not in ("", first_key)
    assert page.locator("#body-error").count() == 0
    assert [posts_with_body(server, body) for body in bodies] == [1, 1]
