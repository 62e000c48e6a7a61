"""In a real browser: the demo's meeting running in Zabłocie. The host moves the agenda with the
page's forms; a resident's page follows it live, with the questions, the replies and who is here;
the room page's banner follows too, all without asking the server for a page again (only the
host's page, with its forms, does); without JavaScript the forms work as they are."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DEMO_PASSWORDS, browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

PIOTR = ("piotr@example.pl", DEMO_PASSWORDS["piotr@example.pl"])
ANNA = ("anna@example.pl", DEMO_PASSWORDS["anna@example.pl"])
JAN = ("jan@example.pl", DEMO_PASSWORDS["jan@example.pl"])


def page_requests(page, *paths: str) -> list[str]:
    """The URLs of the requests the page makes for any of the paths from now on (its query and
    fragment aside): a thousand listeners must not each ask the server for a page per event."""
    seen: list[str] = []

    def record(request):
        path = re.sub(r"^[a-z]+://[^/]+", "", request.url).split("?")[0].split("#")[0]
        if path in paths:
            seen.append(request.url)

    page.on("request", record)
    return seen


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
    # Jan only listens: his pages show every change from the events themselves.
    jan = open_page(JAN, path)
    expect(jan.locator(".meeting-live")).to_have_attribute("data-state", "live")
    jan_lobby = open_page(JAN, f"/rooms/{room}")
    fetched = page_requests(jan, path, f"/rooms/{room}")
    fetched_lobby = page_requests(jan_lobby, path, f"/rooms/{room}")
    expect(jan_lobby.locator("#presence")).not_to_be_empty()  # joined the room's stream

    piotr = open_page(PIOTR, path)
    expect(anna.locator("#presence")).to_contain_text("Piotr Kowalski")
    piotr.locator(".agenda-controls button").last.click()  # the next item
    expect(piotr.locator(".live-agenda [aria-current=step]")).to_contain_text("Pytania do ZZM")
    # Anna's page and the room's banner follow without a reload.
    expect(anna.locator(".live-agenda [aria-current=step]")).to_contain_text("Pytania do ZZM")
    expect(lobby.locator("#meeting-banner")).to_contain_text("Pytania do ZZM")
    expect(jan.locator(".live-agenda [aria-current=step]")).to_contain_text("Pytania do ZZM")
    expect(jan.locator(".live-agenda [aria-current=step] .tag-live")).to_have_text("Teraz")
    expect(jan.locator(".live-agenda li.current")).to_have_count(1)
    expect(jan.locator("#meeting-now .current-item")).to_contain_text("Teraz: Pytania do ZZM")
    expect(jan.locator(".live-agenda li").first).to_contain_text("rozpoczęty")
    expect(jan_lobby.locator("#meeting-banner")).to_contain_text("Teraz: Pytania do ZZM.")

    anna.fill("#question", "Czy ławki będą z oparciem?")
    anna.click(".question-form button[type=submit]")
    expect(piotr.locator("#meeting-question-list")).to_contain_text("Czy ławki będą z oparciem?")
    asked = jan.locator(".questions li").filter(has_text="Czy ławki będą z oparciem?")
    expect(asked).to_contain_text("Anna Nowak")
    expect(asked).to_contain_text("Jeszcze bez odpowiedzi")
    piotr.locator(".questions li").filter(has_text="Czy ławki będą z oparciem?").locator(
        "button"
    ).click()
    expect(asked).to_contain_text("Odpowiedziano")

    anna.fill(".meeting-discussion textarea", "Dziękuję za spotkanie!")
    anna.click(".meeting-discussion button[type=submit]")
    expect(piotr.locator("#meeting-replies")).to_contain_text("Dziękuję za spotkanie!")
    expect(anna.locator("#meeting-replies")).to_contain_text("Dziękuję za spotkanie!")
    reply = jan.locator("#meeting-replies li").filter(has_text="Dziękuję za spotkanie!")
    expect(reply).to_contain_text("Anna Nowak")
    expect(reply.locator("a[href*='/posts/'] time")).to_have_count(1)
    assert jan.locator("#meeting-replies ol.meeting-replies > li").count() <= 20
    jan.wait_for_timeout(500)  # longer than refresh.js waits before it would fetch
    assert fetched == [], f"the listener's meeting page asked for pages: {fetched}"
    assert fetched_lobby == [], f"the listener's room page asked for pages: {fetched_lobby}"
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


def forward_to(page, iso: str, seconds_after: int = 2) -> None:
    """Move the page's (installed) clock to a moment, as if the time had passed."""
    now = page.evaluate("Date.now()")
    at = page.evaluate("(iso) => Date.parse(iso)", iso)
    page.clock.fast_forward(int(at - now) + seconds_after * 1000)


def test_the_room_banner_follows_the_clock_without_asking_the_server(open_page, forum_server):
    meeting, room = live_meeting(forum_server)
    status, body = call(http_client(), "GET", forum_server.url + "/api/v1/meetings?when=upcoming")
    assert status == 200, body
    upcoming = next(m for m in body["meetings"] if m["status"] == "upcoming")

    # The running meeting's end: its banner and its line in the upcoming list go.
    lobby = open_page(JAN, f"/rooms/{room}")
    lobby.clock.install()
    lobby.reload()
    fetched = page_requests(lobby, f"/rooms/{room}", f"/meetings/{meeting}")
    expect(lobby.locator(f'#meeting-banner a[href="/meetings/{meeting}"]')).to_have_count(1)
    line = lobby.locator(f'#upcoming-meetings [data-meeting-id="{meeting}"]')
    forward_to(lobby, line.get_attribute("data-ends-at"))
    expect(lobby.locator(f'#meeting-banner a[href="/meetings/{meeting}"]')).to_have_count(0)
    expect(line).to_have_count(0)
    assert fetched == [], f"the room page asked for pages: {fetched}"

    # An upcoming meeting's start and end: its banner comes, then goes.
    path = f"/rooms/{upcoming['room']['id']}"
    other = open_page(JAN, path)
    other.clock.install()
    other.reload()
    fetched = page_requests(other, path, f"/meetings/{upcoming['id']}")
    banner = other.locator(f'#meeting-banner a[href="/meetings/{upcoming["id"]}"]')
    expect(banner).to_have_count(0)
    line = other.locator(f'#upcoming-meetings [data-meeting-id="{upcoming["id"]}"]')
    forward_to(other, upcoming["starts_at"])
    expect(banner).to_have_text(upcoming["title"])
    expect(line.locator(".tag-live")).to_have_count(1)
    forward_to(other, upcoming["ends_at"])
    expect(banner).to_have_count(0)
    expect(line).to_have_count(0)
    assert fetched == [], f"the room page asked for pages: {fetched}"
