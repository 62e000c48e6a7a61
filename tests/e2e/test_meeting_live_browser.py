"""In a real browser: the demo's meeting running in Zabłocie. The host moves the agenda with the
page's forms; a resident's page follows it live, with the questions, the replies and who is here;
the room page's banner follows too; without JavaScript the forms work as they are."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DEMO_PASSWORDS, browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

PIOTR = ("piotr@example.pl", DEMO_PASSWORDS["piotr@example.pl"])
ANNA = ("anna@example.pl", DEMO_PASSWORDS["anna@example.pl"])


def live_meeting(server) -> tuple[int, int]:
    """The demo's running meeting and its room, from the Zabłocie room's banner."""
    status, body = call(http_client(), "GET", server.url + "/api/v1/rooms")
    assert status == 200, body
    room = next(r["id"] for r in body["rooms"] if r["slug"] == "zablocie")
    page = http_client().open(f"{server.url}/rooms/{room}", timeout=10).read().decode()
    banner = page.split('id="meeting-banner"', 1)[1]
    return int(re.search(r'href="/meetings/(\d+)"', banner).group(1)), room


def test_the_agenda_questions_and_replies_reach_a_resident_live(open_page, forum_server):
    meeting, room = live_meeting(forum_server)
    path = f"/meetings/{meeting}"
    anna = open_page(ANNA, path)
    section = anna.locator(".meeting-live")
    expect(section).to_have_attribute("data-state", "live")
    expect(anna.locator(".live-agenda [aria-current=step]")).to_contain_text("Potrzeby")
    expect(anna.locator("#presence")).to_contain_text("Anna Nowak")
    lobby = open_page(ANNA, f"/rooms/{room}")
    expect(lobby.locator("#meeting-banner")).to_contain_text("Potrzeby mieszkańców")

    piotr = open_page(PIOTR, path)
    expect(anna.locator("#presence")).to_contain_text("Piotr Kowalski")
    piotr.locator(".agenda-controls button").last.click()  # the next item
    expect(piotr.locator(".live-agenda [aria-current=step]")).to_contain_text("Pytania do ZZM")
    # Anna's page and the room's banner follow without a reload.
    expect(anna.locator(".live-agenda [aria-current=step]")).to_contain_text("Pytania do ZZM")
    expect(lobby.locator("#meeting-banner")).to_contain_text("Pytania do ZZM")

    anna.fill("#question", "Czy ławki będą z oparciem?")
    anna.click(".question-form button[type=submit]")
    expect(piotr.locator("#meeting-question-list")).to_contain_text("Czy ławki będą z oparciem?")

    anna.fill(".meeting-discussion textarea", "Dziękuję za spotkanie!")
    anna.click(".meeting-discussion button[type=submit]")
    expect(piotr.locator("#meeting-replies")).to_contain_text("Dziękuję za spotkanie!")
    expect(anna.locator("#meeting-replies")).to_contain_text("Dziękuję za spotkanie!")
    expect(anna).to_have_url(re.compile(rf"{path}(#.*)?$"))  # replied in place


def test_the_host_runs_the_agenda_without_javascript(open_page, forum_server):
    meeting, _room = live_meeting(forum_server)
    piotr = open_page(PIOTR, f"/meetings/{meeting}", javascript=False)
    first = piotr.locator(".live-agenda li").first
    first.locator("button").click()
    expect(piotr.locator(".live-agenda [aria-current=step]")).to_contain_text("Powitanie")
    question = piotr.locator(".questions li").filter(has_text="Ile kosztuje")
    question.locator("button").click()
    expect(piotr.locator(".questions li").filter(has_text="Ile kosztuje")).to_contain_text(
        "Odpowiedziano"
    )
