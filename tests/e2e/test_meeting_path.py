"""In a real browser, one meeting from its scheduling to its minutes: Piotr schedules it from his
district's room; Anna signs up; when it runs, Piotr moves through the agenda and Anna's open page
follows, with her question and her reply; once it has ended, Piotr publishes the minutes from the
agenda's template, Anna is told and reads them, and the attendance shows her signed up and present.

The clock is moved by writing the meeting's times in the server's database, as the hours between
scheduling and holding a meeting would."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from forum.extensions import db
from forum.meetings.models import Meeting
from forum.meetings.times import local_input
from forum.transactions import transaction
from tests.e2e.conftest import (
    DEMO_PASSWORDS,
    browser_api,
    call,
    forum_app,
    http_client,
    podgorze_room,
)

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

PIOTR = ("piotr@example.pl", DEMO_PASSWORDS["piotr@example.pl"])
ANNA = ("anna@example.pl", DEMO_PASSWORDS["anna@example.pl"])


def move_clock(server, meeting_id: int, starts: datetime, ends: datetime) -> None:
    """The meeting's times as if the clock had moved on (written by the model, as stored)."""
    with forum_app(server) as app, app.app_context(), transaction():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at, meeting.ends_at = starts, ends


def test_a_meeting_from_schedule_to_minutes(open_page, forum_server):
    room = podgorze_room(forum_server)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)

    # Scheduled from the room's page, in Kraków's time.
    piotr = open_page(PIOTR, f"/rooms/{room}")
    piotr.click(f"a[href='/rooms/{room}/meetings/new']")
    piotr.fill("#title", "Plac zabaw przy Rękawce")
    piotr.fill("#description", "Co poprawić na placu zabaw przy ul. Rękawka?")
    piotr.fill("#starts_at", local_input(start))
    piotr.fill("#ends_at", local_input(start + timedelta(hours=2)))
    piotr.fill("#agenda-0-title", "Stan placu")
    piotr.fill("#agenda-0-planned_minutes", "20")
    piotr.fill("#agenda-1-title", "Pomysły mieszkańców")
    piotr.fill("#agenda-1-planned_minutes", "40")
    piotr.check("text=Zarząd Zieleni Miejskiej (ZZM)")
    piotr.click("form.meeting-form button[type=submit]")
    expect(piotr.locator("h1")).to_have_text("Plac zabaw przy Rękawce")
    meeting = int(re.search(r"/meetings/(\d+)$", piotr.url).group(1))
    path = f"/meetings/{meeting}"
    expect(piotr.locator(".meeting-details")).to_contain_text(local_input(start)[-5:])

    anna = open_page(ANNA, path)
    anna.click("#signup ~ form button[type=submit]")
    expect(anna.locator(".meeting-signup a[href$='/signup/withdraw']")).to_be_visible()

    # It runs: the host moves through the agenda, Anna's page follows.
    now = datetime.now(UTC)
    move_clock(forum_server, meeting, now - timedelta(minutes=5), now + timedelta(hours=1))
    anna.goto(forum_server.url + path)
    expect(anna.locator(".meeting-live")).to_have_attribute("data-state", "live")
    piotr.goto(forum_server.url + path)
    expect(piotr.locator(".meeting-live")).to_have_attribute("data-state", "live")
    piotr.locator(".agenda-controls button").last.click()  # start the agenda
    expect(anna.locator(".live-agenda [aria-current=step]")).to_contain_text("Stan placu")
    piotr.locator(".agenda-controls button").last.click()  # the next item
    expect(anna.locator(".live-agenda [aria-current=step]")).to_contain_text("Pomysły mieszkańców")
    anna.fill("#question", "Czy będzie huśtawka dla dzieci z niepełnosprawnościami?")
    anna.click(".question-form button[type=submit]")
    expect(piotr.locator("#meeting-question-list")).to_contain_text("huśtawka")
    anna.fill(".meeting-discussion textarea", "Proszę też o ławki w cieniu.")
    anna.click(".meeting-discussion button[type=submit]")
    expect(piotr.locator("#meeting-replies")).to_contain_text("ławki w cieniu")

    # It has ended: the host publishes the minutes, made from the agenda's template.
    now = datetime.now(UTC)
    move_clock(forum_server, meeting, now - timedelta(hours=2), now - timedelta(minutes=1))
    piotr.goto(f"{forum_server.url}{path}/minutes")
    template = piotr.locator("#source").input_value()
    assert "Stan placu" in template and "Pomysły mieszkańców" in template
    assert "huśtawka" in template  # the questions asked
    piotr.fill("#source", template + "\n\nUstalenia: **huśtawka integracyjna** do wniosku.")
    piotr.click("form.minutes-form button[value=publish]")
    expect(piotr.locator("#meeting-after .minutes strong")).to_have_text("huśtawka integracyjna")

    anna.goto(forum_server.url + "/notifications")
    note = anna.locator("li").filter(has_text="Plac zabaw przy Rękawce").first
    note.locator("a").first.click()
    expect(anna).to_have_url(re.compile(rf"{path}$"))
    expect(anna.locator("#meeting-after .minutes strong")).to_have_text("huśtawka integracyjna")

    piotr.goto(f"{forum_server.url}{path}/attendance")
    expect(piotr.locator("ul[aria-labelledby=signed-up-heading]")).to_contain_text("Anna Nowak")
    expect(piotr.locator("ul[aria-labelledby=present-heading]")).to_contain_text("Anna Nowak")
    status, body = call(
        http_client(), "GET", f"{forum_server.url}/api/v1/meetings/{meeting}/record"
    )
    assert status == 200, body
    assert body["published"]
