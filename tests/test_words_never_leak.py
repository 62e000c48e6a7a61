"""A deleted post's words, and a hidden post's words, are absent from every read path a reader
who may not see them has: pages, the API, catch-up over HTTP and over the socket."""

import pytest

from forum.discussion import services
from forum.moderation import services as moderation
from forum.realtime import events
from tests.conftest import PASSWORD, make_user, room_of, run
from tests.sockets import CheckedSocket

SECRET = "Sekretne-słowo-7f3a"
EDITED = "Poprawione-sekretne-słowo-91bd"


@pytest.fixture
def scene(app):
    """A thread with a reply edited then deleted, and another edited then hidden."""
    anna, jan = make_user("Anna"), make_user("Jan")
    admin = make_user("Admin", role="admin")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Początek")
    deleted = run(services.create_reply, jan, thread.id, f"{SECRET} do usunięcia")
    run(services.edit_post, jan, deleted.id, f"{EDITED} do usunięcia")
    run(services.delete_post, jan, deleted.id)
    hidden = run(services.create_reply, jan, thread.id, f"{SECRET} do ukrycia")
    run(services.edit_post, jan, hidden.id, f"{EDITED} do ukrycia")
    run(moderation.hide_post, admin, hidden.id, "Wycieczki osobiste")
    return {"thread": thread, "deleted": deleted, "hidden": hidden, "jan": jan, "anna": anna}


def readers(app, scene):
    """A guest, and a resident who is neither the author nor a moderator."""
    guest = app.test_client()
    resident = app.test_client()
    resident.post("/login", data={"email": scene["anna"].email, "password": PASSWORD})
    return {"guest": guest, "resident": resident}


def everything_readable(app, client, scene) -> str:
    """All a client can read about the thread and its posts, as one text."""
    thread, deleted, hidden = scene["thread"], scene["deleted"], scene["hidden"]
    room_id = room_of("XIII").id
    texts = [
        client.get(f"/threads/{thread.id}").text,
        client.get(f"/rooms/{room_id}").text,
        client.get(f"/posts/{hidden.id}/history").text,
        client.get(f"/posts/{deleted.id}/history").text,
        client.get(f"/api/v1/threads/{thread.id}").text,
        client.get(f"/api/v1/posts/{hidden.id}").text,
        client.get(f"/api/v1/posts/{deleted.id}").text,
        client.get(f"/api/v1/posts/{hidden.id}/revisions").text,
        client.get(f"/api/v1/posts/{deleted.id}/revisions").text,
        client.get(f"/api/v1/streams/thread:{thread.id}/events?after=0").text,
        client.get(f"/api/v1/streams/room:{room_id}/events?after=0").text,
        client.get(f"/rooms/{room_id}/moderation-log").text,
        client.get(f"/api/v1/rooms/{room_id}/moderation-log").text,
    ]
    user = client.get("/api/v1/session").get_json()["user"]
    if user is not None:
        # The thread's author was notified of both replies: the inbox, over every route.
        texts.append(client.get("/notifications").text)
        texts.append(client.get("/api/v1/notifications").text)
        texts.append(client.get(f"/api/v1/streams/user:{user['id']}/events?after=0").text)
    sock = CheckedSocket(app, client)
    texts.append(str(sock.emit(events.JOIN, {"thread_id": thread.id, "after": 0})))
    texts.append(str(sock.emit(events.JOIN, {"room_id": room_id, "after": 0})))
    sock.disconnect()
    return "\n".join(texts)


@pytest.mark.parametrize("who", ["guest", "resident"])
def test_neither_deleted_nor_hidden_words_reach_a_reader(app, scene, who):
    client = readers(app, scene)[who]
    seen = everything_readable(app, client, scene)
    assert SECRET not in seen and EDITED not in seen
    assert "Wycieczki osobiste" in seen  # the reason is public


def test_the_author_still_reads_the_hidden_post_but_not_the_deleted_one(app, scene):
    author = app.test_client()
    author.post("/login", data={"email": scene["jan"].email, "password": PASSWORD})
    seen = everything_readable(app, author, scene)
    assert f"{EDITED} do ukrycia" in seen and f"{SECRET} do ukrycia" in seen
    assert f"{EDITED} do usunięcia" not in seen and f"{SECRET} do usunięcia" not in seen


def test_a_live_hide_sends_no_words(app, scene):
    sock = CheckedSocket(app, app.test_client())
    sock.emit(events.JOIN, {"thread_id": scene["thread"].id})
    post = run(services.create_reply, scene["jan"], scene["thread"].id, f"{SECRET} na żywo")
    run(moderation.hide_post, make_user("Amb", role="ambassador", scope="XIII"), post.id, "Spam")
    hidden = sock.received_named(events.POST_HIDDEN)
    assert hidden and hidden[0]["post"]["hidden_reason"] == "Spam"
    assert SECRET not in str(hidden)
