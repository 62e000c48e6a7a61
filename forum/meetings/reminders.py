"""Reminders before a meeting starts: once per meeting, to everyone signed up and invited.

run.py calls send_due_reminders every minute, and so may `flask send-meeting-reminders` (from
cron, say). Several workers may run it at once: each meeting is claimed with one conditional
UPDATE of its reminder_sent_at, so only the first of them sends its reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from forum.extensions import db
from forum.meetings import services
from forum.meetings.models import Meeting
from forum.meetings.scheduling import signed_up_people
from forum.notifications.services import notify


def reminder_lead() -> timedelta:
    return timedelta(minutes=current_app.config.get("MEETING_REMINDER_MINUTES", 60))


def due_meetings(now: datetime) -> list[int]:
    """Meetings starting within the reminder's lead that have not started and were not
    reminded of (a meeting scheduled closer to its start is reminded of at once)."""
    return list(
        db.session.scalars(
            select(Meeting.id)
            .where(
                Meeting.cancelled_at.is_(None),
                Meeting.reminder_sent_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + reminder_lead(),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def claim(meeting_id: int, now: datetime) -> bool:
    """Mark the meeting reminded of, unless someone did first (or it was cancelled)."""
    return bool(
        db.session.execute(
            update(Meeting)
            .where(
                Meeting.id == meeting_id,
                Meeting.reminder_sent_at.is_(None),
                Meeting.cancelled_at.is_(None),
            )
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def remind(meeting_id: int, now: datetime) -> int:
    """Send one meeting's reminders if this caller claims it (in the caller's transaction);
    how many were sent."""
    if not claim(meeting_id, now):
        return 0
    meeting = db.session.get(Meeting, meeting_id)
    people = set(signed_up_people(meeting_id)) | services.invited_people(meeting)
    for user_id in sorted(people - {meeting.host_id}):
        notify(user_id, "meeting_reminder", meeting_id=meeting_id, created_at=now)
    return len(people - {meeting.host_id})


def send_due_reminders(now: datetime, transaction=None) -> int:
    """Remind of every meeting that is due; how many notifications were sent.

    With `transaction` (a context manager), each meeting is claimed and reminded of in a
    transaction of its own, so one worker's claim is visible to the others at once.
    """
    sent = 0
    for meeting_id in due_meetings(now):
        if transaction is None:
            sent += remind(meeting_id, now)
        else:
            with transaction():
                sent += remind(meeting_id, now)
    return sent
