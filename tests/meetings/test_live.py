"""The meeting while it runs: the host moves through the agenda, questions to the invited
experts, attendance, and the page's live section and the room's banner."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.meetings import live
from forum.meetings.live_schemas import AgendaMove, QuestionInput
from forum.meetings.models import AgendaItem, Meeting, MeetingAttendance, MeetingQuestion
from forum.realtime.streams import last_seq, meeting_stream, room_stream
from forum.realtime.subjects import GUEST
from forum.schemas import parse
from tests.conftest import app_context, count, get, make_user, run, update
from tests.meetings.conftest import logged_in, schedule
from tests.meetings.live_helpers import running, zzm


@pytest.fixture
def with_experts(piotr, ewa) -> int:
    """A running meeting to which ZZM (Ewa's unit) is invited."""
    return running(piotr, invited_unit_ids=[zzm()])


def step(name: str) -> AgendaMove:
    return AgendaMove(step=name)


def to(item_id: int) -> AgendaMove:
    return AgendaMove(item_id=item_id)


def agenda_of(meeting_id: int) -> list[AgendaItem]:
    with app_context():
        return list(
            db.session.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )


def seqs(meeting_id: int) -> tuple[int, int]:
    with app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return last_seq(meeting_stream(meeting_id)), last_seq(room_stream(meeting.room_id))


# --- the agenda ------------------------------------------------------------------------------


def test_the_host_moves_through_the_agenda_and_each_item_keeps_when_it_started(piotr, live_meeting):
    first, second, third = agenda_of(live_meeting)
    before = seqs(live_meeting)
    run(live.move_agenda, piotr, live_meeting, step("next"))
    assert get(Meeting, live_meeting).current_item_id == first.id
    assert seqs(live_meeting) == (before[0] + 1, before[1] + 1)  # its stream and its room's
    run(live.move_agenda, piotr, live_meeting, step("next"))
    assert get(Meeting, live_meeting).current_item_id == second.id
    started = get(AgendaItem, second.id).started_at
    assert started is not None
    run(live.move_agenda, piotr, live_meeting, step("previous"))
    assert get(Meeting, live_meeting).current_item_id == first.id
    run(live.move_agenda, piotr, live_meeting, to(third.id))
    run(live.move_agenda, piotr, live_meeting, to(second.id))
    assert get(AgendaItem, second.id).started_at == started  # when it was first reached
    assert get(AgendaItem, third.id).started_at is not None
    # Going where the meeting is already changes nothing and tells nobody.
    now = seqs(live_meeting)
    run(live.move_agenda, piotr, live_meeting, to(second.id))
    assert seqs(live_meeting) == now


def test_an_admin_may_stand_in_for_the_host(live_meeting):
    admin = make_user("Admin", role="admin")
    run(live.move_agenda, admin, live_meeting, step("next"))
    assert get(Meeting, live_meeting).current_item_id == agenda_of(live_meeting)[0].id


def test_steps_past_either_end_of_the_agenda_are_refused(piotr, live_meeting):
    with pytest.raises(Conflict) as refused:
        run(live.move_agenda, piotr, live_meeting, step("previous"))
    assert refused.value.code == "agenda_start"
    last = agenda_of(live_meeting)[-1]
    run(live.move_agenda, piotr, live_meeting, to(last.id))
    before = seqs(live_meeting)
    with pytest.raises(Conflict) as refused:
        run(live.move_agenda, piotr, live_meeting, step("next"))
    assert refused.value.code == "agenda_end"
    assert get(Meeting, live_meeting).current_item_id == last.id
    assert seqs(live_meeting) == before


@pytest.mark.parametrize(
    ("who", "when", "error", "code"),
    [
        ("ola", "live", Forbidden, "not_host"),
        ("other ambassador", "live", Forbidden, "not_host"),
        ("guest", "live", NotAuthenticated, "not_authenticated"),
        ("piotr", "upcoming", Conflict, "meeting_not_live"),
        ("piotr", "ended", Conflict, "meeting_not_live"),
    ],
)
def test_a_refused_move_is_a_clear_error_and_nothing_changes(
    piotr, ola, meeting, live_meeting, ended_meeting, who, when, error, code
):
    meeting_id = {"live": live_meeting, "upcoming": meeting, "ended": ended_meeting}[when]
    user = {
        "ola": ola,
        "piotr": piotr,
        "guest": None,
        "other ambassador": make_user("Amb XIII", role="ambassador", scope="XIII"),
    }[who]
    before = seqs(meeting_id)
    with pytest.raises(error) as refused:
        run(live.move_agenda, user, meeting_id, to(agenda_of(meeting_id)[1].id))
    assert refused.value.code == code
    assert get(Meeting, meeting_id).current_item_id is None
    assert all(item.started_at is None for item in agenda_of(meeting_id))
    assert seqs(meeting_id) == before


def test_an_item_of_another_meeting_or_no_agenda_at_all(piotr, live_meeting):
    later = schedule(piotr)
    with pytest.raises(NotFound):
        run(live.move_agenda, piotr, live_meeting, to(agenda_of(later)[0].id))
    bare = running(make_user("Admin", role="admin"), room_number="I", agenda=[])
    with pytest.raises(Conflict) as refused:
        run(live.move_agenda, make_user("Admin 2", role="admin"), bare, step("next"))
    assert refused.value.code == "no_agenda"


def test_a_step_is_not_taken_twice_when_the_agenda_moved_meanwhile(piotr, live_meeting):
    first, second, _third = agenda_of(live_meeting)
    run(live.move_agenda, piotr, live_meeting, to(first.id))

    def next_seen_from_first(user, meeting_id):
        # As if another click had moved the meeting on after this request read it.
        meeting = live.access_meeting(user, meeting_id)
        assert meeting.current_item_id == first.id
        db.session.execute(
            db.update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(current_item_id=second.id)
            .execution_options(synchronize_session=False)  # this request still saw the first
        )
        return live.move_agenda(user, meeting_id, step("next"))

    with pytest.raises(Conflict) as refused:
        run(next_seen_from_first, piotr, live_meeting)
    assert refused.value.code == "agenda_moved"
    assert get(Meeting, live_meeting).current_item_id == first.id  # rolled back whole


# --- questions -------------------------------------------------------------------------------


def ask(user, meeting_id, body="Czy teren przy Lipowej jest miejski?", unit_id=None):
    return run(live.ask, user, meeting_id, QuestionInput(body=body, unit_id=unit_id))


def test_residents_ask_the_invited_unit_or_all_and_the_host_marks_them(piotr, ola, with_experts):
    before = seqs(with_experts)[0]
    to_unit = ask(ola, with_experts, unit_id=zzm())
    to_all = ask(ola, with_experts, body="  A   kiedy\nbudowa? ")
    assert seqs(with_experts)[0] == before + 2
    assert get(MeetingQuestion, to_all.id).body == "A kiedy budowa?"
    assert get(MeetingQuestion, to_all.id).unit_id is None
    assert get(MeetingQuestion, to_unit.id).unit_id == zzm()
    run(live.mark_answered, piotr, to_unit.id, True)
    answered = get(MeetingQuestion, to_unit.id)
    assert answered.answered_at is not None and answered.answered_by_id == piotr.id
    run(live.mark_answered, piotr, to_unit.id, True)  # again: nothing changes
    assert seqs(with_experts)[0] == before + 3
    run(live.mark_answered, piotr, to_unit.id, False)
    assert get(MeetingQuestion, to_unit.id).answered_at is None
    with app_context():
        assert [q.id for q in live.questions_of(with_experts)] == [to_unit.id, to_all.id]


def test_questions_are_refused_with_clear_errors(piotr, ola, ewa, with_experts):
    with pytest.raises(ValidationError) as refused:
        ask(ola, with_experts, unit_id=zzm() + 1000)
    assert "unit_id" in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        ask(ola, with_experts, body="   ")
    assert "body" in refused.value.fields
    with pytest.raises(NotAuthenticated):
        ask(None, with_experts)
    with pytest.raises(Conflict) as refused:
        ask(ola, running(make_user("Admin", role="admin"), room_number="I"))  # nobody invited
    assert refused.value.code == "no_experts_invited"
    question = ask(ola, with_experts)
    for user in (ola, ewa):
        with pytest.raises(Forbidden) as refused:
            run(live.mark_answered, user, question.id, True)
        assert refused.value.code == "not_host"
    with pytest.raises(NotFound):
        run(live.mark_answered, piotr, question.id + 1000, True)
    assert count(MeetingQuestion) == 1
    assert get(MeetingQuestion, question.id).answered_at is None


def test_a_question_is_too_long_for_the_shape(ola, with_experts):
    with pytest.raises(ValidationError) as refused:
        parse(QuestionInput, {"body": "x" * 501})
    assert "body" in refused.value.fields


def test_no_questions_after_the_meeting(piotr, ola, ewa):
    start = utcnow() - timedelta(hours=3)
    ended = schedule(
        piotr,
        now=start - timedelta(days=1),
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=2)).isoformat(),
        invited_unit_ids=[zzm()],
    )
    with pytest.raises(Conflict) as refused:
        ask(ola, ended)
    assert refused.value.code == "meeting_ended"


