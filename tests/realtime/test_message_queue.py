"""The message queue's manager (forum/realtime/message_queue.py), without a running worker:
received emits go through the broadcast fast path; a publish to a Redis that is down returns
at once, and the next one that gets through is preceded by events_lost."""

from __future__ import annotations

import json
import time

import pytest
import redis
from socketio.pubsub_manager import PubSubManager

from forum.realtime import fastpath
from forum.realtime.message_queue import EVENTS_LOST, WorkerQueue, worker_queue
from tests.servers import RedisServer, free_port


@pytest.fixture
def patched():
    assert not fastpath.installed()
    assert fastpath.install()
    yield
    fastpath.uninstall()


def test_an_emit_received_from_another_worker_goes_through_the_fast_path(patched):
    # PubSubManager._handle_emit delivers with super().emit: the base Manager's, patched.
    manager = WorkerQueue("redis://127.0.0.1:1/0", app=None)
    assert super(PubSubManager, manager).emit.__func__ is fastpath.broadcast


def test_publishing_to_a_redis_that_is_down_neither_raises_nor_waits():
    manager = WorkerQueue(f"redis://127.0.0.1:{free_port()}/0", app=None)
    started = time.monotonic()
    for number in range(20):
        assert manager._publish({"method": "emit", "n": number}) is None
    assert time.monotonic() - started < 2
    assert manager.dropped


def test_the_first_publish_after_dropped_ones_says_events_were_lost(tmp_path):
    server = RedisServer(tmp_path)
    manager = WorkerQueue(server.url, app=None)
    manager._publish({"method": "emit", "n": 1})  # Redis not started yet: dropped
    server.start()
    try:
        listener = redis.Redis.from_url(server.url).pubsub(ignore_subscribe_messages=True)
        listener.subscribe(manager.channel)
        manager._publish({"method": "emit", "n": 2})
        received = []
        deadline = time.monotonic() + 10
        while len(received) < 2 and time.monotonic() < deadline:
            message = listener.get_message(timeout=0.5)
            if message is not None:
                received.append(json.loads(message["data"])["method"])
        assert received == [EVENTS_LOST, "emit"]
        assert not manager.dropped
        listener.close()
    finally:
        server.stop()


def test_a_message_queue_that_is_not_redis_is_refused_clearly(app):
    app.config["SOCKETIO_MESSAGE_QUEUE"] = "amqp://localhost"
    with pytest.raises(RuntimeError, match="must be a redis:// URL"):
        worker_queue(app)
