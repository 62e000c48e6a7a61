"""Creating a series: the admins only, three workshop meetings in the city track's workshop
rooms, the times checked as any meeting's (and in order), nothing written when refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.discussion.models import Thread
from forum.errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from forum.extensions import db, utcnow
from forum.meetings.models import Meeting
from forum.workshops import services
from forum.workshops.models import WorkshopSeries, WorkshopStage
from tests.conftest import GUEST, app_context, count, make_user, room_by_slug, room_of, run
from tests.meetings.conftest import meeting_input
from tests.workshops.conftest import create, stages

ROOMS = ("warsztat-1-potrzeby-mieszkancow", "warsztat-2-pomysly", "warsztat-3-wnioski-do-budzetu")


def test_an_admin_creates_a_series_with_its_three_workshops(admin):
    series_id = create(admin)
    with app_context():
        series = db.session.get(WorkshopSeries, series_id)
        assert series.edition.is_current and series.created_by_id == admin.id
        assert [(s.number, s.kind) for s in series.stages] == [
            (1, "needs"),
            (2, "ideas"),
            (3, "proposals"),
        ]
        meetings = [stage.meeting for stage in series.stages]
        assert [m.room.slug for m in meetings] == list(ROOMS)
        assert all(m.host_id == admin.id and m.status() == "upcoming" for m in meetings)
        assert meetings[0].title == f"Warsztaty BO 2027 — {services.stage_name(1)}"
        assert all(m.thread.room_id == m.room_id for m in meetings)


@pytest.mark.parametrize("who", ["resident", "ambassador", "guest"])
def test_only_admins_create_series(app, who):
    user = {
        "resident": lambda: make_user("Ola"),
        "ambassador": lambda: make_user("Piotr", role="ambassador", scope="XIII"),
        "guest": lambda: GUEST,
    }[who]()
    with pytest.raises(NotAuthenticated if who == "guest" else Forbidden):
        create(user)
    assert count(WorkshopSeries) == count(Meeting) == count(Thread) == 0


def test_each_workshop_comes_after_the_one_before(admin):
    start = utcnow() + timedelta(days=3)
    times = stages(start)
    times[1] = {
        "starts_at": (start + timedelta(hours=1)).isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
    }
    with pytest.raises(ValidationError) as refused:
        create(admin, stages=times)
    assert set(refused.value.fields) == {"stages.1.starts_at"}
    assert count(WorkshopSeries) == count(Meeting) == 0


def test_a_stage_that_ends_before_it_starts_is_named(admin):
    times = stages(utcnow() + timedelta(days=3))
    times[2]["ends_at"] = times[2]["starts_at"]
    with pytest.raises(ValidationError) as refused:
        create(admin, stages=times)
    assert "stages.2.ends_at" in refused.value.fields
    assert count(WorkshopSeries) == count(Meeting) == count(Thread) == 0


def test_a_workshop_overlapping_a_meeting_of_its_room_is_refused_whole(admin):
    start = utcnow() + timedelta(days=10)
    room = room_by_slug(ROOMS[1])
    from forum.meetings import services as meetings

    run(
        meetings.schedule_meeting,
        admin,
        room.id,
        meeting_input(
            starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat()
        ),
    )
    with pytest.raises(Conflict) as refused:
        create(admin, stages=stages(start - timedelta(days=7)))
    assert refused.value.code == "meeting_overlaps"
    with app_context():
        assert refused.value.message.startswith(services.stage_name(2))
    assert count(WorkshopSeries) == 0 and count(Meeting) == 1  # the first stage's is gone too


def test_a_stage_is_held_in_an_open_room_of_the_city_track(admin):
    times = stages(utcnow() + timedelta(days=3))
    times[0]["room_id"] = room_of("XIII").id
    with pytest.raises(ValidationError) as refused:
        create(admin, stages=times)
    assert set(refused.value.fields) == {"stages.0.room_id"}
    times[0]["room_id"] = room_by_slug(ROOMS[2]).id
    times[2]["room_id"] = room_by_slug(ROOMS[0]).id
    series_id = create(admin, stages=times)
    with app_context():
        stages_of = db.session.scalars(
            db.select(WorkshopStage)
            .where(WorkshopStage.series_id == series_id)
            .order_by(WorkshopStage.number)
        )
        assert [s.meeting.room.slug for s in stages_of] == [ROOMS[2], ROOMS[1], ROOMS[0]]


def test_times_in_krakow_across_the_october_change(admin):
    """The last Sunday of October 2026 (the 25th): 18:00 in Kraków is 17:00 UTC (CET), the day
    before 16:00 UTC (CEST); the page shows the Kraków times."""
    times = [
        {"starts_at": "2026-10-24T18:00", "ends_at": "2026-10-24T20:00"},
        {"starts_at": "2026-10-25T18:00", "ends_at": "2026-10-25T20:00"},
        {"starts_at": "2026-10-31T18:00", "ends_at": "2026-10-31T20:00"},
    ]
    series_id = create(admin, now=datetime(2026, 10, 1, tzinfo=UTC), stages=times)
    with app_context():
        series = db.session.get(WorkshopSeries, series_id)
        starts = [stage.meeting.starts_at for stage in series.stages]
    assert starts == [
        datetime(2026, 10, 24, 16, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 17, 0, tzinfo=UTC),
        datetime(2026, 10, 31, 17, 0, tzinfo=UTC),
    ]


def test_the_invited_units_are_invited_to_every_workshop(admin, ewa):
    from forum.accounts.models import ExpertUnit
    from forum.notifications.models import Notification

    with app_context():
        zzm = db.session.scalar(db.select(ExpertUnit.id).where(ExpertUnit.code == "ZZM"))
    series_id = create(admin, invited_unit_ids=[zzm])
    with app_context():
        series = db.session.get(WorkshopSeries, series_id)
        assert [[i.unit_id for i in s.meeting.invitations] for s in series.stages] == [[zzm]] * 3
    assert count(Notification, Notification.user_id == ewa.id) == 3
    with pytest.raises(ValidationError) as refused:
        later = stages(utcnow() + timedelta(days=60))
        create(admin, title="Inna seria", stages=later, invited_unit_ids=[9999])
    assert set(refused.value.fields) == {"invited_unit_ids"}
