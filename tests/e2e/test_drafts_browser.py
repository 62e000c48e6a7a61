"""Drafts in a real browser against a real server: asking for promotion, promoting with cited
posts, the thread's banner updating live, the draft's page following saves live, and the
conflict page when two authors save the same revision."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import browser_api, call, logged_in
from tests.e2e.test_accessibility import describe, run_axe

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000
ANNA = ("anna@example.pl", "mieszkanka-demo")  # resident of XIII Podgórze
PIOTR = ("piotr@example.pl", "ambasador-demo")  # ambassador of XIII Podgórze
DEMO_DRAFT = "/drafts/1"  # thread 1 promoted by Piotr, filled in by Anna (a co-author)


def podgorze_room(server) -> int:
    status, body = call(logged_in(server, ANNA[0]), "GET", server.url + "/api/v1/rooms")
    assert status == 200, body
    return next(r["id"] for r in body["rooms"] if r["slug"] == "xiii-podgorze")


def test_a_thread_asked_for_is_promoted_and_its_banner_follows_live(open_page, forum_server):
    anna_api = logged_in(forum_server, ANNA[0])
    status, body = call(
        anna_api,
        "POST",
        f"{forum_server.url}/api/v1/rooms/{podgorze_room(forum_server)}/threads",
        {"title": "Ławki przy Wiśle", "body": "Brakuje ławek na bulwarze. Kto pomoże?"},
    )
    assert status == 201, body
    thread = f"/threads/{body['thread']['id']}"

    # Anna asks for promotion from her thread's banner.
    anna = open_page(ANNA, thread)
    anna.locator("#draft-banner button[type=submit]").click()
    anna.wait_for_url(f"**{thread}#draft-banner")
    expect(anna.locator(".flashes")).to_be_visible()
    expect(anna.locator("#presence")).not_to_be_empty(timeout=WAIT_MS)  # joined: live again
    anna.evaluate("window.notReloaded = true")

    # Piotr promotes it through the form, citing the opening post.
    piotr = open_page(PIOTR, f"{thread}/promote")
    expect(piotr.locator("#title")).to_have_value("Ławki przy Wiśle")
    expect(piotr.locator("input[name=source_post_ids]").first).to_be_checked()
    piotr.fill("#title", "Ławki na bulwarze Podgórskim")
    piotr.locator("form.composer button[type=submit]").click()
    piotr.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft = piotr.url.removeprefix(forum_server.url)
    expect(piotr.locator("h1")).to_have_text("Ławki na bulwarze Podgórskim")
    expect(piotr.locator(".cited-posts")).to_contain_text("Brakuje ławek na bulwarze.")

    # Anna's thread shows the draft without a reload.
    link = anna.locator(f'#draft-banner a[href="{draft}"]')
    expect(link).to_have_text("Ławki na bulwarze Podgórskim", timeout=WAIT_MS)
    expect(anna.locator("#draft-banner .tag-status")).to_be_visible()
    assert anna.evaluate("window.notReloaded") is True

    # She was told, and the notification opens the draft, which she may edit.
    anna.goto(forum_server.url + "/notifications")
    anna.locator("a[href^='/notifications/']", has_text="Ławki na bulwarze").first.click()
    anna.wait_for_url(f"**{draft}")
    expect(anna.locator(f'a[href="{draft}/edit"]')).to_be_visible()


def test_the_draft_page_follows_saves_and_a_stale_save_keeps_both_texts(open_page, forum_server):
    piotr = open_page(PIOTR, DEMO_DRAFT)
    expect(piotr.locator("[data-live]")).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    piotr.evaluate("window.notReloaded = true")

    # Anna saves a new title through the edit form: Piotr's page shows it live.
    anna = open_page(ANNA, f"{DEMO_DRAFT}/edit")
    anna.fill("#title", "Zielony skwer na Zabłociu")
    anna.locator("form.draft-form button[type=submit]").click()
    anna.wait_for_url(f"**{DEMO_DRAFT}")
    expect(piotr.locator("#draft-heading")).to_have_text(
        "Zielony skwer na Zabłociu", timeout=WAIT_MS
    )
    assert piotr.evaluate("window.notReloaded") is True

    # Piotr opens the form; meanwhile Anna saves again; his save is refused, nothing lost.
    piotr.goto(f"{forum_server.url}{DEMO_DRAFT}/edit")
    version = piotr.locator("input[name=version]").get_attribute("value")
    status, body = call(
        logged_in(forum_server, ANNA[0]),
        "PATCH",
        f"{forum_server.url}/api/v1{DEMO_DRAFT}",
        {"version": int(version), "justification": "Na Zabłociu nie ma ani jednego skweru."},
    )
    assert status == 200, body
    piotr.fill("#justification", "Mieszkańcy proszą o cień od lat.")
    piotr.locator("form.draft-form button[type=submit]").click()
    conflict = piotr.locator(".conflict")
    expect(conflict).to_contain_text("Na Zabłociu nie ma ani jednego skweru.")
    expect(conflict).to_contain_text("Mieszkańcy proszą o cień od lat.")
    expect(piotr.locator("#justification")).to_have_value("Mieszkańcy proszą o cień od lat.")
    violations = run_axe(piotr)["violations"]
    assert not violations, describe(violations)

    # He saves again, now on the current revision.
    piotr.locator("form.draft-form button[type=submit]").click()
    piotr.wait_for_url(f"**{DEMO_DRAFT}")
    expect(piotr.locator(".bo-fields")).to_contain_text("Mieszkańcy proszą o cień od lat.")
