"""Two workers behind nginx, on PostgreSQL and Redis (deploy/cluster): python-socketio clients
and HTTP clients through nginx, each kept on a worker by its forum_worker cookie."""

from __future__ import annotations

import secrets
import socket
import threading
from pathlib import Path

import pytest
import requests

from forum.web import WORKER_COOKIE
from tests.cluster.conftest import (
    DEMO_PASSWORDS,
    Cluster,
    Person,
    cluster_directory,
    wait_until,
)
from tests.e2e.conftest import BROWSER_WAIT_MS, CHROMIUM, CHROMIUM_ARGS, browser_api

# Each test may wait for a restart on a busy machine; the first also for the cluster to start.
pytestmark = [pytest.mark.cluster, pytest.mark.timeout(300)]

THREAD_ID = 1  # the demo thread "Więcej zieleni na Zabłociu", in XIII Podgórze
STREAM = f"thread:{THREAD_ID}"


def body(what: str) -> str:
    """A body found by its text alone: no other contains it."""
    return f"{what} {secrets.token_hex(4)}"


def test_requests_without_the_cookie_go_round_and_those_with_it_stay(healthy_cluster):
    newcomers = [Person(healthy_cluster) for _ in range(6)]
    for person in newcomers:
        assert person.call("GET", "/api/v1/session")[0] == 200
    assert {person.worker for person in newcomers} == {"w1", "w2"}
    kept = Person(healthy_cluster).pin("w2")
    for _ in range(10):
        assert kept.call("GET", "/api/v1/session")[0] == 200
        assert kept.worker == "w2"


def test_clients_on_different_workers_see_each_others_posts(healthy_cluster, followers):
    anna = Person(healthy_cluster, "anna@example.pl").pin("w1")
    jan = Person(healthy_cluster, "jan@example.pl").pin("w2")
    on_w1 = followers(anna, STREAM, "w1")
    on_w2 = followers(jan, STREAM, "w2")
    # Long-polling first, then the websocket upgrade, each on the worker the cookie names.
    assert (on_w1.worker, on_w2.worker) == ("w1", "w2")
    assert on_w1.sio.transport() == on_w2.sio.transport() == "websocket"
    sent = [anna.post(THREAD_ID, body("z pierwszego")), jan.post(THREAD_ID, body("z drugiego"))]
    assert (anna.worker, jan.worker) == ("w1", "w2")
    for follower in (on_w1, on_w2):
        assert follower.wait_for(sent) == sent  # live, in order, nothing else
    assert on_w1.connected and on_w2.connected


def test_a_client_that_moves_to_the_other_worker_catches_up_without_loss(
    healthy_cluster, followers
):
    anna = Person(healthy_cluster, "anna@example.pl").pin("w1")
    jan = Person(healthy_cluster, "jan@example.pl").pin("w2")
    reader = Person(healthy_cluster, "tomasz@example.pl")
    follower = followers(reader, STREAM, "w1")
    first = anna.post(THREAD_ID, body("przed"))
    assert follower.wait_for([first]) == [first]
    follower.disconnect()
    missed = []
    for _ in range(5):
        missed += [anna.post(THREAD_ID, body("na w1")), jan.post(THREAD_ID, body("na w2"))]
    reader.pin("w2")
    follower.connect()  # joins again after the last seq it applied
    assert follower.worker == "w2"
    assert follower.posts == [first, *missed]
    after = anna.post(THREAD_ID, body("po przenosinach"))
    assert follower.wait_for([*missed, after]) == [first, *missed, after]


def test_redis_stopped_and_started_again_loses_nothing_once_clients_catch_up(
    healthy_cluster, followers
):
    anna = Person(healthy_cluster, "anna@example.pl").pin("w1")
    jan = Person(healthy_cluster, "jan@example.pl").pin("w2")
    readers = [
        followers(Person(healthy_cluster, "tomasz@example.pl"), STREAM, worker)
        for worker in ("w1", "w2")
    ]
    sent = [anna.post(THREAD_ID, body("przed awarią Redisa"))]
    for reader in readers:
        assert reader.wait_for(sent) == sent
    healthy_cluster.command("stop-part", "redis")
    for _ in range(4):  # the posts are stored and acknowledged; only the live news is lost
        sent += [anna.post(THREAD_ID, body("bez Redisa")), jan.post(THREAD_ID, body("bez Redisa"))]
    healthy_cluster.command("start-part", "redis")

    def everyone_has_everything() -> bool:
        # Each worker listens to Redis again after its own back-off: until then a reader
        # notices no gap. A new post each round shows them one once it crosses.
        sent.append(anna.post(THREAD_ID, body("po powrocie Redisa")))
        return all(
            set(sent) <= set(reader.wait_for(sent, catching_up=True, seconds=2))
            for reader in readers
        )

    wait_until(everyone_has_everything, "both readers have every post after Redis is back")
    for reader in readers:
        assert reader.connected
        assert reader.posts == sent  # each once, in order


