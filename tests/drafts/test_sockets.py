"""Drafts live: the draft's stream, the banner on its thread's stream, the units' queues."""

import pytest

from forum.drafts import editing, promotion
from forum.drafts.services import VersionConflict
from forum.errors import Forbidden
from forum.realtime import events
from tests.conftest import make_user, run
from tests.drafts.conftest import logged_in, tag_thread, unit_id


def test_promotion_is_announced_on_the_thread_and_the_units_queues(app, connect, thread, piotr):
    tag_thread(thread.id, "ZZM", piotr)
    expert = make_user("Ewa", role="expert", scope="ZZM")
    reader = connect(app.test_client())
    assert reader.emit(events.JOIN, {"thread_id": thread.id})["stream"] == f"thread:{thread.id}"
    queue = connect(logged_in(app, expert))
    unit_stream = f"unit:{unit_id('ZZM')}"
    assert queue.emit(events.JOIN, {"stream": unit_stream})["stream"] == unit_stream
    draft = run(promotion.promote_thread, piotr, thread.id)
    [banner] = reader.received_named(events.DRAFT_UPDATED)
    assert banner["draft"]["id"] == draft.id and banner["draft"]["status"] == "draft"
    assert banner["draft"]["source_thread_id"] == thread.id
    [item] = queue.received_named(events.QUEUE_UPDATED)
    assert item["stream"] == unit_stream


def test_a_save_is_announced_on_the_drafts_stream(app, connect, anna, own_draft):
    sock = connect(app.test_client())
    stream = f"draft:{own_draft.id}"
    ack = sock.emit(events.JOIN, {"stream": stream, "after": 0})
    assert [e["name"] for e in ack["events"]] == [events.DRAFT_UPDATED]  # its start
    run(editing.edit_draft, anna, own_draft.id, {"title": "Nowy tytuł"}, 1)
    [saved] = sock.received_named(events.DRAFT_UPDATED)
    assert saved["draft"]["title"] == "Nowy tytuł" and saved["draft"]["version"] == 2
    assert saved["stream"] == stream and saved["seq"] == 2


def test_a_refused_save_sends_nothing(app, connect, anna, jan, own_draft):
    sock = connect(app.test_client())
    sock.emit(events.JOIN, {"stream": f"draft:{own_draft.id}"})
    sock.get_received()
    for user, version in ((jan, 1), (anna, 7)):
        with pytest.raises((Forbidden, VersionConflict)):
            run(editing.edit_draft, user, own_draft.id, {"title": "Nie"}, version)
    assert sock.received_named(events.DRAFT_UPDATED) == []
