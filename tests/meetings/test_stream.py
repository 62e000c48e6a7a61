"""A meeting's stream: who may follow it, what it carries, and catching up on it."""

from __future__ import annotations

from forum.areas.models import Room
from forum.meetings import services
from forum.realtime import events
from tests.conftest import make_member, make_user, run, update
from tests.meetings.conftest import logged_in, schedule


def test_a_reader_follows_the_meeting_and_catches_up_on_what_they_missed(app, connect, meeting):
    ola = make_user("Ola")
    sock = connect(logged_in(app, ola))
    ack = sock.emit(events.JOIN, {"stream": f"meeting:{meeting}", "after": 0})
    [scheduled] = ack["events"]
    assert scheduled["name"] == events.MEETING_UPDATED
    assert scheduled["data"]["meeting"]["status"] == "upcoming"
    assert ack["presence"]["count"] == 1
    run(services.sign_up, ola, meeting)
    [signed] = sock.received_named(events.MEETING_UPDATED)
    assert signed["meeting"]["signups"] == 1 and signed["seq"] == 2


def test_the_rooms_stream_hears_of_its_meetings(app, connect, piotr):
    from tests.conftest import room_of

    sock = connect(app.test_client())
    sock.emit(events.JOIN, {"room_id": room_of("XIII").id})
    sock.get_received()
    meeting_id = schedule(piotr)
    [announced] = sock.received_named(events.MEETING_UPDATED)
    assert announced["meeting"]["id"] == meeting_id


def test_a_meeting_of_a_restricted_room_is_as_missing_for_others(app, connect, piotr):
    from tests.conftest import room_of

    room_id = room_of("XIII").id
    meeting_id = schedule(piotr)
    update(Room, room_id, is_public=False)
    outsider = connect(logged_in(app, make_user("Ola")))
    refused = outsider.emit(events.JOIN, {"stream": f"meeting:{meeting_id}"})
    missing = outsider.emit(events.JOIN, {"stream": "meeting:999999"})
    assert refused["error"]["code"] == missing["error"]["code"] == "not_found"
    assert refused["error"]["message"] == missing["error"]["message"]
    member = make_member(make_user("Kasia"), room_id)
    inside = connect(logged_in(app, member))
    assert inside.emit(events.JOIN, {"stream": f"meeting:{meeting_id}"})["stream"] == (
        f"meeting:{meeting_id}"
    )
