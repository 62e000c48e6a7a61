"""Moderation in a real browser: an ambassador acts through the pages (confirmation step
included), and residents who have the thread or room open see it happen without reloading."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import browser_api, podgorze_room

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000
THREAD = "/threads/1"  # the demo's "Więcej zieleni na Zabłociu", in XIII Podgórze's room
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")
PIOTR = ("piotr@example.pl", "ambasador-demo", "Piotr Kowalski")  # ambassador of XIII


@pytest.fixture
def open_live(open_page):
    """open_live(person, path): a logged-in page whose socket has joined (the person is listed
    as present), marked so that a reload would show."""

    def open_live(person, path: str = THREAD):
        page = open_page(person, path)
        expect(page.locator("#presence")).to_contain_text(person[2], timeout=WAIT_MS)
        page.evaluate("window.notReloaded = true")
        return page

    return open_live


def test_an_ambassador_hides_a_post_and_a_reader_sees_the_reason_live(open_live):
    anna, piotr = open_live(ANNA), open_live(PIOTR)
    words = "Dobry pomysł, ale czy ta działka należy do miasta?"  # Jan's post 2 in the demo
    expect(anna.locator("#post-2 > article .post-body")).to_contain_text(words)
    expect(anna.locator("#post-2 .hide-link")).to_have_count(0)  # not for residents

    piotr.locator("#post-2 > article .hide-link").click()
    piotr.wait_for_url("**/posts/2/hide")
    piotr.locator("form.confirm button[type=submit]").click()  # no reason: asked again
    expect(piotr.locator("#reason-error")).to_be_visible()
    piotr.fill("#reason", "Nie na temat tego wątku")
    piotr.locator("form.confirm button[type=submit]").click()
    piotr.wait_for_url(f"**{THREAD}#post-2")

    note = anna.locator("#post-2 > article .hidden-note")
    expect(note).to_have_text("Ukryte przez moderatora: Nie na temat tego wątku", timeout=WAIT_MS)
    expect(anna.locator("#post-2 > article")).not_to_contain_text(words)
    assert anna.evaluate("window.notReloaded") is True
    # The moderator still reads it, and may show it again.
    expect(piotr.locator("#post-2 > article .post-body")).to_contain_text(words)
    piotr.locator("#post-2 > article .mod-tools button[type=submit]").click()
    expect(anna.locator("#post-2 > article .post-body")).to_contain_text(words, timeout=WAIT_MS)


def test_locking_takes_the_reply_forms_away_live_and_unlocking_brings_them_back(open_live):
    anna, piotr = open_live(ANNA), open_live(PIOTR)
    expect(anna.locator("#reply-form")).to_be_visible()
    piotr.locator(".thread-tools a[data-tool=lock_thread]").click()
    piotr.fill("#reason", "Chwila przerwy")
    piotr.locator("form.confirm button[type=submit]").click()
    piotr.wait_for_url(f"**{THREAD}")

    expect(anna.locator("#thread-notice")).to_be_visible(timeout=WAIT_MS)
    expect(anna.locator("#reply-form")).to_be_hidden(timeout=WAIT_MS)
    expect(anna.locator(".post-actions .reply-box")).to_have_count(0)
    expect(piotr.locator(".thread-tools [data-tool=unlock_thread]")).to_be_visible()

    piotr.locator(".thread-tools [data-tool=unlock_thread] button").click()
    expect(anna.locator("#thread-notice")).to_have_count(0, timeout=WAIT_MS)
    expect(anna.locator("#reply-form")).to_be_visible(timeout=WAIT_MS)
    expect(anna.locator("#post-2 > article .reply-box summary")).to_be_visible()
    assert anna.evaluate("window.notReloaded") is True


def test_a_moved_thread_leaves_the_room_page_live(open_live, forum_server):
    room = open_live(ANNA, f"/rooms/{podgorze_room(forum_server)}")
    piotr = open_live(PIOTR)
    line = room.locator('.thread-line[data-thread-id="1"]')
    expect(line).to_be_visible()
    piotr.locator(".thread-tools a[href$='/move']").click()
    piotr.select_option("#room_id", label="Zabłocie: Zabłocie")
    piotr.locator("form.confirm button[type=submit]").click()
    piotr.wait_for_url(f"**{THREAD}")
    expect(line).to_have_count(0, timeout=WAIT_MS)
    assert room.evaluate("window.notReloaded") is True
    expect(piotr.locator(".breadcrumbs")).to_contain_text("Zabłocie")
