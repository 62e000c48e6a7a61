"""Restricted rooms: every read path asks the same question, and for someone who may not read
the room a restricted room, its threads and posts look exactly like ones that do not exist."""

import re

import pytest

from forum.admin import services as admin
from forum.discussion import services as discussion
from forum.realtime import events
from tests.admin.conftest import logged_in
from tests.conftest import make_member, make_user, room_of, run

MISSING = 987654
CSRF = re.compile(r'(name="csrf_token" type="hidden" value="|name="csrf_token" value=")[^"]+"')


@pytest.fixture
def hidden(app, boss):
    """A restricted room with a thread and a reply (written by a member), and its ids."""
    room_id = room_of("XIII").id
    member = make_member(make_user("Członkini"), room_id)
    run(admin.set_room_visibility, boss, room_id, False)
    thread = run(discussion.create_thread, member, room_id, "Tajny wątek", "Tajna treść")
    reply = run(discussion.create_reply, member, thread.id, "Tajna odpowiedź")
    run(discussion.edit_post, member, reply.id, "Tajna odpowiedź, poprawiona")
    return {"room": room_id, "thread": thread.id, "post": reply.id, "member": member}


def in_links(page: str, object_id: int) -> str:
    """The page with the id written as ID where a link names it (a login link's `next`)."""
    return re.sub(rf"(/|%2F)(rooms|threads|posts)(/|%2F){object_id}(?!\d)", r"\1\2\3ID", page)


def same_apart_from_the_id(one, other, one_id: int, other_id: int, what: str) -> None:
    assert one.status_code == other.status_code, what
    first, second = one.get_data(as_text=True), other.get_data(as_text=True)
    first = CSRF.sub(r"\1\"", in_links(first, one_id))
    second = CSRF.sub(r"\1\"", in_links(second, other_id))
    assert first == second, what


PATHS = [  # (path with {id}, which id)
    ("/rooms/{id}", "room"),
    ("/rooms/{id}?page=2", "room"),
    ("/threads/{id}", "thread"),
    ("/posts/{id}/history", "post"),
    ("/posts/{id}/edit", "post"),
    ("/api/v1/rooms/{id}", "room"),
    ("/api/v1/rooms/{id}/threads", "room"),
    ("/api/v1/threads/{id}", "thread"),
    ("/api/v1/posts/{id}", "post"),
    ("/api/v1/posts/{id}/revisions", "post"),
    ("/api/v1/streams/room:{id}/events?after=0", "room"),
    ("/api/v1/streams/thread:{id}/events?after=0", "thread"),
]
WRITES = [
    ("/api/v1/rooms/{id}/threads", "room", {"title": "Tytuł", "body": "Treść"}),
    ("/api/v1/threads/{id}/posts", "thread", {"body": "Treść"}),
    ("/rooms/{id}/threads", "room", None),
    ("/threads/{id}/replies", "thread", None),
]


@pytest.mark.parametrize("who", ["guest", "resident", "ambassador"])
def test_a_restricted_room_looks_missing_on_every_read_path(app, hidden, who):
    client = {
        "guest": lambda: app.test_client(),
        "resident": lambda: logged_in(app, make_user("Obca")),
        "ambassador": lambda: logged_in(app, make_user("Amb", role="ambassador", scope="XIII")),
    }[who]()
    for path, kind in PATHS:
        forbidden = client.get(path.format(id=hidden[kind]))
        missing = client.get(path.format(id=MISSING))
        assert forbidden.status_code == 404 or (who == "guest" and forbidden.status_code == 302), (
            path
        )
        same_apart_from_the_id(forbidden, missing, hidden[kind], MISSING, path)
    for path, kind, body in WRITES:
        data = {"title": "Tytuł", "body": "Treść"}
        forbidden = client.post(
            path.format(id=hidden[kind]), json=body, data=None if body else data
        )
        missing = client.post(path.format(id=MISSING), json=body, data=None if body else data)
        same_apart_from_the_id(forbidden, missing, hidden[kind], MISSING, path)


def test_members_and_admins_read_it(app, boss, hidden):
    for client in (logged_in(app, hidden["member"]), logged_in(app, boss)):
        assert client.get(f"/rooms/{hidden['room']}").status_code == 200
        assert client.get(f"/threads/{hidden['thread']}").status_code == 200
        assert client.get(f"/api/v1/posts/{hidden['post']}/revisions").status_code == 200


def test_the_room_lists_leave_it_out(app, hidden):
    outsider = logged_in(app, make_user("Obca"))
    member = logged_in(app, hidden["member"])
    listed = [r["id"] for r in outsider.get("/api/v1/rooms").get_json()["rooms"]]
    assert hidden["room"] not in listed
    assert hidden["room"] in [r["id"] for r in member.get("/api/v1/rooms").get_json()["rooms"]]
    assert hidden["room"] not in rooms_in(outsider.get("/api/v1/areas").get_json()["area"])
    assert hidden["room"] in rooms_in(member.get("/api/v1/areas").get_json()["area"])
    assert f'href="/rooms/{hidden["room"]}"' not in outsider.get("/").get_data(as_text=True)
    assert f'href="/rooms/{hidden["room"]}"' in member.get("/").get_data(as_text=True)


def rooms_in(area: dict) -> list[int]:
    return [r["id"] for r in area["rooms"]] + [i for a in area["children"] for i in rooms_in(a)]


@pytest.mark.parametrize("asked", ["room", "thread"])
def test_a_socket_cannot_join_it(app, connect, hidden, asked):
    sock = connect(logged_in(app, make_user("Obca")))
    forbidden = sock.emit(events.JOIN, {f"{asked}_id": hidden[asked]})
    missing = sock.emit(events.JOIN, {f"{asked}_id": MISSING})
    assert forbidden == missing and forbidden["error"]["code"] == "not_found"
    by_name = sock.emit(events.JOIN, {"stream": f"{asked}:{hidden[asked]}"})
    assert by_name == sock.emit(events.JOIN, {"stream": f"{asked}:{MISSING}"})


def test_notifications_about_a_room_one_lost_say_nothing_of_it(app, boss, hidden, anna):
    make_member(anna, hidden["room"])
    thread = run(discussion.create_thread, anna, hidden["room"], "Wątek Anny", "Treść Anny")
    run(discussion.create_reply, hidden["member"], thread.id, "Odpowiedź dla Anny")
    client = logged_in(app, anna)
    shown = client.get("/api/v1/notifications").get_json()["notifications"][0]
    assert shown["thread"]["title"] == "Wątek Anny"
    run(admin.remove_member, boss, hidden["room"], anna.id)
    shown = client.get("/api/v1/notifications").get_json()["notifications"][0]
    assert shown["thread"] is None and shown["post_id"] is None
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "Wątek Anny" not in inbox and "Odpowiedź dla Anny" not in inbox
    opened = client.get(f"/notifications/{shown['id']}")
    assert f"/threads/{thread.id}" not in opened.headers.get("Location", "")