def test_a_worker_killed_under_load_loses_no_acknowledged_post(healthy_cluster, followers):
    """Four people post through both workers, w1 is killed meanwhile. A post whose answer was
    lost (nginx's 502 for a request in flight on w1) is sent again with its idempotency key, as
    a browser would: stored once whether or not w1 had committed it."""
    posters = [
        Person(healthy_cluster, email).pin(worker)
        for email, worker in [
            ("anna@example.pl", "w1"),
            ("jan@example.pl", "w1"),
            ("tomasz@example.pl", "w2"),
            ("ewa@example.pl", "w2"),
        ]
    ]
    readers = {
        worker: followers(Person(healthy_cluster, "piotr@example.pl"), STREAM, worker)
        for worker in ("w1", "w2")
    }
    run = secrets.token_hex(4)  # this run's bodies, told apart from earlier tests' posts
    posts_each = 25
    acknowledged: list[int] = []
    lost_answers: list[str] = []  # the first answer to a post when it was no acknowledgement
    refused: list[tuple] = []
    lock = threading.Lock()

    def keep_posting(person: Person, who: int) -> None:
        for number in range(posts_each):
            key = secrets.token_urlsafe(18)
            for attempt in range(5):
                try:
                    status, created = person.call(
                        "POST",
                        f"/api/v1/threads/{THREAD_ID}/posts",
                        {"body": f"pod obciążeniem {run} {who}-{number}"},
                        headers={"Idempotency-Key": key},
                    )
                except requests.RequestException as error:
                    status, created = type(error).__name__, None
                with lock:
                    if status == 201:
                        acknowledged.append(created["post"]["id"])
                        break
                    if status not in (502, "ConnectionError") or attempt == 4:
                        refused.append((status, created))
                        break
                    lost_answers.append(str(status))

    threads = [
        threading.Thread(target=keep_posting, args=(person, who))
        for who, person in enumerate(posters)
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(acknowledged) >= 10, "ten posts acknowledged before the kill")
    healthy_cluster.kill_worker("w1")
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    assert refused == []
    assert len(acknowledged) == len(set(acknowledged)) == posts_each * len(posters)
    # w1's posters went on, on w2: the answers moved their cookie.
    assert {person.worker for person in posters} == {"w2"}, lost_answers

    with healthy_cluster.database() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM post WHERE body_source LIKE %s", (f"pod obciążeniem {run} %",)
        )
        stored = [row[0] for row in cursor.fetchall()]
    connection.close()
    assert sorted(stored) == sorted(acknowledged)  # each once, none lost, none doubled

    survivor = readers["w2"]
    assert set(acknowledged) <= set(survivor.wait_for(acknowledged, catching_up=True))
    moved = readers["w1"]
    assert moved.wait_for_disconnect()
    moved.connect()  # its cookie names w1: nginx sends it to w2, which says so
    assert moved.worker == "w2"
    assert set(acknowledged) <= set(moved.wait_for(acknowledged, catching_up=True))
    for reader in readers.values():
        assert len(reader.posts) == len(set(reader.posts))


