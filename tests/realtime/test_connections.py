"""The registry of open sockets (forum/realtime/connections.py): presence kept as people come
and go, so a snapshot (one per join) does not walk every connection in the channel."""

from __future__ import annotations

import pytest

from forum.realtime.connections import PRESENCE_NAMES, Connections

ANNA = {"id": 1, "display_name": "Anna"}
JAN = {"id": 2, "display_name": "Jan"}
CHANNEL = "thread:1"


@pytest.fixture
def registry(monkeypatch):
    connections = Connections()
    monkeypatch.setattr(connections, "_presence_changed", lambda channel: None)
    return connections


def snapshot(registry, channel=CHANNEL) -> tuple[int, int, list[str]]:
    presence = registry.presence(channel)
    return presence.count, presence.guests, [user.display_name for user in presence.users]


def test_presence_counts_sockets_guests_and_each_person_once(registry):
    for sid, person in [("a1", ANNA), ("a2", ANNA), ("j", JAN), ("g1", None), ("g2", None)]:
        registry.connect(sid, person, None)
        registry.join(sid, CHANNEL)
    registry.join("a1", CHANNEL)  # again: changes nothing
    assert snapshot(registry) == (5, 2, ["Anna", "Jan"])
    registry.leave("a1", CHANNEL)
    assert snapshot(registry) == (4, 2, ["Anna", "Jan"])  # Anna is still here on a2
    registry.disconnect("a2")
    registry.disconnect("g1")
    registry.leave("never-joined", CHANNEL)
    assert snapshot(registry) == (2, 1, ["Jan"])
    registry.disconnect("j")
    registry.disconnect("g2")
    assert snapshot(registry) == (0, 0, [])
    assert registry.channels() == []
    assert not registry._guests and not registry._users  # nothing left behind


def test_presence_of_one_channel_is_not_another_s(registry):
    registry.connect("a", ANNA, None)
    registry.connect("g", None, None)
    registry.join("a", CHANNEL)
    registry.join("g", "thread:2")
    registry.join("a", "thread:2")
    assert snapshot(registry) == (1, 0, ["Anna"])
    assert snapshot(registry, "thread:2") == (2, 1, ["Anna"])
    registry.disconnect("a")
    assert snapshot(registry) == (0, 0, [])
    assert snapshot(registry, "thread:2") == (1, 1, [])


def test_a_full_room_lists_the_first_names_and_counts_the_other_people(registry):
    """A thousand names would be read by nobody and sent to everyone at every change."""
    people = [{"id": i, "display_name": f"Osoba {i:04d}"} for i in range(1, PRESENCE_NAMES + 6)]
    for person in reversed(people):
        registry.connect(f"s{person['id']}", person, None)
        registry.join(f"s{person['id']}", CHANNEL)
    registry.connect("g", None, None)
    registry.join("g", CHANNEL)
    presence = registry.presence(CHANNEL)
    assert [user.display_name for user in presence.users] == [
        person["display_name"] for person in people[:PRESENCE_NAMES]
    ]
    assert (presence.count, presence.guests, presence.others) == (PRESENCE_NAMES + 6, 1, 5)
    for person in people[:6]:
        registry.disconnect(f"s{person['id']}")
    presence = registry.presence(CHANNEL)
    assert len(presence.users) == PRESENCE_NAMES - 1 and presence.others == 0
