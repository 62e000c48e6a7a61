"""A reply's cost on the write path: a small, fixed number of SQL statements, whatever the size of
the thread, the number of streams it publishes on, or the way it came in (form or API).

bench/writepath.py measures the time; these hold the statements. A reply is: the login (with the
person's grants and mutes), the thread (with its room, area and its author's grants), the post it
answers, the thread's new count and activity (read back by the same UPDATE), the post, the
notification of the thread's author, the events' numbers on their streams (one upsert), the
event log (one insert), and the notified person's unread count for their live event.
"""

import re

import pytest
from sqlalchemy import select

from forum.discussion import services
from forum.discussion.models import Thread
from forum.extensions import db
from forum.realtime import events
from forum.realtime.models import Stream, StreamEvent
from forum.realtime.streams import publish, room_stream, thread_stream, user_stream
from tests.conftest import PASSWORD, app_context, get, make_user, room_of, run
from tests.discussion.test_queries import counted_queries

REPLY_STATEMENTS = 9


@pytest.fixture
def opener(app):
    return make_user("Otwierająca")


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def thread_of(opener, replies: int) -> int:
    thread = run(services.create_thread, opener, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    other = make_user("Druga")
    for number in range(replies):
        run(services.create_reply, other, thread.id, f"Odpowiedź {number}")
    return thread.id


def api_reply(client, thread_id: int, **extra) -> list[str]:
    with counted_queries() as statements:
        answer = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": "Tak!", **extra})
    assert answer.status_code == 201, answer.get_json()
    return statements


def test_a_reply_takes_a_fixed_number_of_statements_however_long_the_thread(app, opener):
    client = logged_in(app, make_user("Piszący"))
    short, long = thread_of(opener, 0), thread_of(opener, 40)
    assert len(api_reply(client, short)) == REPLY_STATEMENTS
    assert len(api_reply(client, long)) == REPLY_STATEMENTS


def test_a_reply_by_form_takes_one_statement_more_than_by_the_api(app, opener):
    """The one more: the form's redirect finds the slice of the thread that holds the reply."""
    writer = make_user("Piszący")
    thread_id = thread_of(opener, 3)
    client = logged_in(app, writer)
    with counted_queries() as statements:
        answer = client.post(f"/threads/{thread_id}/replies", data={"body": "Tak!"})
    assert answer.status_code == 302
    assert len(statements) == REPLY_STATEMENTS + 1


def test_a_reply_to_a_reply_takes_as_many_statements(app, opener):
    thread_id = thread_of(opener, 1)
    with app_context():
        first = db.session.scalars(
            select(services.Post).where(services.Post.thread_id == thread_id).order_by("id")
        ).all()[-1]
    client = logged_in(app, make_user("Piszący"))
    # the answered reply's author is told too: their notification, the person (whom its live
    # event is shown as) and their unread count
    assert len(api_reply(client, thread_id, parent_id=first.id)) == REPLY_STATEMENTS + 3


def test_the_reply_count_is_read_back_by_the_update(app, opener):
    client = logged_in(app, make_user("Piszący"))
    thread_id = thread_of(opener, 2)
    statements = api_reply(client, thread_id)
    assert not [s for s in statements if re.match(r"\s*SELECT\s+thread\.reply_count", s)]
    assert get(Thread, thread_id).reply_count == 3


def test_events_on_several_streams_are_numbered_and_logged_in_two_statements(app, opener):
    thread = run(services.create_thread, opener, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    with app_context():
        thread_row = db.session.get(Thread, thread.id)
        opener_row = db.session.get(type(opener), opener.id)
        publish(events.THREAD_UPDATED, room_stream(thread_row.room_id), thread_row)
        publish(events.THREAD_UPDATED, thread_stream(thread_row.id), thread_row)
        publish(events.THREAD_UPDATED, room_stream(thread_row.room_id), thread_row)
        publish(events.NOTIFICATIONS_READ, user_stream(opener.id), opener_row)
        with counted_queries() as statements:
            db.session.commit()
    numbering = [s for s in statements if "stream" in s.split("(")[0]]
    assert [s.split()[2] for s in numbering] == ["stream", "stream_event"]
    with app_context():
        logged = db.session.execute(
            select(Stream.kind, StreamEvent.seq, StreamEvent.name)
            .join(Stream, Stream.id == StreamEvent.stream_id)
            .order_by(StreamEvent.id)
        ).all()
    # thread_created was 1 on the room's stream; the next two are 2 and 3, in publishing order
    assert [(kind, seq) for kind, seq, _name in logged][-4:] == [
        ("room", 2),
        ("room", 3),
        ("thread", 1),
        ("user", 1),
    ]
