"""Scheduling a meeting: who may, the rules on its times, its thread, and signing up within
its capacity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.errors import Conflict, Forbidden, ValidationError
from forum.extensions import db
from forum.meetings import services, times
from forum.meetings.models import Meeting, MeetingSignup
from forum.notifications.models import Notification
from forum.realtime.streams import last_seq, meeting_stream, room_stream
from tests.conftest import app_context, count, get, make_user, run
from tests.meetings.conftest import schedule


def test_an_ambassador_schedules_a_meeting_with_its_agenda_and_thread(piotr):
    meeting_id = schedule(piotr)
    with app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.host_id == piotr.id and meeting.status() == "upcoming"
        assert [item.title for item in meeting.agenda] == [
            "Powitanie",
            "Potrzeby",
            "Pytania do ekspertów",
        ]
        assert [item.position for item in meeting.agenda] == [1, 2, 3]
        assert meeting.thread.title == "Zieleń na Zabłociu"
        assert meeting.thread.room_id == meeting.room_id
        assert last_seq(meeting_stream(meeting_id)) == 1
        assert last_seq(room_stream(meeting.room_id)) >= 2  # the thread, then the meeting


def test_an_ambassador_of_another_district_may_not(app):
    elsewhere = make_user("Amb I", role="ambassador", scope="I")
    with pytest.raises(Forbidden) as refused:
        schedule(elsewhere)
    assert refused.value.code == "forbidden"
    assert count(Meeting) == 0


def test_an_end_before_the_start_is_refused(piotr):
    start = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        schedule(
            piotr, starts_at=start.isoformat(), ends_at=(start - timedelta(hours=1)).isoformat()
        )
    assert "ends_at" in refused.value.fields
    assert count(Meeting) == 0


def test_a_start_in_the_past_is_refused(piotr):
    start = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        schedule(
            piotr, starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat()
        )
    assert "starts_at" in refused.value.fields


def test_overlapping_meetings_in_one_room_are_refused_and_nothing_is_written(piotr, meeting):
    first = get(Meeting, meeting)
    later = first.starts_at + timedelta(hours=1)
    threads_before = count(Meeting)
    with pytest.raises(Conflict) as refused:
        schedule(
            piotr, starts_at=later.isoformat(), ends_at=(later + timedelta(hours=2)).isoformat()
        )
    assert refused.value.code == "meeting_overlaps"
    assert count(Meeting) == threads_before
    # Right after it is fine, and so is another room at the same time.
    schedule(
        piotr,
        starts_at=first.ends_at.isoformat(),
        ends_at=(first.ends_at + timedelta(hours=1)).isoformat(),
    )
    admin = make_user("Admin", role="admin")
    schedule(
        admin,
        room_number="I",
        starts_at=later.isoformat(),
        ends_at=(later + timedelta(hours=2)).isoformat(),
    )


def test_a_cancelled_meeting_frees_its_time(piotr, meeting):
    first = get(Meeting, meeting)
    with app_context():
        from forum.transactions import transaction

        with transaction():
            db.session.get(Meeting, meeting).cancelled_at = first.created_at
    schedule(piotr, starts_at=first.starts_at.isoformat(), ends_at=first.ends_at.isoformat())


def test_times_are_kept_in_utc_and_read_as_krakow_time_across_the_october_change(piotr):
    # 2026-10-25 is the last Sunday of October: at 03:00 CEST the clocks go back to 02:00 CET.
    now = datetime(2026, 10, 1, tzinfo=UTC)
    morning = schedule(piotr, now=now, starts_at="2026-10-25T01:30", ends_at="2026-10-25T04:00")
    meeting = get(Meeting, morning)
    assert meeting.starts_at == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # CEST, +2
    assert meeting.ends_at == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # CET, +1
    # Three and a half hours of wall clock are four and a half hours long that night.
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=3, minutes=30)
    assert times.local(meeting.starts_at).strftime("%H:%M %Z") == "01:30 CEST"
    assert times.local(meeting.ends_at).strftime("%H:%M %Z") == "04:00 CET"


def test_a_time_the_clocks_skip_is_refused(piotr):
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(ValidationError) as refused:
        schedule(piotr, now=now, starts_at="2026-03-29T02:30", ends_at="2026-03-29T05:00")
    assert "does not exist" in refused.value.fields["starts_at"]


def test_invited_experts_and_units_are_checked_and_notified(piotr, ewa, ola):
    with app_context():
        from forum.accounts.models import ExpertUnit

        zzm = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one().id
    with pytest.raises(ValidationError) as refused:
        schedule(piotr, invited_expert_ids=[ola.id])
    assert "invited_expert_ids" in refused.value.fields
    schedule(piotr, invited_unit_ids=[zzm])
    assert (
        count(Notification, Notification.user_id == ewa.id, Notification.kind == "meeting_invited")
        == 1
    )


def test_sign_up_holds_the_capacity(piotr, ola):
    meeting_id = schedule(piotr, capacity=1)
    run(services.sign_up, ola, meeting_id)
    run(services.sign_up, ola, meeting_id)  # again: nothing changes
    assert get(Meeting, meeting_id).signup_count == 1
    with pytest.raises(Conflict) as refused:
        run(services.sign_up, make_user("Kuba"), meeting_id)
    assert refused.value.code == "meeting_full"
    assert count(MeetingSignup) == 1
    run(services.withdraw_signup, ola, meeting_id)
    assert get(Meeting, meeting_id).signup_count == 0
    run(services.sign_up, make_user("Kuba"), meeting_id)
    assert get(Meeting, meeting_id).signup_count == 1


def test_the_local_time_of_a_form(piotr):
    value = datetime(2026, 7, 1, 16, 0, tzinfo=UTC)
    assert times.local_input(value) == "2026-07-01T18:00"
