"""Published events: numbered per stream as the transaction commits, logged without anyone's
words, sent only after the commit, re-read for the reader on catch-up."""

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.errors import ValidationError
from forum.extensions import db, socketio, utcnow
from forum.realtime import events
from forum.realtime.catchup import catch_up
from forum.realtime.models import Stream, StreamEvent
from forum.realtime.streams import (
    PENDING,
    StreamKey,
    last_seq,
    prune_events,
    publish,
    room_stream,
    thread_stream,
)
from forum.transactions import transaction
from tests.conftest import GUEST, actor, app_context, make_user, room_of, run
from tests.sockets import CheckedSocket


@pytest.fixture
def listener(app, client):
    """A socket following the XIII Podgórze room."""
    sock = CheckedSocket(app, client)
    sock.emit(events.JOIN, {"room_id": room_of("XIII").id})
    sock.get_received()
    yield sock
    sock.disconnect()


def caught_up(viewer, key: StreamKey, after: int | None) -> dict:
    """What catch-up answers, as a client receives it."""
    return catch_up(viewer, key, after).model_dump(mode="json")


def published(sock) -> list[dict]:
    return [m for m in sock.get_received() if m["name"] in events.EVENTS]


def logged(key: StreamKey) -> list[tuple[int, str, int]]:
    """The stream's log: (seq, name, subject id), oldest first."""
    with app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(StreamEvent.seq, StreamEvent.name, StreamEvent.subject_id)
                .join(Stream, Stream.id == StreamEvent.stream_id)
                .where(Stream.kind == key.kind, Stream.target_id == key.target_id)
                .order_by(StreamEvent.seq)
            )
        ]


def test_writes_number_each_stream_on_its_own(app):
    anna = make_user("Anna")
    room_id = room_of("XIII").id
    thread = run(services.create_thread, anna, room_id, "Wątek", "Początek")
    reply = run(services.create_reply, anna, thread.id, "Odpowiedź")
    run(services.edit_post, anna, reply.id, "Poprawiona")
    run(services.delete_post, anna, reply.id)
    assert logged(thread_stream(thread.id)) == [
        (1, "post_created", reply.id),
        (2, "post_updated", reply.id),
        (3, "post_deleted", reply.id),
    ]
    assert logged(room_stream(room_id)) == [
        (1, "thread_created", thread.id),
        (2, "thread_updated", thread.id),
        (3, "thread_updated", thread.id),
        (4, "thread_updated", thread.id),
    ]
    with app_context():
        assert last_seq(thread_stream(thread.id)) == 3
        assert last_seq(room_stream(room_id)) == 4
        assert last_seq(room_stream(room_of("I").id)) == 0


def test_live_events_carry_the_stream_and_its_seq(listener):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    run(services.create_reply, anna, thread.id, "Odpowiedź")
    sent = [m for m in listener.get_received() if m["name"] in events.EVENTS]
    assert [(m["name"], m["args"][0]["seq"]) for m in sent] == [
        ("thread_created", 1),
        ("thread_updated", 2),
    ]
    assert {m["args"][0]["stream"] for m in sent} == {f"room:{room_of('XIII').id}"}
    assert sent[1]["args"][0]["thread"]["reply_count"] == 1


def test_the_log_holds_no_words(app):
    """Names, ids and numbers only: nothing anyone wrote is kept in the event log."""
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Tajny tytuł", "Tajne słowa")
    run(services.create_reply, anna, thread.id, "Jeszcze tajniejsze")
    with app_context():
        columns = set(StreamEvent.__table__.columns.keys())
        rows = db.session.execute(select(StreamEvent)).scalars().all()
    assert columns == {"id", "stream_id", "seq", "name", "subject_id", "created_at"}
    assert rows and all(isinstance(row.subject_id, int) for row in rows)


def test_a_rolled_back_write_sends_and_logs_nothing(app, listener):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    listener.get_received()
    with app_context():
        found = db.session.get(Thread, thread.id)
        publish(events.THREAD_UPDATED, room_stream(found.room_id), found)
        db.session.rollback()
        assert PENDING not in db.session.info
    assert published(listener) == []
    assert len(logged(room_stream(room_of("XIII").id))) == 1


def test_a_refused_write_sends_nothing(listener):
    anna = make_user("Anna")
    with pytest.raises(ValidationError):
        run(services.create_thread, anna, room_of("XIII").id, "", "")
    assert published(listener) == []


def test_a_failed_commit_sends_nothing(app, listener):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    listener.get_received()
    with app_context():
        found = db.session.get(Thread, thread.id)
        publish(events.THREAD_UPDATED, room_stream(found.room_id), found)
        db.session.add(Post(thread_id=found.id, author_id=999_999, body_source="", body_html=""))
        with pytest.raises(Exception):  # noqa: B017 (the driver's IntegrityError: no such author)
            db.session.commit()
        db.session.rollback()
    assert published(listener) == []
    assert len(logged(room_stream(room_of("XIII").id))) == 1


def test_a_send_that_fails_leaves_the_write_done_and_is_logged(app, client, monkeypatch, caplog):
    """The emit fails after the commit: the post is stored once, the request answered 201."""
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    client.post("/api/v1/session", json={"email": anna.email, "password": "correct horse battery"})

    def broken_emit(*args, **kwargs):
        raise ConnectionError("the message queue is gone")

    monkeypatch.setattr(socketio, "emit", broken_emit)
    with caplog.at_level(logging.ERROR, logger="forum.realtime.dispatch"):
        response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Mimo to"})
    assert response.status_code == 201
    assert "sending post_created to thread:" in caplog.text
    with app_context():
        stored = db.session.scalar(select(func.count(Post.id)).where(Post.body_source == "Mimo to"))
    assert stored == 1
    # The next request works: nothing was left half-done in a session.
    assert client.get(f"/api/v1/threads/{thread.id}").status_code == 200
    assert [name for _seq, name, _id in logged(thread_stream(thread.id))] == ["post_created"]


