"""In a real browser, without JavaScript: the host previews and saves the demo's past meeting's
minutes and links a thread to them; a resident reads both on the meeting's page."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORDS, browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

PIOTR = ("piotr@example.pl", DEMO_PASSWORDS["piotr@example.pl"])
ANNA = ("anna@example.pl", DEMO_PASSWORDS["anna@example.pl"])


def past_meeting(server) -> int:
    """The demo's past meeting with published minutes."""
    status, body = call(
        http_client(), "GET", server.url + "/api/v1/meetings?when=past&per_page=100"
    )
    assert status == 200, body
    return next(m["id"] for m in body["meetings"] if m["has_minutes"])


def test_the_host_edits_the_minutes_and_links_a_thread(open_page, forum_server):
    meeting_id = past_meeting(forum_server)
    page = open_page(PIOTR, f"/meetings/{meeting_id}/minutes", javascript=False)
    assert page.locator("#source").input_value().startswith("# 1. Powitanie")

    page.fill("#source", "# Ustalenia po spotkaniu\n\nSkwer: **ławki** w cieniu.")
    page.click("form.minutes-form button[formaction]")
    expect(page.locator(".minutes-preview h3")).to_have_text("Ustalenia po spotkaniu")
    expect(page.locator("#source")).to_have_value(
        "# Ustalenia po spotkaniu\n\nSkwer: **ławki** w cieniu."
    )
    page.click("form.minutes-form button[value=save]")
    expect(page).to_have_url(f"{forum_server.url}/meetings/{meeting_id}#minutes")
    expect(page.locator("#meeting-after .minutes h3")).to_have_text("Ustalenia po spotkaniu")

    page.goto(f"{forum_server.url}/meetings/{meeting_id}/minutes")
    page.fill("#outcome-address", f"{forum_server.url}/threads/1")
    page.click("form.outcome-form button[type=submit]")
    expect(page.locator("ul.outcomes")).to_contain_text("Więcej zieleni na Zabłociu")

    anna = open_page(ANNA, f"/meetings/{meeting_id}", javascript=False)
    expect(anna.locator("#meeting-after .minutes strong")).to_have_text("ławki")
    expect(anna.locator("#meeting-after ul.outcomes")).to_contain_text("Więcej zieleni")
    expect(anna.locator("#meeting-after a[href$='/attendance']")).to_have_count(0)


def test_a_reader_sees_the_minutes_change_live(open_page, forum_server):
    meeting_id = past_meeting(forum_server)
    anna = open_page(ANNA, f"/meetings/{meeting_id}")
    expect(anna.locator("#meeting-after")).to_have_attribute("data-state", "live")

    piotr = http_client()
    email, password = PIOTR
    status, body = call(
        piotr, "POST", forum_server.url + "/api/v1/session", {"email": email, "password": password}
    )
    assert status == 200, body
    status, body = call(
        piotr,
        "PUT",
        f"{forum_server.url}/api/v1/meetings/{meeting_id}/minutes",
        {"source": "# Poprawione\n\nDopisaliśmy termin: **maj**."},
    )
    assert status == 200, body
    expect(anna.locator("#meeting-after .minutes h3")).to_have_text(["Poprawione"])
    expect(anna.locator("#live-region")).to_contain_text("Protokół tego spotkania się zmienił.")
