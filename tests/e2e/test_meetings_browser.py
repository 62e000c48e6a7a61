"""In a real browser: the ambassador schedules a meeting on the night the clocks go back from the
room's page, a resident signs up for its one place without JavaScript, the next finds it full,
and its .ics file imports at the times that were written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from tests.e2e.conftest import DEMO_PASSWORDS, browser_api, http_client, podgorze_room

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect


def person(name: str) -> tuple[str, str]:
    email = f"{name}@example.pl"
    return email, DEMO_PASSWORDS[email]


def test_schedule_sign_up_and_import_a_meeting(open_page, forum_server):
    room = podgorze_room(forum_server)
    piotr = open_page(person("piotr"), f"/rooms/{room}", javascript=False)
    piotr.click(f"a[href='/rooms/{room}/meetings/new']")
    # 31 October 2027, the last Sunday of October: 01:30 is summer time, 04:00 winter time.
    piotr.fill("#title", "Nocne spotkanie o oświetleniu")
    piotr.fill("#starts_at", "2027-10-31T01:30")
    piotr.fill("#ends_at", "2027-10-31T04:00")
    piotr.fill("#capacity", "1")
    piotr.fill("#agenda-0-title", "Latarnie na Zabłociu")
    piotr.fill("#agenda-0-planned_minutes", "60")
    piotr.check("text=Zarząd Zieleni Miejskiej (ZZM)")
    piotr.click("form.meeting-form button[type=submit]")
    expect(piotr.locator("h1")).to_have_text("Nocne spotkanie o oświetleniu")
    meeting_path = piotr.url.removeprefix(forum_server.url)
    details = piotr.locator(".meeting-details")
    expect(details).to_contain_text("01:30")
    expect(details).to_contain_text("04:00")
    expect(details).to_contain_text("Zarząd Zieleni Miejskiej")
    expect(piotr.locator("a[href$='/edit']")).to_be_visible()

    anna = open_page(person("anna"), meeting_path, javascript=False)
    expect(anna.locator("a[href$='/edit']")).to_have_count(0)
    anna.click("#signup ~ form button[type=submit]")
    expect(anna.locator(".meeting-signup a[href$='/signup/withdraw']")).to_be_visible()
    expect(anna.locator(".meeting-details")).to_contain_text("zajęte wszystkie (1)")  # full

    jan = open_page(person("jan"), meeting_path, javascript=False)
    expect(jan.locator(".meeting-signup")).to_contain_text("nie ma już miejsc")
    expect(jan.locator(".meeting-signup button")).to_have_count(0)

    ics = jan.locator("a[href$='.ics']").get_attribute("href")
    with http_client().open(forum_server.url + ics, timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/calendar")
        cal = Calendar.from_ical(answer.read())
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2027, 10, 31, 3, 0, tzinfo=UTC)