def test_publishing_a_signal_or_the_wrong_subject_is_an_error(app):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    with app_context():
        found = db.session.get(Thread, thread.id)
        with pytest.raises(ValueError):
            publish(events.TYPING, thread_stream(found.id), found)
        with pytest.raises(TypeError):
            publish(events.POST_CREATED, thread_stream(found.id), found)


def test_catch_up_re_reads_each_subject_as_the_reader_may_see_it_now(app):
    """A post created, edited, then deleted: every catch-up event shows the tombstone."""
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    reply = run(services.create_reply, anna, thread.id, "Pierwsze słowa")
    run(services.edit_post, anna, reply.id, "Drugie słowa")
    run(services.delete_post, anna, reply.id)
    with app_context():
        answer = caught_up(GUEST, thread_stream(thread.id), 0)
    assert [e["name"] for e in answer["events"]] == ["post_created", "post_updated", "post_deleted"]
    for caught in answer["events"]:
        post = caught["data"]["post"]
        assert post["deleted"] and post["author"] is None
        assert post["body_source"] == post["body_html"] == ""
    assert "słowa" not in str(answer)


def test_catch_up_gives_the_reader_their_own_flags(app):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    reply = run(services.create_reply, anna, thread.id, "Moje")
    with app_context():
        as_anna = caught_up(actor(anna), thread_stream(thread.id), 0)["events"][0]["data"]["post"]
        as_guest = caught_up(GUEST, thread_stream(thread.id), 0)["events"][0]["data"]["post"]
    assert as_anna["id"] == reply.id and as_anna["can_edit"] and as_anna["can_delete"]
    assert not as_guest["can_edit"] and not as_guest["can_delete"]


def test_catch_up_is_limited_and_says_so(app, monkeypatch):
    from forum.realtime import catchup

    monkeypatch.setattr(catchup, "CATCH_UP_LIMIT", 3)
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    for number in range(5):
        run(services.create_reply, anna, thread.id, f"Wpis {number}")
    with app_context():
        first = caught_up(GUEST, thread_stream(thread.id), 0)
        rest = caught_up(GUEST, thread_stream(thread.id), 3)
    assert [e["data"]["seq"] for e in first["events"]] == [1, 2, 3] and not first["complete"]
    assert [e["data"]["seq"] for e in rest["events"]] == [4, 5] and rest["complete"]


@pytest.mark.parametrize(("after", "reload"), [(None, False), (2, False), (3, True), (0, False)])
def test_catch_up_from_now_or_from_the_future(app, after, reload):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    run(services.create_reply, anna, thread.id, "1")
    run(services.create_reply, anna, thread.id, "2")
    with app_context():
        answer = caught_up(GUEST, thread_stream(thread.id), after)
    assert answer["reload"] is reload and answer["last_seq"] == 2


def test_a_client_older_than_the_log_is_told_to_reload(app):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    for number in range(3):
        run(services.create_reply, anna, thread.id, f"Wpis {number}")
    with app_context(), transaction():
        first = db.session.scalars(select(StreamEvent).order_by(StreamEvent.id)).first()
        first.created_at = utcnow() - timedelta(days=30)
    with app_context(), transaction():
        assert prune_events(utcnow() - timedelta(days=7)) == 1
    with app_context():
        stale = caught_up(GUEST, room_stream(room_of("XIII").id), 0)
        fresh = caught_up(GUEST, thread_stream(thread.id), 0)
    assert stale["reload"] and stale["events"] == []
    assert not fresh["reload"] and len(fresh["events"]) == 3


def test_the_prune_command_keeps_recent_events(app):
    anna = make_user("Anna")
    run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    result = app.test_cli_runner().invoke(args=["prune-events"])
    assert result.exit_code == 0 and "Removed 0 events." in result.output
    assert len(logged(room_stream(room_of("XIII").id))) == 1


@pytest.fixture
def file_app(tmp_path):
    """The app on a SQLite file: separate connections really are separate (and concurrent)."""
    from forum import create_app
    from forum.areas.services import seed_reference_data
    from tests import conftest

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'forum.db'}"}, config_name="testing"
    )
    previous, conftest._app = conftest._app, app
    with app.app_context(), transaction():
        db.create_all()
        seed_reference_data()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    conftest._app = previous


def test_two_concurrent_replies_on_two_connections_get_consecutive_numbers(file_app):
    """Both transactions read the thread first, then write: the numbers are taken under the
    stream's lock at commit, so the chain has no hole and no repeat."""
    anna, jan = make_user("Anna"), make_user("Jan")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    both_read = threading.Barrier(2, timeout=10)
    errors = []

    def reply(person, body):
        try:
            with file_app.app_context(), transaction():
                user = actor(person)
                services.access_thread(user, thread.id)  # read before the other one writes
                both_read.wait()
                services.create_reply(user, thread.id, body)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    workers = [
        threading.Thread(target=reply, args=(anna, "od Anny")),
        threading.Thread(target=reply, args=(jan, "od Jana")),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    chain = logged(thread_stream(thread.id))
    assert [seq for seq, _name, _id in chain] == [1, 2]
    with app_context():
        answer = caught_up(GUEST, thread_stream(thread.id), 0)
    bodies = {e["data"]["post"]["body_source"] for e in answer["events"]}
    assert bodies == {"od Anny", "od Jana"} and answer["complete"]
    assert [seq for seq, _n, _i in logged(room_stream(room_of("XIII").id))] == [1, 2, 3]
