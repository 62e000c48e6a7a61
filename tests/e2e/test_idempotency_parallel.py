"""The same write sent several times at once (a double click, a client retrying) against a real
server: exactly one is stored and every sender gets the same answer.

Under eventlet (production) and with real threads, where the senders' transactions overlap and
the later claims fail on the unique (user_id, key) index.
"""

from __future__ import annotations

import re
import threading

import pytest
import requests

from tests.e2e.conftest import DEMO_PASSWORDS, ForumServer, database_rows

pytestmark = pytest.mark.e2e

SENDERS = 8


@pytest.fixture(params=["eventlet", "threading"])
def server(request, tmp_path):
    forum = ForumServer(tmp_path / "forum.db", SOCKETIO_ASYNC_MODE=request.param)
    forum.start()
    yield forum
    forum.stop()


def logged_in(server: ForumServer, email: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{server.url}/api/v1/session",
        json={"email": email, "password": DEMO_PASSWORDS[email]},
        timeout=10,
    )
    assert answer.status_code == 200
    return session


def new_thread(server: ForumServer) -> int:
    anna = logged_in(server, "anna@example.pl")
    rooms = anna.get(f"{server.url}/api/v1/rooms", timeout=10).json()["rooms"]
    room = next(room for room in rooms if room["name"] == "XIII Podgórze")
    started = anna.post(
        f"{server.url}/api/v1/rooms/{room['id']}/threads",
        json={"title": "Zieleń przy Limanowskiego", "body": "Co tu posadzić?"},
        timeout=10,
    )
    assert started.status_code == 201
    return started.json()["thread"]["id"]


def all_at_once(send) -> list[requests.Response]:
    """Call send() from SENDERS threads released together; their responses."""
    start = threading.Barrier(SENDERS)
    responses: list[requests.Response | BaseException] = [None] * SENDERS

    def sender(index: int) -> None:
        start.wait()
        try:
            responses[index] = send()
        except BaseException as error:  # reported below, not lost in the thread
            responses[index] = error

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for response in responses:
        if isinstance(response, BaseException):
            raise response
    return responses


def posts_with_body(server: ForumServer, body: str) -> int:
    rows = database_rows(server, "SELECT count(*) FROM post WHERE body_source = :body", body=body)
    return rows[0][0]


def test_one_reply_form_sent_at_once_many_times_stores_one_post(server):
    thread_id = new_thread(server)
    jan = logged_in(server, "jan@example.pl")
    page = jan.get(f"{server.url}/threads/{thread_id}", timeout=10).text
    form = page.split('id="reply-form"', 1)[1]
    fields = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1],
        "idempotency_key": re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', form)[
            1
        ],
        "body": "Lipy, jak na Rynku Podgórskim.",
    }
    cookies = jan.cookies.get_dict()

    responses = all_at_once(
        lambda: requests.post(
            f"{server.url}/threads/{thread_id}/replies",
            data=fields,
            cookies=cookies,
            allow_redirects=False,
            timeout=30,
        )
    )

    assert [response.status_code for response in responses] == [302] * SENDERS
    assert len({response.headers["Location"] for response in responses}) == 1
    assert "#post-" in responses[0].headers["Location"]
    assert posts_with_body(server, fields["body"]) == 1


def test_one_api_request_sent_at_once_many_times_stores_one_post(server):
    thread_id = new_thread(server)
    cookies = logged_in(server, "jan@example.pl").cookies.get_dict()
    body = {"body": "Może klony?"}

    responses = all_at_once(
        lambda: requests.post(
            f"{server.url}/api/v1/threads/{thread_id}/posts",
            json=body,
            headers={"Idempotency-Key": "parallel-1"},
            cookies=cookies,
            timeout=30,
        )
    )

    assert [response.status_code for response in responses] == [201] * SENDERS
    assert len({response.text for response in responses}) == 1
    assert posts_with_body(server, body["body"]) == 1