def test_browsers_on_different_workers_see_each_others_replies_over_long_polling_too(
    healthy_cluster,
):
    """Chromium through nginx: Anna's page, kept on w1, cannot open a websocket (as behind a
    proxy that refuses them) and falls back to long-polling; Jan's, on w2, uses a websocket
    (its Origin checked against the Host nginx passes on)."""
    sync_api = browser_api()  # skips without Chromium or Playwright (fails under CI)
    # A thread of its own: on thread 1, the other tests' posts have filled the first page.
    anna = Person(healthy_cluster, "anna@example.pl")
    status, thread_one = anna.call("GET", f"/api/v1/threads/{THREAD_ID}")
    assert status == 200, thread_one
    status, started = anna.call(
        "POST",
        f"/api/v1/rooms/{thread_one['thread']['room_id']}/threads",
        {"title": body("Z dwóch przeglądarek"), "body": "Czy widać odpowiedzi z obu stron?"},
    )
    assert status == 201, started
    thread_path = f"/threads/{started['thread']['id']}"
    replies = f"#post-{started['post']['id']} > ol.replies > li.post"
    errors, polled = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = {}
            for email, worker in [("anna@example.pl", "w1"), ("jan@example.pl", "w2")]:
                context = browser.new_context(locale="pl-PL")
                context.set_default_timeout(BROWSER_WAIT_MS)
                context.add_cookies(
                    [{"name": WORKER_COOKIE, "value": worker, "url": healthy_cluster.url}]
                )
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(error))
                if worker == "w1":
                    page.route_web_socket("**/socket.io/**", lambda ws: ws.send("not engine.io"))
                    page.on(
                        "requestfinished",
                        lambda request: (
                            "transport=polling" in request.url and polled.append(request.url)
                        ),
                    )
                page.goto(f"{healthy_cluster.url}/login?next={thread_path}")
                page.fill("#email", email)
                page.fill("#password", DEMO_PASSWORDS[email])
                page.click("form.narrow button[type=submit]")
                page.wait_for_url(f"{healthy_cluster.url}{thread_path}*")
                pages[worker] = page
            for writer, reader in (("w2", "w1"), ("w1", "w2")):
                text = body(f"z przeglądarki na {writer}")
                pages[writer].fill("#body", text)
                pages[writer].locator("#reply-form button[type=submit]").click()
                sync_api.expect(pages[reader].locator(replies, has_text=text)).to_be_visible(
                    timeout=BROWSER_WAIT_MS
                )
            for worker, page in pages.items():
                cookies = {c["name"]: c["value"] for c in page.context.cookies()}
                assert cookies[WORKER_COOKIE] == worker
        finally:
            browser.close()
    assert len(polled) > 2  # the handshake and polls, all answered, on w1
    assert errors == []


def session_user(person: Person) -> dict | None:
    status, answer = person.call("GET", "/api/v1/session")
    assert status == 200, answer
    return answer["user"]


@pytest.mark.parametrize("where", ["same worker", "other worker"])
def test_a_logout_on_one_worker_closes_that_logins_sockets_on_every_worker(
    healthy_cluster, followers, where
):
    anna = Person(healthy_cluster, "anna@example.pl").pin("w1")
    user_id = session_user(anna)["id"]
    follower = followers(anna, f"user:{user_id}", "w1" if where == "same worker" else "w2")
    anna.pin("w1")
    assert anna.call("DELETE", "/api/v1/session")[0] == 204
    assert follower.wait_for_disconnect(), f"the socket on {follower.worker} stayed open"
    assert session_user(anna) is None


@pytest.mark.parametrize("where", ["same worker", "other worker"])
def test_a_role_withdrawn_on_one_worker_closes_its_streams_on_every_worker(
    healthy_cluster, followers, where
):
    admin = Person(healthy_cluster, "admin@example.pl").pin("w1")
    piotr = Person(healthy_cluster, "piotr@example.pl")
    user_id = session_user(piotr)["id"]
    status, account = admin.call("GET", f"/api/v1/admin/users/{user_id}")
    assert status == 200, account
    (grant,) = [role for role in account["user"]["roles"] if role["role"] == "ambassador"]
    stream = f"area:{grant['area_id']}"
    follower = followers(piotr, stream, "w1" if where == "same worker" else "w2")
    try:
        status, answer = admin.call(
            "POST", f"/api/v1/admin/users/{user_id}/roles/{grant['id']}/withdrawal", {}
        )
        assert status == 200, answer
        closed = follower.wait_for_signal("stream_closed")
        assert closed == [{"stream": stream, "reason": "access_withdrawn"}], (
            f"the socket on {follower.worker} still follows {stream}"
        )
    finally:
        status, answer = admin.call(
            "POST",
            f"/api/v1/admin/users/{user_id}/roles",
            {"role": "ambassador", "area_id": grant["area_id"]},
        )
        assert status == 201, answer


def alive(pid: int) -> bool:
    """The process has not ended (a zombie has: it only waits to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_stop_stops_everything_it_started_and_only_that(cluster, tmp_path_factory):
    with cluster_directory(tmp_path_factory) as directory:
        other = Cluster(directory)
        other.command("start", "--workers", "1")
        try:
            again = other.command("start", check=False)
            assert again.returncode == 1
            assert "already runs" in again.stderr
            assert other.command("status").returncode == 0
            processes = other.process_ids()
            ports = [int(value) for key, value in other.state.items() if key.endswith("_PORT")]
        finally:
            other.command("stop")
        assert not (directory / "cluster.env").exists()
        assert [pid for pid in processes if alive(pid)] == []
        for port in ports:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
        assert other.command("status", check=False).returncode == 3
    assert cluster.command("status").returncode == 0  # the other cluster runs on
