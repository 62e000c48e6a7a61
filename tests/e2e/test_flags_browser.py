"""Flag → queue → resolve → notification, in a real browser against a real server."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import browser_api

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000
THREAD = "/threads/1"  # the demo's "Więcej zieleni na Zabłociu", opened by Anna
JANS_REPLY = "#post-2"  # Jan's reply in it
ANNA = ("anna@example.pl", "mieszkanka-demo")
PIOTR = ("piotr@example.pl", "ambasador-demo")  # the ambassador of XIII Podgórze


def unread(page) -> int:
    return int(page.locator("#notifications-link .unread-count").get_attribute("data-count"))


def test_a_flag_reaches_the_queue_live_and_its_outcome_reaches_the_flagger(open_page, forum_server):
    piotr = open_page(PIOTR, "/moderation")
    expect(piotr.locator("#moderation-link")).to_have_attribute("data-state", "live")
    piotr.evaluate("window.notReloaded = true")
    before = int(piotr.locator("#moderation-link .open-flags").get_attribute("data-count"))
    queued = piotr.locator(".flagged-post", has_text="czy ta działka należy do miasta")
    expect(queued).to_have_count(0)

    # Anna reports Jan's reply through the page.
    anna = open_page(ANNA, THREAD)
    anna.locator(f"{JANS_REPLY} > article .post-actions a.flag-link").click()
    anna.wait_for_url("**/posts/*/flag")
    anna.get_by_label("Nie na temat").check()
    anna.fill("#text", "Pytanie nie o ten projekt.")
    anna.locator("form.composer button[type=submit]").click()
    anna.wait_for_url(f"**{THREAD}#post-*")
    expect(anna.locator(".flashes")).to_be_visible()
    told_before = unread(anna)

    # It arrives in Piotr's queue without a reload, with the count.
    expect(queued).to_have_count(1, timeout=WAIT_MS)
    expect(queued).to_contain_text("Pytanie nie o ten projekt.")
    expect(queued).to_contain_text("Anna Nowak")
    expect(piotr.locator("#moderation-link .open-flags")).to_have_attribute(
        "data-count", str(before + 1)
    )
    assert piotr.evaluate("window.notReloaded") is True

    # Piotr hides the post: a confirmation page first, then the form does it.
    queued.get_by_role("link", name="Ukryj wpis").click()
    piotr.wait_for_url("**/moderation/posts/*/hide")
    expect(piotr.locator("h1")).to_have_text("Ukryć ten wpis?")
    piotr.fill("#reason", "Nie na temat wątku")
    piotr.locator("form.composer button[type=submit]").click()
    piotr.wait_for_url(re.compile(r".*/moderation$"))
    expect(piotr.locator(".flagged-post", has_text="czy ta działka")).to_have_count(0)
    expect(piotr.locator("#moderation-link .open-flags")).to_have_attribute(
        "data-count", str(before)
    )

    # Anna's count goes up live; her inbox says the post was hidden.
    expect(anna.locator("#notifications-link .unread-count")).to_have_attribute(
        "data-count", str(told_before + 1), timeout=WAIT_MS
    )
    anna.goto(forum_server.url + "/notifications")
    expect(anna.locator("main")).to_contain_text(
        "wpis zgłoszony przez ciebie w wątku „Więcej zieleni na Zabłociu” został ukryty"
    )