# --- attendance ------------------------------------------------------------------------------


def test_attendance_is_recorded_once_for_people_while_it_runs(piotr, ola, meeting, live_meeting):
    with app_context():
        running_meeting = db.session.get(Meeting, live_meeting)
        upcoming = db.session.get(Meeting, meeting)
        assert live.record_attendance(ola, running_meeting)
        assert not live.record_attendance(ola, running_meeting)
        assert not live.record_attendance(GUEST, running_meeting)
        assert not live.record_attendance(ola, upcoming)
        db.session.commit()
    assert count(MeetingAttendance) == 1


def test_opening_the_running_meetings_page_records_attendance(app, ola, meeting, live_meeting):
    client = logged_in(app, ola)
    assert client.get(f"/meetings/{meeting}").status_code == 200
    assert count(MeetingAttendance) == 0  # not running yet
    assert client.get(f"/meetings/{live_meeting}").status_code == 200
    assert client.get(f"/meetings/{live_meeting}").status_code == 200
    assert count(MeetingAttendance, MeetingAttendance.user_id == ola.id) == 1
    app.test_client().get(f"/meetings/{live_meeting}")  # a guest: nobody to record
    assert count(MeetingAttendance) == 1


# --- the page --------------------------------------------------------------------------------


def test_the_live_section_shows_the_current_item_and_the_host_gets_the_controls(
    app, piotr, ola, live_meeting
):
    first, second, _third = agenda_of(live_meeting)
    host = logged_in(app, piotr)
    page = host.get(f"/meetings/{live_meeting}").get_data(as_text=True)
    assert 'data-live="meeting:' in page and "meeting-live.js" in page
    assert "Rozpocznij porządek" in page
    answer = host.post(f"/meetings/{live_meeting}/agenda", data={"item_id": str(first.id)})
    assert answer.status_code == 302 and answer.location.endswith("#meeting-now")
    page = host.get(f"/meetings/{live_meeting}").get_data(as_text=True)
    assert re.search(r'aria-current="step">\s*<span class="item-title">Powitanie', page)
    assert "Następny punkt" in page and "Poprzedni punkt" not in page
    resident = logged_in(app, ola).get(f"/meetings/{live_meeting}").get_data(as_text=True)
    assert "Powitanie" in resident and "Następny punkt" not in resident
    assert f'action="/meetings/{live_meeting}/agenda"' not in resident
    # A resident's move, sent anyway, is refused and changes nothing.
    refused = logged_in(app, ola).post(
        f"/meetings/{live_meeting}/agenda", data={"item_id": str(second.id)}
    )
    assert refused.status_code == 403
    assert "Może to zrobić tylko prowadzący spotkanie." in refused.get_data(as_text=True)
    assert get(Meeting, live_meeting).current_item_id == first.id


