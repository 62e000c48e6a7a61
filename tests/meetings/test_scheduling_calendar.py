"""The calendar files: one meeting's .ics and an area's feed, read back with the icalendar
parser, and their local times checked against the VTIMEZONE the file itself carries (as a
calendar app without its own zone database would read them), across the October change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from forum.areas.models import Room
from forum.meetings import scheduling, services
from forum.meetings.models import Meeting
from tests.conftest import district, get, room_by_slug, run, update
from tests.meetings.conftest import meeting_input, schedule

OCTOBER = datetime(2026, 10, 1, tzinfo=UTC)


def _parse(answer) -> Calendar:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/calendar"
    assert "attachment" in answer.headers["Content-Disposition"]
    return Calendar.from_ical(answer.get_data())


def _seconds(moment: datetime) -> datetime:
    """iCalendar keeps whole seconds."""
    return moment.replace(microsecond=0)


def _by_its_own_timezone(cal: Calendar, moment) -> datetime:
    """A DTSTART/DTEND read with the file's VTIMEZONE (not the reader's zone database)."""
    (zone,) = [tz for tz in cal.walk("VTIMEZONE") if str(tz["TZID"]) == "Europe/Warsaw"]
    wall = moment.dt.replace(tzinfo=None)
    return wall.replace(tzinfo=zone.to_tz()).astimezone(UTC)


def test_a_meeting_on_the_night_the_clocks_go_back(app, client, piotr):
    # 25 October 2026: 01:30 is CEST (UTC+2), 04:00 is CET (UTC+1).
    meeting = schedule(piotr, now=OCTOBER, starts_at="2026-10-25T01:30", ends_at="2026-10-25T04:00")
    raw = client.get(f"/meetings/{meeting}.ics")
    text = raw.get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Warsaw:20261025T013000" in text
    assert "DTEND;TZID=Europe/Warsaw:20261025T040000" in text
    cal = _parse(raw)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Zieleń na Zabłociu"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert _by_its_own_timezone(cal, event["DTSTART"]) == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert _by_its_own_timezone(cal, event["DTEND"]) == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    # The parser's own reading agrees.
    assert event.decoded("DTSTART").astimezone(UTC) == get(Meeting, meeting).starts_at
    length = event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC)
    assert length == timedelta(hours=3, minutes=30)  # two and a half on the clock, plus one
    assert f"/meetings/{meeting}" in str(event["URL"])
    assert "Powitanie" in str(event["DESCRIPTION"])


def test_the_uid_stays_and_a_cancellation_says_so(app, client, piotr):
    meeting = schedule(piotr)
    before = _parse(client.get(f"/meetings/{meeting}.ics")).walk("VEVENT")[0]
    start = datetime.now(UTC) + timedelta(days=4)
    run(
        scheduling.edit_meeting,
        piotr,
        meeting,
        meeting_input(
            starts_at=start.isoformat(), ends_at=(start + timedelta(hours=1)).isoformat()
        ),
    )
    moved = _parse(client.get(f"/meetings/{meeting}.ics")).walk("VEVENT")[0]
    assert str(moved["UID"]) == str(before["UID"])
    assert int(moved["SEQUENCE"]) > int(before["SEQUENCE"])  # apps take it as the newer
    assert moved.decoded("DTSTART").astimezone(UTC) == _seconds(get(Meeting, meeting).starts_at)
    run(scheduling.cancel_meeting, piotr, meeting, "Brak sali")
    cancelled = _parse(client.get(f"/meetings/{meeting}.ics")).walk("VEVENT")[0]
    assert str(cancelled["UID"]) == str(before["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_an_area_feed_carries_its_rooms_and_its_osiedla_rooms(app, client, piotr):
    summer = schedule(
        piotr,
        now=OCTOBER - timedelta(days=200),
        starts_at="2026-07-01T18:00",
        ends_at="2026-07-01T19:30",
        title="Lato",
    )
    winter = schedule(piotr, title="Zima")  # three days ahead (late November)
    zablocie = room_by_slug("zablocie")
    osiedle = run(
        services.schedule_meeting,
        piotr,
        zablocie.id,
        meeting_input(
            title="Na Zabłociu", starts_at="2030-03-31T18:00", ends_at="2030-03-31T19:00"
        ),
    ).id
    cancelled = schedule(
        piotr,
        starts_at=(datetime.now(UTC) + timedelta(days=10)).isoformat(),
        ends_at=(datetime.now(UTC) + timedelta(days=10, hours=1)).isoformat(),
        title="Odwołane",
    )
    run(scheduling.cancel_meeting, piotr, cancelled, "Brak sali")
    cal = _parse(client.get(f"/areas/{district('XIII').id}/meetings.ics"))
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    # July's is too old for the feed (it keeps 90 days back); the rest are there.
    assert set(events) == {"Zima", "Na Zabłociu", "Odwołane"}
    assert str(events["Odwołane"]["STATUS"]) == "CANCELLED"
    for title, meeting_id in (("Zima", winter), ("Na Zabłociu", osiedle)):
        meeting = get(Meeting, meeting_id)
        event = events[title]
        assert _by_its_own_timezone(cal, event["DTSTART"]) == _seconds(meeting.starts_at)
        assert _by_its_own_timezone(cal, event["DTEND"]) == _seconds(meeting.ends_at)
    # 31 March 2030 is summer time (the clocks went forward that morning).
    assert events["Na Zabłociu"].decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert len({str(e["UID"]) for e in events.values()}) == 3
    assert summer
    # The osiedle's feed has only its own.
    osiedle_cal = _parse(client.get(f"/areas/{zablocie.area_id}/meetings.ics"))
    assert [str(e["SUMMARY"]) for e in osiedle_cal.walk("VEVENT")] == ["Na Zabłociu"]
    # Another district's feed is empty but still a calendar.
    empty = _parse(client.get(f"/areas/{district('I').id}/meetings.ics"))
    assert empty.walk("VEVENT") == []


def test_a_restricted_rooms_meetings_stay_out_of_feeds(app, client, piotr):
    meeting = schedule(piotr, title="Tajne")
    update(Room, get(Meeting, meeting).room_id, is_public=False)
    cal = _parse(client.get(f"/areas/{district('XIII').id}/meetings.ics"))
    assert cal.walk("VEVENT") == []
    assert client.get(f"/meetings/{meeting}.ics").status_code == 404
    assert client.get("/areas/999999/meetings.ics").status_code == 404
