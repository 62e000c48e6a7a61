"""Reminders before a meeting: once, to everyone signed up and invited, a set time before the
start; a second run (another worker, the CLI beside run.py's task) sends nothing again."""

from __future__ import annotations

from datetime import timedelta

from forum.accounts.models import ExpertUnit
from forum.extensions import db, utcnow
from forum.meetings import reminders, scheduling, services
from forum.meetings.models import Meeting
from forum.notifications.models import Notification
from forum.transactions import transaction
from tests.conftest import app_context, count, get, run, update
from tests.meetings.conftest import meeting_input, schedule


def _zzm() -> int:
    with app_context():
        return db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one().id


def _soon(piotr, minutes: int = 30, **values) -> int:
    start = utcnow() + timedelta(minutes=minutes)
    return schedule(
        piotr,
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        **values,
    )


def _send(now=None) -> int:
    with app_context():
        return reminders.send_due_reminders(now or utcnow(), transaction=transaction)


def reminded(user) -> int:
    return count(
        Notification, Notification.user_id == user.id, Notification.kind == "meeting_reminder"
    )


def test_everyone_signed_up_and_invited_is_reminded_once(app, piotr, ewa, ola):
    meeting = _soon(piotr, invited_unit_ids=[_zzm()])
    run(services.sign_up, ola, meeting)
    assert _send() == 2
    assert reminded(ola) == 1 and reminded(ewa) == 1
    assert reminded(piotr) == 0  # the host runs it
    assert get(Meeting, meeting).reminder_sent_at is not None
    assert _send() == 0  # a second worker, or the next minute
    assert reminded(ola) == 1 and reminded(ewa) == 1


def test_a_worker_that_listed_the_meeting_too_late_sends_nothing(app, piotr, ola):
    meeting = _soon(piotr)
    run(services.sign_up, ola, meeting)
    now = utcnow()
    with app_context():
        due = reminders.due_meetings(now)  # worker A lists it…
    assert due == [meeting]
    assert _send(now) == 1  # …worker B sends first…
    with app_context(), transaction():
        assert reminders.remind(meeting, now) == 0  # …and A's claim finds it taken.
    assert reminded(ola) == 1


def test_only_meetings_due_within_the_lead_and_still_ahead(app, piotr, ola):
    later = schedule(piotr)  # three days ahead
    cancelled = _soon(piotr, minutes=20)
    run(services.sign_up, ola, cancelled)
    run(scheduling.cancel_meeting, piotr, cancelled, "Brak sali")
    started = schedule(
        piotr,
        now=utcnow() - timedelta(days=1),
        starts_at=(utcnow() - timedelta(minutes=5)).isoformat(),
        ends_at=(utcnow() + timedelta(hours=1)).isoformat(),
        title="Trwa",
    )
    for meeting in (later, started):
        run(services.sign_up, ola, meeting)
    assert _send() == 0
    assert reminded(ola) == 0
    # Three days on, the later one is due.
    assert _send(get(Meeting, later).starts_at - timedelta(minutes=59)) == 1


def test_the_lead_is_configured(app, piotr, ola):
    meeting = _soon(piotr, minutes=100)
    run(services.sign_up, ola, meeting)
    assert _send() == 0
    app.config["MEETING_REMINDER_MINUTES"] = 120
    assert _send() == 1


def test_a_moved_meeting_is_reminded_of_again(app, piotr, ola):
    meeting = _soon(piotr)
    run(services.sign_up, ola, meeting)
    assert _send() == 1
    start = utcnow() + timedelta(minutes=50)
    data = meeting_input(
        starts_at=start.isoformat(), ends_at=(start + timedelta(hours=1)).isoformat()
    )
    run(scheduling.edit_meeting, piotr, meeting, data)
    assert get(Meeting, meeting).reminder_sent_at is None
    assert _send() == 1
    assert reminded(ola) == 2


def test_the_command(app, piotr, ola):
    meeting = _soon(piotr)
    run(services.sign_up, ola, meeting)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-meeting-reminders"])
    assert result.exit_code == 0 and "1" in result.output
    assert runner.invoke(args=["send-meeting-reminders"]).output.startswith("Sent 0")


def test_a_meeting_cancelled_after_listing_is_not_reminded_of(app, piotr, ola):
    meeting = _soon(piotr)
    run(services.sign_up, ola, meeting)
    now = utcnow()
    with app_context():
        assert reminders.due_meetings(now) == [meeting]
    update(Meeting, meeting, cancelled_at=now)
    with app_context(), transaction():
        assert reminders.remind(meeting, now) == 0
    assert reminded(ola) == 0
