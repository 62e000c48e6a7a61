"""A support reaches the draft's readers live: draft_updated on its stream."""

from forum.realtime import events
from tests.conftest import PASSWORD, make_user


def test_supporting_and_withdrawing_reach_the_drafts_stream(app, connect, district_draft):
    watcher = connect(app.test_client())
    ack = watcher.emit(events.JOIN, {"stream": f"draft:{district_draft}"})
    assert "error" not in ack, ack
    watcher.get_received()

    ola = make_user("Ola")
    client = app.test_client()
    client.post("/login", data={"email": ola.email, "password": PASSWORD})
    client.post(f"/drafts/{district_draft}/support")
    client.post(f"/drafts/{district_draft}/support/withdraw")

    updates = watcher.received_named(events.DRAFT_UPDATED)
    assert [u["draft"]["id"] for u in updates] == [district_draft, district_draft]
