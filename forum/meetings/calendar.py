"""Meetings as iCalendar (RFC 5545), made with the icalendar library: one meeting's `.ics`, and
an area's feed that calendar apps subscribe to.

Times are written in Kraków's wall-clock time with TZID=Europe/Warsaw, and the calendar carries
that VTIMEZONE (its changes over the years the meetings span), so an app imports them at the
right local times on either side of a clock change. A meeting's UID never changes, so an app
that imported it updates it (a new time, its cancellation) instead of adding another.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from flask import url_for
from icalendar import Calendar, Event

from forum.meetings import times
from forum.meetings.models import Meeting

PRODID = "-//Wspólne Projekty//Spotkania BO Kraków//PL"
TZID = "Europe/Warsaw"
# Past meetings a feed still carries, so a subscribed calendar keeps the recent ones.
FEED_PAST_DAYS = 90
FEED_LIMIT = 500


def uid(meeting: Meeting) -> str:
    """Stable for the meeting's life; its creation time keeps ids of two databases apart."""
    return f"meeting-{meeting.id}-{meeting.created_at:%Y%m%dT%H%M%SZ}@wspolne-projekty"


def event(meeting: Meeting) -> Event:
    page = url_for("meetings.meeting", meeting_id=meeting.id, _external=True)
    entry = Event()
    entry.add("uid", uid(meeting))
    entry.add("dtstamp", meeting.updated_at)
    entry.add("created", meeting.created_at)
    entry.add("last-modified", meeting.updated_at)
    # Each change of the meeting makes a higher number, as RFC 5545 wants of SEQUENCE: the
    # seconds (rounded up) between its scheduling and its last change.
    changed = (meeting.updated_at - meeting.created_at).total_seconds()
    entry.add("sequence", math.ceil(max(changed, 0)))
    entry.add("summary", meeting.title)
    entry.add("dtstart", times.local(meeting.starts_at))
    entry.add("dtend", times.local(meeting.ends_at))
    entry.add("location", meeting.video_url or page)
    entry.add("url", page)
    lines = [meeting.description, ""] if meeting.description else []
    lines += [
        f"{item.position}. {item.title} ({item.planned_minutes} min)" for item in meeting.agenda
    ]
    lines += [meeting.video_url] if meeting.video_url else []
    lines.append(page)
    entry.add("description", "\n".join(lines))
    entry.add("status", "CANCELLED" if meeting.cancelled_at is not None else "CONFIRMED")
    return entry


def calendar(meetings: list[Meeting], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    for meeting in meetings:
        cal.add_component(event(meeting))
    if meetings:
        first = min(times.local(m.starts_at).date() for m in meetings)
        last = max(times.local(m.ends_at).date() for m in meetings)
        cal.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
        )
    return cal.to_ical()


def feed_since(now) -> object:
    return now - timedelta(days=FEED_PAST_DAYS)
