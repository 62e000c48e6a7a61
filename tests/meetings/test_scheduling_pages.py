"""The scheduling pages: the schedule and edit forms (times in Kraków's time), cancelling with
a reason, signing up and withdrawing on the meeting's page, and the lists of meetings on the
room's, the district's, the osiedle's pages and city-wide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forum.extensions import utcnow
from forum.meetings import times
from forum.meetings.models import AgendaItem, Meeting, MeetingInvitation, MeetingSignup
from forum.notifications.models import Notification
from tests.conftest import (
    app_context,
    count,
    district,
    get,
    make_user,
    room_by_slug,
    room_of,
    run,
    update,
)
from tests.meetings.conftest import logged_in, schedule


def _form(starts: str, ends: str, **values) -> dict:
    data = {
        "title": "Skwer przy Lipowej",
        "description": "Rozmawiamy o zieleni.\n\nZapraszamy sąsiadów.",
        "starts_at": starts,
        "ends_at": ends,
        "video_url": "https://meet.example.org/skwer",
        "capacity": "12",
        "agenda-0-title": "Powitanie",
        "agenda-0-planned_minutes": "10",
        "agenda-1-title": "Potrzeby",
        "agenda-1-planned_minutes": "50",
        "agenda-2-title": "",
        "agenda-2-planned_minutes": "",
    }
    data.update(values)
    return data


def _in_days(days: int, hour: int = 18) -> datetime:
    """A Kraków wall-clock time some days ahead."""
    day = times.local(utcnow()).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0)


def _local(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def test_the_room_page_offers_the_ambassador_to_schedule_and_lists_meetings(app, piotr, ola):
    room = room_of("XIII")
    schedule(piotr, title="Zieleń na Zabłociu")
    page = logged_in(app, piotr).get(f"/rooms/{room.id}").get_data(as_text=True)
    assert f"/rooms/{room.id}/meetings/new" in page
    assert "Zieleń na Zabłociu" in page
    resident = logged_in(app, ola).get(f"/rooms/{room.id}").get_data(as_text=True)
    assert "Zieleń na Zabłociu" in resident
    assert f"/rooms/{room.id}/meetings/new" not in resident
    assert logged_in(app, ola).get(f"/rooms/{room.id}/meetings/new").status_code == 403


def test_the_schedule_form_takes_krakow_time_across_the_october_change(app, piotr, ola):
    room = room_of("XIII")
    client = logged_in(app, piotr)
    form = client.get(f"/rooms/{room.id}/meetings/new")
    assert form.status_code == 200 and 'type="datetime-local"' in form.get_data(as_text=True)
    # 31 October 2027, the last Sunday of October (the form takes future times only; the
    # service tests take 25 October 2026): 01:30 is CEST (+2), 04:00 is CET (+1).
    answer = client.post(
        f"/rooms/{room.id}/meetings/new",
        data=_form("2027-10-31T01:30", "2027-10-31T04:00", invited_unit_ids=[]),
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    meeting_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    meeting = get(Meeting, meeting_id)
    assert meeting.starts_at == datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert meeting.ends_at == datetime(2027, 10, 31, 3, 0, tzinfo=UTC)
    assert meeting.capacity == 12 and meeting.video_url == "https://meet.example.org/skwer"
    assert count(AgendaItem, AgendaItem.meeting_id == meeting_id) == 2
    page = logged_in(app, ola).get(f"/meetings/{meeting_id}").get_data(as_text=True)
    # Shown in Kraków's time on either side of the change.
    assert "01:30" in page and "04:00" in page
    assert "0 of 12 places taken" in page or "0 z 12" in page
    # The list gives the day once when the meeting ends on the day it starts.
    listed = client.get("/meetings").get_data(as_text=True)
    assert 'datetime="2027-10-31T03:00:00+00:00">04:00</time>' in listed
    edit = client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert 'value="2027-10-31T01:30"' in edit and 'value="2027-10-31T04:00"' in edit


def test_a_wrong_form_is_shown_again_with_the_input_and_nothing_is_written(app, piotr):
    room = room_of("XIII")
    start = _in_days(3)
    answer = logged_in(app, piotr).post(
        f"/rooms/{room.id}/meetings/new",
        data=_form(
            _local(start),
            _local(start - timedelta(hours=1)),
            **{"agenda-1-planned_minutes": "dużo", "capacity": "0"},
        ),
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Skwer przy Lipowej" in page  # the input stays
    assert 'aria-invalid="true"' in page
    assert count(Meeting) == 0
    # Times right but ending first: the service's message on the end.
    answer = logged_in(app, piotr).post(
        f"/rooms/{room.id}/meetings/new",
        data=_form(_local(start), _local(start - timedelta(hours=1))),
    )
    assert answer.status_code == 422
    assert 'id="ends_at-error"' in answer.get_data(as_text=True)
    assert count(Meeting) == 0


def test_an_overlap_is_a_clear_error_on_the_form(app, piotr, meeting):
    first = get(Meeting, meeting)
    start = times.local(first.starts_at + timedelta(minutes=30)).replace(tzinfo=None)
    answer = logged_in(app, piotr).post(
        f"/rooms/{first.room_id}/meetings/new",
        data=_form(_local(start), _local(start + timedelta(hours=1))),
    )
    assert answer.status_code == 409
    assert "Zieleń na Zabłociu" in answer.get_data(as_text=True)  # the other meeting's title
    assert count(Meeting) == 1


def test_editing_moves_the_time_and_tells_those_signed_up(app, piotr, ola, meeting):
    run(_sign_up, ola, meeting)
    first = get(Meeting, meeting)
    new_start = times.local(first.starts_at + timedelta(days=1)).replace(
        tzinfo=None, second=0, microsecond=0
    )
    client = logged_in(app, piotr)
    answer = client.post(
        f"/meetings/{meeting}/edit",
        data=_form(
            _local(new_start),
            _local(new_start + timedelta(hours=2)),
            title="Zieleń na Zabłociu (nowy termin)",
            capacity="",
        ),
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    moved = get(Meeting, meeting)
    assert moved.starts_at == times.to_utc(new_start)
    assert moved.title == "Zieleń na Zabłociu (nowy termin)" and moved.capacity is None
    assert count(AgendaItem, AgendaItem.meeting_id == meeting) == 2
    told = Notification.user_id == ola.id, Notification.kind == "meeting_changed"
    assert count(Notification, *told) == 1
    # Saving again without moving the time tells no one.
    client.post(
        f"/meetings/{meeting}/edit",
        data=_form(
            _local(new_start),
            _local(new_start + timedelta(hours=2)),
            title="Zieleń na Zabłociu",
            capacity="",
        ),
    )
    assert count(Notification, *told) == 1
    assert get(Meeting, meeting).title == "Zieleń na Zabłociu"


def test_only_the_host_or_an_admin_edits(app, piotr, ola, meeting):
    assert logged_in(app, ola).get(f"/meetings/{meeting}/edit").status_code == 403
    other = make_user("Amb XIII 2", role="ambassador", scope="XIII")
    assert logged_in(app, other).get(f"/meetings/{meeting}/edit").status_code == 403
    admin = make_user("Admin", role="admin")
    assert logged_in(app, admin).get(f"/meetings/{meeting}/edit").status_code == 200
    assert f"/meetings/{meeting}/edit" not in logged_in(app, ola).get(
        f"/meetings/{meeting}"
    ).get_data(as_text=True)


def test_cancelling_asks_first_needs_a_reason_and_tells_everyone(app, piotr, ola, ewa):
    from forum.accounts.models import ExpertUnit
    from tests.conftest import app_context

    with app_context():
        from forum.extensions import db

        zzm = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one().id
    meeting = schedule(piotr, invited_unit_ids=[zzm])
    run(_sign_up, ola, meeting)
    client = logged_in(app, piotr)
    confirm = client.get(f"/meetings/{meeting}/cancel")
    assert confirm.status_code == 200 and 'method="post"' in confirm.get_data(as_text=True)
    assert get(Meeting, meeting).cancelled_at is None
    refused = client.post(f"/meetings/{meeting}/cancel", data={"reason": "  "})
    assert refused.status_code == 422
    assert get(Meeting, meeting).cancelled_at is None
    done = client.post(f"/meetings/{meeting}/cancel", data={"reason": "Choroba prowadzącego."})
    assert done.status_code == 302
    assert get(Meeting, meeting).cancelled_at is not None
    for person in (ola, ewa):
        rows = (
            Notification.user_id == person.id,
            Notification.kind == "meeting_cancelled",
            Notification.message == "Choroba prowadzącego.",
        )
        assert count(Notification, *rows) == 1
    page = logged_in(app, ola).get(f"/meetings/{meeting}").get_data(as_text=True)
    assert "/signup" not in page
    # Cancelled is final: no more changes.
    assert client.get(f"/meetings/{meeting}/edit").status_code == 409


def _sign_up(user, meeting_id):
    from forum.meetings import services

    return services.sign_up(user, meeting_id)


def test_signing_up_and_withdrawing_on_the_meeting_page(app, piotr, ola):
    meeting = schedule(piotr, capacity=1)
    client = logged_in(app, ola)
    page = client.get(f"/meetings/{meeting}").get_data(as_text=True)
    assert f"/meetings/{meeting}/signup" in page
    assert client.post(f"/meetings/{meeting}/signup").status_code == 302
    assert count(MeetingSignup, MeetingSignup.user_id == ola.id) == 1
    page = client.get(f"/meetings/{meeting}").get_data(as_text=True)
    assert f"/meetings/{meeting}/signup/withdraw" in page
    # Full: someone else is told so, and a sign-up past it is refused.
    kuba = logged_in(app, make_user("Kuba"))
    full = kuba.get(f"/meetings/{meeting}").get_data(as_text=True)
    assert f'action="/meetings/{meeting}/signup"' not in full
    refused = kuba.post(f"/meetings/{meeting}/signup")
    assert refused.status_code == 409
    assert get(Meeting, meeting).signup_count == 1
    # Withdrawing asks first.
    assert client.get(f"/meetings/{meeting}/signup/withdraw").status_code == 200
    assert count(MeetingSignup) == 1
    assert client.post(f"/meetings/{meeting}/signup/withdraw").status_code == 302
    assert count(MeetingSignup) == 0 and get(Meeting, meeting).signup_count == 0
    assert client.get(f"/meetings/{meeting}/signup/withdraw").status_code == 404


def test_a_guest_is_asked_to_log_in(app, client, piotr):
    meeting = schedule(piotr)
    page = client.get(f"/meetings/{meeting}").get_data(as_text=True)
    assert "/login?next=" in page
    answer = client.post(f"/meetings/{meeting}/signup")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert count(MeetingSignup) == 0


def test_district_and_osiedle_pages_list_their_meetings_and_their_osiedla_rooms(app, piotr):
    zablocie = room_by_slug("zablocie")
    in_district = schedule(piotr, title="Spotkanie dzielnicy")
    in_osiedle = run(
        _schedule_in, piotr, zablocie.id, title="Spotkanie Zabłocia", days=4
    )  # the osiedle's own room
    podgorze = district("XIII")
    page = logged_in(app, piotr).get(f"/areas/{podgorze.id}").get_data(as_text=True)
    assert "Spotkanie dzielnicy" in page and "Spotkanie Zabłocia" in page
    assert f"/areas/{podgorze.id}/meetings.ics" in page
    osiedle = logged_in(app, piotr).get(f"/areas/{zablocie.area_id}").get_data(as_text=True)
    assert "Spotkanie Zabłocia" in osiedle and "Spotkanie dzielnicy" not in osiedle
    other = logged_in(app, piotr).get(f"/areas/{district('I').id}").get_data(as_text=True)
    assert "Spotkanie" not in other
    assert in_district and in_osiedle


def _schedule_in(user, room_id, title, days):
    from forum.meetings import services
    from tests.meetings.conftest import meeting_input

    start = utcnow() + timedelta(days=days)
    data = meeting_input(
        title=title,
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
    )
    return services.schedule_meeting(user, room_id, data).id


def test_the_city_wide_list_with_past_and_cancelled_meetings(app, client, piotr, ended_meeting):
    upcoming = schedule(piotr, title="Spotkanie A")
    update(Meeting, ended_meeting, title="Spotkanie B")
    page = client.get("/meetings").get_data(as_text=True)
    assert "Spotkanie A" in page and "Spotkanie B" not in page
    past = client.get("/meetings?when=past").get_data(as_text=True)
    assert "Spotkanie B" in past and "Spotkanie A" not in past
    update(Meeting, upcoming, cancelled_at=utcnow())
    cancelled = client.get("/meetings?when=cancelled").get_data(as_text=True)
    assert "Spotkanie A" in cancelled
    assert "/meetings" in client.get("/").get_data(as_text=True)  # the menu's link
    assert client.get("/meetings?page=0").status_code == 404


def test_meetings_of_a_restricted_room_are_not_listed_to_outsiders(app, client, piotr):
    from forum.areas.models import Room

    room = room_of("XIII")
    meeting = schedule(piotr, title="Tajne")
    update(Room, room.id, is_public=False)
    assert "Tajne" not in client.get("/meetings").get_data(as_text=True)
    assert client.get(f"/meetings/{meeting}").status_code == 404
    assert client.get(f"/meetings/{meeting}.ics").status_code == 404
    assert "Tajne" not in client.get(f"/areas/{district('XIII').id}").get_data(as_text=True)


def test_invitations_change_on_edit_and_the_newly_invited_are_told(app, piotr, ewa, meeting):
    from forum.accounts.models import ExpertUnit
    from tests.conftest import app_context

    with app_context():
        from forum.extensions import db

        zzm = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZZM")).one().id
    first = get(Meeting, meeting)
    start = times.local(first.starts_at).replace(tzinfo=None)
    answer = logged_in(app, piotr).post(
        f"/meetings/{meeting}/edit",
        data=_form(_local(start), _local(start + timedelta(hours=2)), invited_unit_ids=[str(zzm)]),
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert count(MeetingInvitation, MeetingInvitation.meeting_id == meeting) == 1
    invited = Notification.user_id == ewa.id, Notification.kind == "meeting_invited"
    assert count(Notification, *invited) == 1
    logged_in(app, piotr).post(
        f"/meetings/{meeting}/edit",
        data=_form(_local(start), _local(start + timedelta(hours=2)), invited_unit_ids=[]),
    )
    assert count(MeetingInvitation, MeetingInvitation.meeting_id == meeting) == 0
    assert count(Notification, *invited) == 1
    bad = logged_in(app, piotr).post(
        f"/meetings/{meeting}/edit",
        data=_form(_local(start), _local(start + timedelta(hours=2)), invited_unit_ids=["999"]),
    )
    assert bad.status_code == 422


def test_an_agenda_item_the_meeting_reached_stays(app, piotr, live_meeting):
    with_items = get(Meeting, live_meeting)
    with app_context():
        from forum.extensions import db

        items = db.session.scalars(
            db.select(AgendaItem)
            .where(AgendaItem.meeting_id == live_meeting)
            .order_by(AgendaItem.position)
        ).all()
        reached = items[2].id
    update(AgendaItem, reached, started_at=utcnow())
    start = times.local(with_items.starts_at).replace(tzinfo=None)
    end = times.local(with_items.ends_at).replace(tzinfo=None)
    # A live meeting keeps its start (written to the minute, as the form shows it).
    answer = logged_in(app, piotr).post(
        f"/meetings/{live_meeting}/edit",
        data=_form(_local(start), _local(end), title="Inny tytuł", capacity=""),
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="agenda-error"' in page and "Inny tytuł" in page
    assert get(Meeting, live_meeting).title == "Zieleń na Zabłociu"
    assert count(AgendaItem, AgendaItem.meeting_id == live_meeting) == 3
    # Keeping all three items (renamed) is fine, and the live meeting's start stays as stored.
    answer = logged_in(app, piotr).post(
        f"/meetings/{live_meeting}/edit",
        data=_form(
            _local(start),
            _local(end),
            capacity="",
            **{"agenda-2-title": "Pytania", "agenda-2-planned_minutes": "30"},
        ),
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert get(Meeting, live_meeting).starts_at == with_items.starts_at
    assert get(AgendaItem, reached).title == "Pytania"


def test_an_areas_past_meetings(app, client, piotr, ended_meeting):
    update(Meeting, ended_meeting, title="Spotkanie C")
    podgorze = district("XIII")
    area_page = client.get(f"/areas/{podgorze.id}").get_data(as_text=True)
    assert f"/meetings?area_id={podgorze.id}&amp;when=past" in area_page
    past = client.get(f"/meetings?area_id={podgorze.id}&when=past").get_data(as_text=True)
    assert "Spotkanie C" in past and "XIII Podgórze" in past
    elsewhere = client.get(f"/meetings?area_id={district('I').id}&when=past")
    assert "Spotkanie C" not in elsewhere.get_data(as_text=True)
    assert client.get("/meetings?area_id=abc").status_code == 404
    assert client.get("/meetings?area_id=999999").status_code == 404
