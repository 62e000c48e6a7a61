"""The socket fuzz on a real server, over a raw websocket: Socket.IO packets written by hand, so
they can hold what no client library would send (data nested past the JSON decoder, lone
surrogates spelled in JSON). Each event gets an error acknowledgement and the socket goes on."""

import json

import pytest
import requests
import websocket

from forum.realtime import events
from forum.schemas import ErrorAnswer
from tests.e2e.conftest import DEMO_PASSWORDS
from tests.sockets import check

pytestmark = pytest.mark.e2e


class RawSocket:
    """One Socket.IO connection (Engine.IO 4 over a websocket), packets written as text."""

    def __init__(self, url: str, cookie: str = ""):
        address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(
            address, header=[f"Cookie: {cookie}"] if cookie else [], timeout=10
        )
        assert self.ws.recv().startswith("0")  # Engine.IO open
        self.ws.send("40")
        assert self.next_packet().startswith("0")  # Socket.IO connect
        self.ack_ids = iter(range(1, 10_000))

    def next_packet(self) -> str:
        """The next Socket.IO packet that is not an event (events sent meanwhile are no answer)."""
        while True:
            frame = self.ws.recv()
            if frame == "2":  # Engine.IO ping
                self.ws.send("3")
            elif frame.startswith("4") and not frame.startswith("42"):
                return frame[1:]

    def call(self, arguments: str):
        """Send an event packet whose array (name and arguments) is the given JSON text; the
        acknowledgement's data."""
        ack_id = next(self.ack_ids)
        self.ws.send(f"42{ack_id}{arguments}")
        while True:
            packet = self.next_packet()
            if packet.startswith(f"3{ack_id}["):
                answer = json.loads(packet[len(f"3{ack_id}") :])
                assert len(answer) == 1, packet[:200]
                return answer[0]

    def close(self):
        self.ws.close()


def odd_packets(event: str, thread_id: int) -> list[str]:
    name = json.dumps(event)
    packets = [
        f"[{name}]",
        f"[{name},null]",
        f"[{name},[1]]",
        f"[{name}," + "[" * 5000 + "]" * 5000 + "]",
        f"[{name}," + '{"a":' * 5000 + "1" + "}" * 5000 + "]",
        f'[{name},{{"stream":"thread:{thread_id}\\udfff"}}]',
        f'[{name},{{"thread_id":"\\ud800"}}]',
        f'[{name},{{"thread_id":{thread_id}}},{{"thread_id":{thread_id}}}]',
        f'[{name},"' + "x" * 300_000 + '"]',
        f'[{name},{{"thread_id":{2**64}}}]',
        f'[{name},{{"thread_id":1' + "0" * 5000 + "}]",
        f"[{name},{{thread_id: 1}}]",
    ]
    if event == events.POST_REPLY:
        packets += [
            f'[{name},{{"thread_id":{thread_id},"body":"a\\ud800b"}}]',
            f'[{name},{{"thread_id":{thread_id},"body":"' + "x" * 300_000 + '"}]',
        ]
    return packets


@pytest.fixture
def anna_thread(forum_server):
    session = requests.Session()
    api = forum_server.url + "/api/v1"
    logged_in = session.post(
        api + "/session",
        json={"email": "anna@example.pl", "password": DEMO_PASSWORDS["anna@example.pl"]},
        timeout=10,
    )
    assert logged_in.status_code == 200
    room = next(
        r
        for r in session.get(api + "/rooms", timeout=10).json()["rooms"]
        if r["name"] == "XIII Podgórze"
    )
    created = session.post(
        f"{api}/rooms/{room['id']}/threads", json={"title": "Fuzz", "body": "Start"}, timeout=10
    )
    assert created.status_code == 201
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return cookie, created.json()["thread"]["id"]


def test_every_client_event_answers_raw_odd_packets_and_goes_on(forum_server, anna_thread):
    cookie, thread_id = anna_thread
    sock = RawSocket(forum_server.url, cookie)
    try:
        assert "error" not in sock.call(json.dumps([events.JOIN, {"thread_id": thread_id}]))
        for event in events.CLIENT_EVENTS:
            for packet in odd_packets(event, thread_id):
                answer = sock.call(packet)
                assert isinstance(answer, dict) and "error" in answer, (event, packet[:80])
                check(ErrorAnswer, answer, f"{event} refusal")
                assert answer["error"]["code"] != "server_error", (event, packet[:80], answer)
        reply = sock.call(json.dumps([events.POST_REPLY, {"thread_id": thread_id, "body": "Ok"}]))
        assert reply["post"]["body_source"] == "Ok"
        assert sock.call(json.dumps([events.TYPING_STARTED, {"thread_id": thread_id}])) == {
            "sent": True
        }
    finally:
        sock.close()