def test_a_move_form_with_no_item_is_a_clear_error(app, piotr, live_meeting):
    answer = logged_in(app, piotr).post(f"/meetings/{live_meeting}/agenda", data={"item_id": "x"})
    assert answer.status_code == 422
    assert get(Meeting, live_meeting).current_item_id is None


def test_upcoming_and_ended_meetings_have_no_live_section(app, piotr, meeting, ended_meeting):
    for meeting_id in (meeting, ended_meeting):
        page = logged_in(app, piotr).get(f"/meetings/{meeting_id}").get_data(as_text=True)
        assert "meeting-live" not in page and "meeting-live.js" not in page


def test_asking_from_the_page_and_a_refused_question_keeps_its_text(app, piotr, ola, with_experts):
    client = logged_in(app, ola)
    page = client.get(f"/meetings/{with_experts}").get_data(as_text=True)
    assert "Pytania do ekspertów" in page and 'name="unit_id"' in page
    answer = client.post(
        f"/meetings/{with_experts}/questions",
        data={"question": "Ile drzew?", "unit_id": str(zzm())},
    )
    assert answer.status_code == 302
    with app_context():
        [question] = live.questions_of(with_experts)
    assert answer.location.endswith(f"#question-{question.id}")
    refused = client.post(
        f"/meetings/{with_experts}/questions",
        data={"question": "Ile ławek?", "unit_id": "999"},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Wybierz jedną z jednostek zaproszonych na spotkanie." in text and "Ile ławek?" in text
    assert count(MeetingQuestion) == 1
    # The host marks it answered from the page; a resident cannot.
    assert "Oznacz jako odpowiedziane" not in text
    host = logged_in(app, piotr)
    assert "Oznacz jako odpowiedziane" in host.get(f"/meetings/{with_experts}").get_data(
        as_text=True
    )
    marked = client.post(f"/meeting-questions/{question.id}/answered", data={"answered": "1"})
    assert marked.status_code == 403
    marked = host.post(f"/meeting-questions/{question.id}/answered", data={"answered": "1"})
    assert marked.status_code == 302
    page = client.get(f"/meetings/{with_experts}").get_data(as_text=True)
    assert "Odpowiedziano" in page and "Ile drzew?" in page


def test_the_section_shows_the_latest_replies_of_the_meeting_thread(app, ola, live_meeting):
    from forum.discussion import services as discussion

    thread_id = get(Meeting, live_meeting).thread_id
    run(discussion.create_reply, ola, thread_id, "Jestem, słyszę dobrze.")
    page = app.test_client().get(f"/meetings/{live_meeting}").get_data(as_text=True)
    assert "Jestem, słyszę dobrze." in page
    assert f'action="/threads/{thread_id}/replies"' not in page  # a guest: log in to reply
    page = logged_in(app, ola).get(f"/meetings/{live_meeting}").get_data(as_text=True)
    assert f'action="/threads/{thread_id}/replies"' in page


def test_agenda_times_show_in_krakow_time_on_the_last_sunday_of_october(app, piotr, live_meeting):
    first, second, _third = agenda_of(live_meeting)
    run(live.move_agenda, piotr, live_meeting, to(second.id))
    # 00:30 UTC is 02:30 CEST; 01:30 UTC is 02:30 CET, an hour later, after the clocks go back.
    update(AgendaItem, first.id, started_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    update(AgendaItem, second.id, started_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    page = logged_in(app, piotr).get(f"/meetings/{live_meeting}").get_data(as_text=True)
    times = re.findall(r'<time datetime="2026-10-25T0[01]:30:00\+00:00">([^<]*)</time>', page)
    assert len(times) >= 2 and all("02:30" in shown for shown in times)


def test_the_room_page_shows_a_running_meeting_as_live(app, piotr, meeting, live_meeting):
    room_id = get(Meeting, live_meeting).room_id
    page = app.test_client().get(f"/rooms/{room_id}").get_data(as_text=True)
    assert 'id="meeting-banner"' in page
    banner = page.split('id="meeting-banner"', 1)[1].split('id="upcoming-meetings"', 1)[0]
    assert f'href="/meetings/{live_meeting}"' in banner
    assert f'href="/meetings/{meeting}"' not in banner  # upcoming: in the list below only
    run(live.move_agenda, piotr, live_meeting, to(agenda_of(live_meeting)[1].id))
    page = app.test_client().get(f"/rooms/{room_id}").get_data(as_text=True)
    assert "Teraz: Potrzeby." in page


def test_a_question_sent_twice_with_its_forms_key_is_asked_once(app, ola, with_experts):
    client = logged_in(app, ola)
    page = client.get(f"/meetings/{with_experts}").get_data(as_text=True)
    form = page[page.index('class="question-form"') :]
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    sent = {"question": "Ile drzew?", "unit_id": "", "idempotency_key": key}
    for _ in range(2):
        assert client.post(f"/meetings/{with_experts}/questions", data=sent).status_code == 302
    assert count(MeetingQuestion) == 1
