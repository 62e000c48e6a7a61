"""The forum as `make run` starts it: a real process, a real SQLite file (or the PostgreSQL
database TEST_DATABASE_URL makes room for), HTTP on loopback."""

import re
import urllib.request

import pytest

from tests.e2e.conftest import ForumServer, call, database_rows, http_client

pytestmark = pytest.mark.e2e


@pytest.fixture
def first_start_server(tmp_path):
    """A server that makes its database itself, on an empty file or database (forum_server's
    starts on a copy of one `flask init-db` prepared before)."""
    server = ForumServer(tmp_path / "forum.db", from_template=False)
    server.start()
    yield server
    server.stop()


def test_first_start_serves_districts_from_a_wal_database(first_start_server):
    forum_server = first_start_server
    page = urllib.request.urlopen(forum_server.url + "/", timeout=10).read().decode()
    assert len(re.findall(r"<h3>", page)) == 18
    assert "XIII Podgórze" in page and 'lang="pl"' in page
    if forum_server.database_url.startswith("sqlite"):  # PostgreSQL has no journal modes
        assert database_rows(forum_server, "PRAGMA journal_mode") == [("wal",)]


def test_api_discussion_and_restart_keeps_data(forum_server):
    api = forum_server.url + "/api/v1"
    anna, jan = http_client(), http_client()
    assert (
        call(
            anna,
            "POST",
            api + "/session",
            {"email": "anna@example.pl", "password": "mieszkanka-demo"},
        )[0]
        == 200
    )
    assert (
        call(
            jan,
            "POST",
            api + "/session",
            {"email": "jan@example.pl", "password": "mieszkaniec-demo"},
        )[0]
        == 200
    )
    rooms = call(anna, "GET", api + "/rooms")[1]["rooms"]
    podgorze = next(room for room in rooms if room["name"] == "XIII Podgórze")
    status, created = call(
        anna,
        "POST",
        f"{api}/rooms/{podgorze['id']}/threads",
        {"title": "Przejście dla pieszych", "body": "Przy szkole."},
    )
    assert status == 201
    thread_id = created["thread"]["id"]
    status, reply = call(jan, "POST", f"{api}/threads/{thread_id}/posts", {"body": "Popieram"})
    assert status == 201
    status, answer = call(
        anna,
        "POST",
        f"{api}/threads/{thread_id}/posts",
        {"body": "Dzięki!", "parent_id": reply["post"]["id"]},
    )
    assert status == 201

    forum_server.stop()
    forum_server.start()

    tree = call(http_client(), "GET", f"{api}/threads/{thread_id}")[1]["post"]
    assert tree["replies"][0]["replies"][0]["id"] == answer["post"]["id"]
    emails = [email for (email,) in database_rows(forum_server, "SELECT email FROM user_account")]
    assert emails.count("anna@example.pl") == 1
