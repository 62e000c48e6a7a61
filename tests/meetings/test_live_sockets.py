"""A running meeting over sockets: agenda moves and questions reach everyone following it, who
is here, attendance on joining, and latecomers catching up."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.errors import Forbidden
from forum.extensions import db
from forum.meetings import live
from forum.meetings.live_schemas import AgendaMove, QuestionInput
from forum.meetings.models import AgendaItem, Meeting, MeetingAttendance
from forum.realtime import events
from tests.conftest import app_context, count, get, run, wait_until
from tests.meetings.conftest import logged_in
from tests.meetings.live_helpers import running, zzm


def items(meeting_id: int) -> list[int]:
    with app_context():
        return list(
            db.session.scalars(
                select(AgendaItem.id)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )


def test_agenda_moves_reach_everyone_on_the_meeting_and_its_room(
    app, connect, piotr, ola, live_meeting
):
    stream = f"meeting:{live_meeting}"
    room_id = get(Meeting, live_meeting).room_id
    guest = connect(app.test_client())
    assert guest.emit(events.JOIN, {"stream": stream})["stream"] == stream
    resident = connect(logged_in(app, ola))
    resident.emit(events.JOIN, {"stream": stream})
    room = connect(app.test_client())
    room.emit(events.JOIN, {"room_id": room_id})
    for sock in (guest, resident, room):
        sock.get_received()
    first, second, _ = items(live_meeting)
    run(live.move_agenda, piotr, live_meeting, AgendaMove(step="next"))
    run(live.move_agenda, piotr, live_meeting, AgendaMove(step="next"))
    for sock in (guest, resident):
        moves = sock.received_named(events.MEETING_UPDATED)
        assert [m["meeting"]["current_item_id"] for m in moves] == [first, second]
        assert moves[1]["seq"] == moves[0]["seq"] + 1 and moves[0]["stream"] == stream
        started = {i["id"]: i["started_at"] for i in moves[1]["meeting"]["agenda"]}
        assert started[first] is not None and started[second] is not None
    on_room = room.received_named(events.MEETING_UPDATED)
    assert [m["meeting"]["current_item_id"] for m in on_room] == [first, second]
    assert all(m["meeting"]["status"] == "live" for m in on_room)


def test_a_refused_move_sends_nothing(app, connect, ola, live_meeting):
    sock = connect(app.test_client())
    sock.emit(events.JOIN, {"stream": f"meeting:{live_meeting}"})
    sock.get_received()
    with pytest.raises(Forbidden):
        run(live.move_agenda, ola, live_meeting, AgendaMove(step="next"))
    assert sock.received_named(events.MEETING_UPDATED) == []


def test_questions_and_their_marks_reach_everyone(app, connect, piotr, ola, ewa):
    meeting_id = running(piotr, invited_unit_ids=[zzm()])
    expert = connect(logged_in(app, ewa))
    expert.emit(events.JOIN, {"stream": f"meeting:{meeting_id}"})
    expert.get_received()
    question = run(live.ask, ola, meeting_id, QuestionInput(body="Ile drzew?", unit_id=zzm()))
    [asked] = expert.received_named(events.QUESTION_ASKED)
    assert asked["question"]["body"] == "Ile drzew?"
    assert asked["question"]["unit"]["code"] == "ZZM" and not asked["question"]["answered"]
    run(live.mark_answered, piotr, question.id, True)
    [marked] = expert.received_named(events.QUESTION_UPDATED)
    assert marked["question"]["id"] == question.id and marked["question"]["answered"]
    assert marked["seq"] == asked["seq"] + 1


def test_a_latecomer_catches_up_on_what_it_missed(app, connect, piotr, ola, live_meeting):
    stream = f"meeting:{live_meeting}"
    first = connect(app.test_client()).emit(events.JOIN, {"stream": stream})
    seen = first["last_seq"]
    run(live.move_agenda, piotr, live_meeting, AgendaMove(step="next"))
    run(live.move_agenda, piotr, live_meeting, AgendaMove(step="next"))
    late = connect(logged_in(app, ola)).emit(events.JOIN, {"stream": stream, "after": seen})
    assert [e["name"] for e in late["events"]] == [events.MEETING_UPDATED] * 2
    assert late["events"][-1]["data"]["meeting"]["current_item_id"] == items(live_meeting)[1]
    assert late["last_seq"] == seen + 2


def test_who_is_here_on_the_meeting(app, connect, piotr, ola, live_meeting):
    stream = {"stream": f"meeting:{live_meeting}"}
    host = connect(logged_in(app, piotr))
    host.emit(events.JOIN, stream)
    ack = connect(logged_in(app, ola)).emit(events.JOIN, stream)
    assert ack["presence"]["count"] == 2
    assert [u["display_name"] for u in ack["presence"]["users"]] == ["Ola", "Piotr"]
    seen = []

    def host_sees(names: list[str]) -> bool:
        seen.extend(host.received_named(events.PRESENCE))
        return any([u["display_name"] for u in p["users"]] == names for p in seen)

    wait_until(lambda: host_sees(["Ola", "Piotr"]), what="Ola among those here")
    # The page, rendered now, names them too (for a browser without JavaScript).
    page = logged_in(app, piotr).get(f"/meetings/{live_meeting}").get_data(as_text=True)
    people = re.search(r'<p id="presence">([^<]*)</p>', page).group(1)
    assert people.startswith("2 ") and people.endswith(": Ola, Piotr")


def test_joining_a_running_meeting_records_attendance_once(
    app, connect, piotr, ola, meeting, live_meeting
):
    resident = connect(logged_in(app, ola))
    resident.emit(events.JOIN, {"stream": f"meeting:{meeting}"})  # not running yet
    assert count(MeetingAttendance) == 0
    for _ in range(2):
        resident.emit(events.JOIN, {"stream": f"meeting:{live_meeting}"})
    connect(app.test_client()).emit(events.JOIN, {"stream": f"meeting:{live_meeting}"})
    connect(logged_in(app, piotr)).emit(events.JOIN, {"stream": f"meeting:{live_meeting}"})
    with app_context():
        present = db.session.scalars(
            select(MeetingAttendance.user_id).where(MeetingAttendance.meeting_id == live_meeting)
        ).all()
    assert sorted(present) == sorted([ola.id, piotr.id])
