"""The units' queues live: each unit's experts (and the admins) follow its stream."""

from forum.realtime import events
from forum.units import services
from tests.conftest import run
from tests.units.conftest import logged_in


def test_the_units_experts_see_items_come_claimed_and_go(app, connect, thread, anna, ewa, zzm):
    sock = connect(logged_in(app, ewa))
    stream = f"unit:{zzm}"
    assert sock.emit(events.JOIN, {"stream": stream, "after": 0})["stream"] == stream
    run(services.tag_thread, anna, thread.id, [zzm])
    [added] = sock.received_named(events.QUEUE_UPDATED)
    assert added["stream"] == stream and added["seq"] == 1
    assert added["item"]["thread"]["id"] == thread.id and not added["item"]["removed"]
    run(services.claim, ewa, added["item"]["id"])
    [claimed] = sock.received_named(events.QUEUE_UPDATED)
    assert claimed["item"]["claimed_by"]["id"] == ewa.id and claimed["seq"] == 2
    run(services.untag_thread, anna, thread.id, zzm)
    [removed] = sock.received_named(events.QUEUE_UPDATED)
    assert removed["item"]["removed"] and removed["item"]["id"] == added["item"]["id"]


def test_a_late_joiner_catches_up(app, connect, tagged, ewa, zzm):
    sock = connect(logged_in(app, ewa))
    ack = sock.emit(events.JOIN, {"stream": f"unit:{zzm}", "after": 0})
    assert [e["name"] for e in ack["events"]] == ["queue_updated"]
    assert ack["events"][0]["data"]["item"]["thread"]["id"] == tagged.id


def test_others_may_not_follow_a_units_queue(app, connect, jan, zenon, admin, zzm):
    stream = f"unit:{zzm}"
    for user in (jan, zenon):
        refused = connect(logged_in(app, user)).emit(events.JOIN, {"stream": stream})
        assert refused["error"]["code"] == "forbidden"
    guest = connect(app.test_client()).emit(events.JOIN, {"stream": stream})
    assert guest["error"]["code"] == "not_authenticated"
    assert connect(logged_in(app, admin)).emit(events.JOIN, {"stream": stream})["stream"] == stream


def test_a_tagged_draft_is_announced_on_the_queue_and_the_drafts_stream(
    app, connect, draft, anna, ewa, zzm
):
    expert = connect(logged_in(app, ewa))
    expert.emit(events.JOIN, {"stream": f"unit:{zzm}"})
    reader = connect(app.test_client())
    reader.emit(events.JOIN, {"stream": f"draft:{draft.id}"})
    run(services.tag_draft, anna, draft.id, [zzm])
    names = [m["name"] for m in expert.get_received() if m["name"] != "presence"]
    assert names == [events.QUEUE_UPDATED, events.DRAFT_UPDATED]
    [updated] = reader.received_named(events.DRAFT_UPDATED)
    assert updated["draft"]["id"] == draft.id


def test_an_official_answer_updates_the_thread_and_tells_its_author(
    app, connect, expert_reply, anna, ewa
):
    reader = connect(app.test_client())
    reader.emit(events.JOIN, {"thread_id": expert_reply.thread_id})
    author = connect(logged_in(app, anna))
    author.emit(events.JOIN, {"stream": f"user:{anna.id}"})
    run(services.mark_official, ewa, expert_reply.id)
    [updated] = reader.received_named(events.THREAD_UPDATED)
    assert updated["thread"]["id"] == expert_reply.thread_id
    [told] = author.received_named(events.NOTIFICATION)
    assert told["notification"]["kind"] == "official_answer"
    assert told["notification"]["unit"]["name"] == "ZZM"
