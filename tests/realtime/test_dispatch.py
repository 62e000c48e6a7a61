"""Sending after the response: under eventlet a commit hands its batch to one sender task, so the
author's request does not wait for the broadcast, and batches still go out in commit order, each
failure logged without stopping the ones after it.

The sender is exercised here with the threading primitives the Socket.IO server gives in the
tests' async mode (the same calls give greenthreads under eventlet); the real server's path is
covered end to end by tests/e2e/test_live.py and test_fastpath.py, which run run.py on eventlet.
"""

from __future__ import annotations

import logging
import threading

import pytest

from forum.discussion import services
from forum.extensions import socketio
from forum.realtime import dispatch
from forum.realtime.streams import Delivery
from tests.conftest import make_user, room_of, run, wait_until


def deliveries(*names: str) -> list[Delivery]:
    return [Delivery(channel="thread:1", name=name, data={"n": name}) for name in names]


class RecordingEmit:
    """socketio.emit that records, and holds its first call until released."""

    def __init__(self, fail: set[str] = frozenset()):
        self.sent: list[str] = []
        self.release = threading.Event()
        self.entered = threading.Event()
        self.fail = fail

    def __call__(self, name, data, to=None, **kwargs):
        self.entered.set()
        self.release.wait(5)
        if name in self.fail:
            raise ConnectionError("the message queue is gone")
        self.sent.append(name)


def test_a_submitted_batch_is_sent_by_the_sender_not_by_the_caller(app, monkeypatch):
    emit = RecordingEmit()
    monkeypatch.setattr(socketio, "emit", emit)
    sender = dispatch.Sender()
    sender.submit(dispatch.Batch(app, outbox=deliveries("first")))
    # submit() returned while the broadcast is still blocked in the sender task.
    wait_until(emit.entered.is_set, what="the sender starts sending")
    assert emit.sent == []
    emit.release.set()
    wait_until(lambda: sender.sent == 1, what="the batch is sent")
    assert emit.sent == ["first"]


def test_batches_go_out_in_the_order_they_were_committed(app, monkeypatch):
    emit = RecordingEmit()
    monkeypatch.setattr(socketio, "emit", emit)
    sender = dispatch.Sender()
    for n in range(5):
        sender.submit(dispatch.Batch(app, outbox=deliveries(f"b{n}-1", f"b{n}-2")))
    assert sender.pending() >= 4  # the first may already be taken, the rest wait their turn
    emit.release.set()
    wait_until(lambda: sender.sent == 5, what="every batch is sent")
    assert emit.sent == [f"b{n}-{k}" for n in range(5) for k in (1, 2)]


def test_a_failed_send_is_logged_and_the_later_ones_still_go(app, monkeypatch, caplog):
    emit = RecordingEmit(fail={"broken"})
    emit.release.set()
    monkeypatch.setattr(socketio, "emit", emit)
    sender = dispatch.Sender()
    with caplog.at_level(logging.ERROR, logger="forum.realtime.dispatch"):
        sender.submit(dispatch.Batch(app, outbox=deliveries("before", "broken")))
        sender.submit(dispatch.Batch(app, outbox=deliveries("after")))
        wait_until(lambda: sender.sent == 2, what="both batches are handled")
    assert emit.sent == ["before", "after"]
    assert "sending broken to thread:1 failed" in caplog.text


def test_a_commit_hands_its_events_to_the_sender_when_sending_after_the_response(app, monkeypatch):
    """The commit hook's own path: with after_response() on, a reply's commit returns before its
    post_created is sent, and the sender sends it afterwards."""
    sender = dispatch.Sender()
    monkeypatch.setattr(dispatch, "sender", sender)
    monkeypatch.setattr(dispatch, "after_response", lambda: True)
    opening = RecordingEmit()
    opening.release.set()
    monkeypatch.setattr(socketio, "emit", opening)
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    wait_until(lambda: sender.sent == 1, what="the new thread's batch is sent")

    reply = RecordingEmit()  # holds the reply's broadcast until released
    monkeypatch.setattr(socketio, "emit", reply)
    run(services.create_reply, anna, thread.id, "Odpowiedź")
    # The commit has returned; had it sent the batch itself, it would have waited for release.
    assert reply.sent == [] and sender.sent == 1
    reply.release.set()
    wait_until(lambda: sender.sent == 2, what="the reply's batch is sent")
    assert "post_created" in reply.sent


def test_batches_go_out_in_the_order_their_events_were_numbered(app, monkeypatch):
    """With psycopg2 waiting on the hub, two commits can return in either order: the later
    numbered batch, handed over first, waits for the earlier one."""
    emit = RecordingEmit()
    emit.release.set()
    monkeypatch.setattr(socketio, "emit", emit)
    sender = dispatch.Sender()
    earlier, later = sender.take_place(), sender.take_place()
    sender.submit(dispatch.Batch(app, outbox=deliveries("seq 2")), later)
    sender.submit(dispatch.Batch(app, outbox=deliveries("unnumbered")))  # behind both
    assert sender.pending() == 0 and sender.sent == 0
    sender.submit(dispatch.Batch(app, outbox=deliveries("seq 1")), earlier)
    wait_until(lambda: sender.sent == 3, what="all three batches are sent")
    assert emit.sent == ["seq 1", "seq 2", "unnumbered"]


def test_a_rolled_back_place_stops_holding_the_line(app, monkeypatch):
    emit = RecordingEmit()
    emit.release.set()
    monkeypatch.setattr(socketio, "emit", emit)
    sender = dispatch.Sender()
    rolled_back, committed = sender.take_place(), sender.take_place()
    sender.submit(dispatch.Batch(app, outbox=deliveries("committed")), committed)
    assert sender.sent == 0
    sender.drop(rolled_back)
    wait_until(lambda: sender.sent == 1, what="the committed batch is sent")
    assert emit.sent == ["committed"]


def test_an_abandoned_place_holds_the_line_only_so_long(app, monkeypatch, caplog):
    emit = RecordingEmit()
    emit.release.set()
    monkeypatch.setattr(socketio, "emit", emit)
    sender = dispatch.Sender()
    abandoned, committed = sender.take_place(), sender.take_place()
    sender.submit(dispatch.Batch(app, outbox=deliveries("first try")), committed)
    assert sender.sent == 0
    abandoned.taken_at -= dispatch.Sender.ABANDONED_SECONDS
    sender.submit(dispatch.Batch(app, outbox=deliveries("next")))
    wait_until(lambda: sender.sent == 2, what="the batches behind it are sent")
    assert emit.sent == ["first try", "next"]
    assert "never committed nor rolled back" in caplog.text


def test_a_commit_that_fails_after_numbering_gives_up_its_place(app, monkeypatch):
    """A reply numbered and then refused at commit (here by a hook after the numbering) sends
    nothing and holds nothing up: the next commit's batch goes out."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    sender = dispatch.Sender()
    monkeypatch.setattr(dispatch, "sender", sender)
    monkeypatch.setattr(dispatch, "after_response", lambda: True)
    emit = RecordingEmit()
    emit.release.set()
    monkeypatch.setattr(socketio, "emit", emit)
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    wait_until(lambda: sender.sent == 1, what="the new thread's batch is sent")

    def refuse(session):
        raise RuntimeError("the commit fails")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError):
            run(services.create_reply, anna, thread.id, "Przepadnie")
    finally:
        event.remove(Session, "before_commit", refuse)
    assert not sender.line
    run(services.create_reply, anna, thread.id, "Dojdzie")
    wait_until(lambda: sender.sent == 2, what="the next reply's batch is sent")
    assert emit.sent.count("post_created") == 1
