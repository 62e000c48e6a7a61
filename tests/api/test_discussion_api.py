"""Threads and posts through the API: reading, writing, and every way a write is refused."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from config import Config
from forum.discussion import services
from forum.discussion.models import Post, PostRevision, Thread
from forum.extensions import db, utcnow
from tests.api.conftest import count
from tests.conftest import app_context, make_user, room_of, run, update
from tests.conftest import opening_of as opening_post

SAFE_LINK_REL = 'rel="nofollow ugc noopener"'


@pytest.fixture
def as_anna(api, anna):
    api.login(anna)
    return api


@pytest.fixture
def as_jan(api, jan):
    api.login(jan)
    return api


def opening_of(thread: Thread) -> Post:
    return opening_post(thread.id)


def written() -> tuple:
    """What a refused request must leave as it was: row counts and every post's words."""
    with app_context():
        bodies = sorted(db.session.scalars(select(Post.body_source)))
    return count(Thread), count(Post), count(PostRevision), bodies


def lock(thread: Thread) -> None:
    update(Thread, thread.id, status="locked")


def threads_url(room_id: int | None = None) -> str:
    return f"/api/v1/rooms/{room_id or room_of('XIII').id}/threads"


def replies_url(thread: Thread) -> str:
    return f"/api/v1/threads/{thread.id}/posts"


def error_of(response) -> dict:
    return response.get_json()["error"]


# Reading a room's threads


def make_threads(author, n: int) -> list[Thread]:
    """n threads in XIII, the first one the least recently active."""
    threads = [
        run(services.create_thread, author, room_of("XIII").id, f"Wątek {i}", "Treść")
        for i in range(n)
    ]
    for age, thread in enumerate(reversed(threads)):
        update(Thread, thread.id, last_activity_at=utcnow() - timedelta(hours=age))
    return threads


def listed(api, **query) -> list[int]:
    return [t["id"] for t in api.get(threads_url(), query_string=query).get_json()["threads"]]


def test_threads_come_by_last_activity_newest_first(api, anna):
    old, new = make_threads(anna, 2)
    assert listed(api) == [new.id, old.id]


def test_pinned_threads_come_first(api, anna):
    old, new = make_threads(anna, 2)
    update(Thread, old.id, pinned=True)
    assert listed(api) == [old.id, new.id]


def test_a_reply_brings_its_thread_to_the_top(as_jan, anna):
    old, new = make_threads(anna, 2)
    as_jan.post(replies_url(old), json={"body": "Podbijam"})
    assert listed(as_jan) == [old.id, new.id]


def test_threads_come_a_page_at_a_time(api, anna):
    threads = make_threads(anna, 5)
    response = api.get(threads_url(), query_string={"per_page": 2, "page": 2})
    assert [t["id"] for t in response.get_json()["threads"]] == [threads[2].id, threads[1].id]
    assert response.get_json()["meta"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}


def test_the_last_page_holds_the_rest(api, anna):
    threads = make_threads(anna, 5)
    assert listed(api, per_page=2, page=3) == [threads[0].id]


def test_a_page_past_the_end_is_empty(api, anna):
    make_threads(anna, 3)
    response = api.get(threads_url(), query_string={"per_page": 2, "page": 3})
    assert response.status_code == 200
    assert response.get_json()["threads"] == []
    assert response.get_json()["meta"]["total"] == 3


def test_a_page_lists_twenty_threads_unless_asked(api, anna):
    make_threads(anna, 21)
    assert len(listed(api)) == 20


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": ""}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "9" * 30}, "page"),
        ({"page": "1" * 5000}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
    ],
)
def test_a_bad_page_or_per_page_is_invalid(api, query, field):
    response = api.get(threads_url(), query_string=query)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [field]


def test_a_deleted_thread_leaves_the_room_list(as_anna, thread):
    as_anna.delete(f"/api/v1/posts/{opening_of(thread).id}")
    assert listed(as_anna) == []


# Reading a thread


def test_a_guest_reads_a_thread_with_its_opening_post(api, thread):
    response = api.get(f"/api/v1/threads/{thread.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["thread"]["title"] == "Skwer przy Lipowej"
    assert body["post"]["body_html"] == "<p>Zielony skwer?</p>"
    assert body["post"]["replies"] == []


def test_a_reply_to_a_reply_is_nested_under_it(as_jan, thread):
    def reply(body: str, parent_id: int | None = None) -> int:
        payload = {"body": body, "parent_id": parent_id}
        return as_jan.post(replies_url(thread), json=payload).get_json()["post"]["id"]

    first = reply("Pierwsza")
    answer = reply("Do pierwszej", parent_id=first)
    second = reply("Druga")
    tree = as_jan.get(f"/api/v1/threads/{thread.id}").get_json()["post"]
    assert [r["id"] for r in tree["replies"]] == [first, second]
    assert [r["id"] for r in tree["replies"][0]["replies"]] == [answer]
    assert tree["replies"][0]["replies"][0]["depth"] == 2


def chain(author, thread: Thread, length: int) -> Post:
    """Replies each to the one before, under the opening post; the deepest one."""
    post = opening_of(thread)
    for _ in range(length):
        post = run(services.create_reply, author, thread.id, "Głębiej", parent_id=post.id)
    return post


def test_a_reply_may_reach_the_depth_limit(app, as_anna, thread):
    limit = app.config["MAX_REPLY_DEPTH"]
    parent = chain(make_user("Jan"), thread, limit - 1)
    reply = as_anna.post(replies_url(thread), json={"body": "Tak", "parent_id": parent.id})
    assert reply.get_json()["post"]["depth"] == limit
    assert reply.get_json()["post"]["parent_id"] == parent.id


def test_a_reply_past_the_depth_limit_joins_the_deepest_level(app, as_anna, thread):
    limit = app.config["MAX_REPLY_DEPTH"]
    deepest = chain(make_user("Jan"), thread, limit)
    reply = as_anna.post(replies_url(thread), json={"body": "Tak", "parent_id": deepest.id})
    assert reply.status_code == 201
    assert reply.get_json()["post"]["depth"] == limit
    assert reply.get_json()["post"]["parent_id"] == deepest.parent_id


def test_the_tree_shows_a_capped_reply_beside_the_post_it_answered(app, as_anna, thread):
    limit = app.config["MAX_REPLY_DEPTH"]
    deepest = chain(make_user("Jan"), thread, limit)
    as_anna.post(replies_url(thread), json={"body": "Tak", "parent_id": deepest.id})
    level = as_anna.get(f"/api/v1/threads/{thread.id}").get_json()["post"]
    for _ in range(limit - 1):
        (level,) = level["replies"]
    assert [r["depth"] for r in level["replies"]] == [limit, limit]
    assert level["replies"][0]["id"] == deepest.id


# Starting a thread


def test_start_a_thread(as_anna, anna):
    response = as_anna.post(threads_url(), json={"title": "  Ławki  ", "body": "Więcej **ławek**"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["thread"]["title"] == "Ławki"
    assert body["thread"]["author"]["id"] == anna.id
    assert body["thread"]["room_id"] == room_of("XIII").id
    assert body["post"]["body_html"] == "<p>Więcej <strong>ławek</strong></p>"
    assert (body["post"]["depth"], body["post"]["parent_id"]) == (0, None)
    assert (count(Thread), count(Post)) == (1, 1)


def test_a_thread_may_use_the_whole_allowance(as_anna):
    title, body = "T" * Config.TITLE_MAX_LENGTH, "x" * Config.BODY_MAX_LENGTH
    response = as_anna.post(threads_url(), json={"title": title, "body": body})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "", "body": "Tak"}, {"title"}),
        ({"title": "  ab  ", "body": "Tak"}, {"title"}),
        ({"title": "T" * (Config.TITLE_MAX_LENGTH + 1), "body": "Tak"}, {"title"}),
        ({"title": "Ławki", "body": ""}, {"body"}),
        ({"title": "Ławki", "body": " \n\t "}, {"body"}),
        ({"title": "Ławki", "body": "x" * (Config.BODY_MAX_LENGTH + 1)}, {"body"}),
        ({"title": "Ławki", "body": "<img src=x onerror=alert(1)>"}, {"body"}),
        ({"title": "", "body": ""}, {"title", "body"}),
        ({"body": "Tak"}, {"title"}),
        ({"title": None, "body": "Tak"}, {"title"}),
        ({"title": 123, "body": "Tak"}, {"title"}),
        ({"title": ["Ławki"], "body": "Tak"}, {"title"}),
        ({"title": "Ławki"}, {"body"}),
        ({"title": "Ławki", "body": {"text": "Tak"}}, {"body"}),
    ],
)
def test_a_bad_thread_is_invalid_and_writes_nothing(as_anna, payload, fields):
    response = as_anna.post(threads_url(), json=payload)
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"
    assert set(error_of(response)["fields"]) == fields
    assert (count(Thread), count(Post)) == (0, 0)


def test_a_body_of_only_a_script_is_empty_after_cleaning(as_anna):
    response = as_anna.post(
        threads_url(), json={"title": "Ławki", "body": "<script>alert(1)</script>"}
    )
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["body"]
    assert (count(Thread), count(Post)) == (0, 0)


def test_a_guest_cannot_start_a_thread(api):
    response = api.post(threads_url(), json={"title": "Ławki", "body": "Tak"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert count(Thread) == 0


# Replying


def test_a_reply_hangs_under_the_opening_post(as_jan, jan, thread):
    response = as_jan.post(replies_url(thread), json={"body": "Popieram"})
    assert response.status_code == 201
    post = response.get_json()["post"]
    assert (post["parent_id"], post["depth"]) == (opening_of(thread).id, 1)
    assert post["author"]["id"] == jan.id


def test_a_reply_counts_in_the_thread(as_jan, thread):
    as_jan.post(replies_url(thread), json={"body": "Popieram", "parent_id": None})
    assert as_jan.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]["reply_count"] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"body": ""},
        {"body": "   "},
        {"body": "x" * (Config.BODY_MAX_LENGTH + 1)},
        {"body": "<img src=x onerror=alert(1)>"},
        {"body": 5},
        {},
    ],
)
def test_a_bad_reply_body_is_invalid_and_writes_nothing(as_jan, thread, payload):
    before = written()
    response = as_jan.post(replies_url(thread), json=payload)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["body"]
    assert written() == before


@pytest.mark.parametrize("parent_id", [999_999, 0, -1, 2**70])
def test_an_unknown_parent_is_invalid(as_jan, thread, parent_id):
    before = written()
    response = as_jan.post(replies_url(thread), json={"body": "Tak", "parent_id": parent_id})
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["parent_id"]
    assert written() == before


def test_a_parent_from_another_thread_is_invalid(as_jan, anna, thread):
    other = run(services.create_thread, anna, room_of("XIII").id, "Drzewa", "Więcej drzew")
    before = written()
    response = as_jan.post(
        replies_url(thread), json={"body": "Tak", "parent_id": opening_of(other).id}
    )
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["parent_id"]
    assert written() == before


@pytest.mark.parametrize(
    "wrong_type",
    [str, float, bool, lambda i: [i], lambda i: {"id": i}],
    ids=["string", "float", "bool", "list", "object"],
)
def test_a_parent_id_of_the_wrong_type_is_invalid(as_jan, thread, wrong_type):
    before = written()
    parent_id = wrong_type(opening_of(thread).id)
    response = as_jan.post(replies_url(thread), json={"body": "Tak", "parent_id": parent_id})
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["parent_id"]
    assert written() == before


def test_a_deleted_post_takes_no_replies(as_jan, anna, thread):
    reply = run(services.create_reply, anna, thread.id, "Zaraz usunę")
    run(services.delete_post, anna, reply.id)
    before = written()
    response = as_jan.post(replies_url(thread), json={"body": "Tak", "parent_id": reply.id})
    assert response.status_code == 409
    assert error_of(response)["code"] == "post_deleted"
    assert written() == before


@pytest.mark.parametrize(
    ("role", "scope"),
    [(None, None), ("ambassador", "I"), ("expert", "ZZM")],
    ids=["resident", "ambassador-elsewhere", "expert"],
)
def test_a_locked_thread_takes_no_replies(api, thread, role, scope):
    lock(thread)
    api.login(make_user("Ktoś", role=role, scope=scope))
    before = written()
    response = api.post(replies_url(thread), json={"body": "Tak"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "thread_locked"
    assert written() == before


@pytest.mark.parametrize(("role", "scope"), [("ambassador", "XIII"), ("admin", None)])
def test_moderators_still_reply_to_a_locked_thread(api, thread, role, scope):
    lock(thread)
    api.login(make_user("Moderator", role=role, scope=scope))
    assert api.post(replies_url(thread), json={"body": "Wątek zamknięty."}).status_code == 201


def test_a_deleted_thread_takes_no_replies(as_anna, thread):
    as_anna.delete(f"/api/v1/posts/{opening_of(thread).id}")
    before = written()
    response = as_anna.post(replies_url(thread), json={"body": "Tak"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "thread_deleted"
    assert written() == before


# Editing


def test_edit_own_post(as_anna, thread):
    response = as_anna.patch(f"/api/v1/posts/{opening_of(thread).id}", json={"body": "Park?"})
    assert response.status_code == 200
    post = response.get_json()["post"]
    assert (post["body_source"], post["body_html"]) == ("Park?", "<p>Park?</p>")
    assert post["edited_at"] is not None


def test_revisions_show_the_earlier_version(as_anna, thread):
    opening = opening_of(thread)
    created_at = as_anna.get(f"/api/v1/threads/{thread.id}").get_json()["post"]["created_at"]
    as_anna.patch(f"/api/v1/posts/{opening.id}", json={"body": "Park?"})
    response = as_anna.get(f"/api/v1/posts/{opening.id}/revisions")
    assert response.status_code == 200
    assert response.get_json()["post"]["body_source"] == "Park?"
    (revision,) = response.get_json()["revisions"]
    assert revision["body_source"] == "Zielony skwer?"
    assert revision["body_html"] == "<p>Zielony skwer?</p>"
    assert revision["written_at"] == created_at


def test_revisions_come_oldest_first(as_anna, thread):
    url = f"/api/v1/posts/{opening_of(thread).id}"
    as_anna.patch(url, json={"body": "Drugi"})
    as_anna.patch(url, json={"body": "Trzeci"})
    revisions = as_anna.get(f"{url}/revisions").get_json()["revisions"]
    assert [r["body_source"] for r in revisions] == ["Zielony skwer?", "Drugi"]


def test_an_unchanged_body_adds_no_revision(as_anna, thread):
    response = as_anna.patch(
        f"/api/v1/posts/{opening_of(thread).id}", json={"body": "Zielony skwer?"}
    )
    assert response.status_code == 200
    assert count(PostRevision) == 0


@pytest.mark.parametrize(
    "payload", [{"body": ""}, {"body": "x" * (Config.BODY_MAX_LENGTH + 1)}, {"body": 7}, {}]
)
def test_a_bad_edit_is_invalid_and_changes_nothing(as_anna, thread, payload):
    before = written()
    response = as_anna.patch(f"/api/v1/posts/{opening_of(thread).id}", json=payload)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["body"]
    assert written() == before


def test_editing_someone_elses_post_is_forbidden(as_jan, thread):
    before = written()
    response = as_jan.patch(f"/api/v1/posts/{opening_of(thread).id}", json={"body": "Moje!"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert written() == before


def test_editing_a_deleted_post_is_forbidden(as_anna, anna, thread):
    reply = run(services.create_reply, anna, thread.id, "Zaraz usunę")
    run(services.delete_post, anna, reply.id)
    before = written()
    response = as_anna.patch(f"/api/v1/posts/{reply.id}", json={"body": "Jednak nie"})
    assert response.status_code == 403
    assert written() == before


def test_a_locked_thread_takes_no_edits(as_anna, thread):
    lock(thread)
    before = written()
    response = as_anna.patch(f"/api/v1/posts/{opening_of(thread).id}", json={"body": "Park?"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "thread_locked"
    assert written() == before


def test_editing_someone_elses_post_in_a_locked_thread_is_forbidden(as_jan, thread):
    lock(thread)
    response = as_jan.patch(f"/api/v1/posts/{opening_of(thread).id}", json={"body": "Moje!"})
    assert response.status_code == 403


# Deleting


def test_deleting_a_reply_leaves_a_tombstone(as_anna, anna, thread):
    reply = run(services.create_reply, anna, thread.id, "Zaraz usunę")
    response = as_anna.delete(f"/api/v1/posts/{reply.id}")
    assert response.status_code == 200
    post = response.get_json()["post"]
    assert (post["deleted"], post["author"], post["body_source"], post["body_html"]) == (
        True,
        None,
        "",
        "",
    )


def test_a_tombstone_keeps_the_replies_under_it(as_anna, anna, jan, thread):
    reply = run(services.create_reply, anna, thread.id, "Zaraz usunę")
    answer = run(services.create_reply, jan, thread.id, "Odpowiadam", parent_id=reply.id)
    as_anna.delete(f"/api/v1/posts/{reply.id}")
    body = as_anna.get(f"/api/v1/threads/{thread.id}").get_json()
    (tombstone,) = body["post"]["replies"]
    assert (tombstone["id"], tombstone["deleted"], tombstone["author"]) == (reply.id, True, None)
    assert [r["id"] for r in tombstone["replies"]] == [answer.id]
    assert body["thread"]["reply_count"] == 1


def test_deleting_a_post_drops_its_history(as_anna, thread):
    url = f"/api/v1/posts/{opening_of(thread).id}"
    as_anna.patch(url, json={"body": "Park?"})
    as_anna.delete(url)
    assert as_anna.get(f"{url}/revisions").get_json()["revisions"] == []
    assert count(PostRevision) == 0


def test_deleting_the_opening_post_deletes_the_thread(as_anna, thread):
    as_anna.delete(f"/api/v1/posts/{opening_of(thread).id}")
    assert as_anna.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]["deleted"] is True


def test_a_deleted_thread_leaves_the_rooms_counts(as_anna, thread):
    as_anna.delete(f"/api/v1/posts/{opening_of(thread).id}")
    room = as_anna.get(f"/api/v1/rooms/{thread.room_id}").get_json()["room"]
    assert room["thread_count"] == 0


def test_deleting_someone_elses_post_is_forbidden(as_jan, thread):
    before = written()
    response = as_jan.delete(f"/api/v1/posts/{opening_of(thread).id}")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert written() == before


def test_deleting_a_deleted_post_is_forbidden(as_anna, anna, thread):
    reply = run(services.create_reply, anna, thread.id, "Zaraz usunę")
    as_anna.delete(f"/api/v1/posts/{reply.id}")
    assert as_anna.delete(f"/api/v1/posts/{reply.id}").status_code == 403


def test_an_author_may_delete_a_reply_in_a_locked_thread(as_anna, anna, thread):
    reply = run(services.create_reply, anna, thread.id, "Jednak nie")
    lock(thread)
    assert as_anna.delete(f"/api/v1/posts/{reply.id}").status_code == 200


def test_a_reply_in_a_deleted_thread_cannot_be_deleted(as_anna, anna, thread):
    reply = run(services.create_reply, anna, thread.id, "Zostaję")
    as_anna.delete(f"/api/v1/posts/{opening_of(thread).id}")
    response = as_anna.delete(f"/api/v1/posts/{reply.id}")
    assert response.status_code == 409
    assert error_of(response)["code"] == "thread_deleted"


def test_deleting_someone_elses_post_in_a_locked_thread_is_forbidden(as_jan, thread):
    lock(thread)
    response = as_jan.delete(f"/api/v1/posts/{opening_of(thread).id}")
    assert response.status_code == 403


# Requests every write refuses alike


@pytest.fixture(params=["create_thread", "create_reply", "edit_post"])
def write(request, as_anna, thread) -> tuple[str, str, dict]:
    """A write Anna may make: method, URL and a valid payload."""
    return {
        "create_thread": ("POST", threads_url(), {"title": "Drzewa", "body": "Więcej drzew"}),
        "create_reply": ("POST", replies_url(thread), {"body": "Tak"}),
        "edit_post": ("PATCH", f"/api/v1/posts/{opening_of(thread).id}", {"body": "Park?"}),
    }[request.param]


def test_a_valid_write_succeeds(as_anna, write):
    method, url, payload = write
    assert as_anna.open(url, method=method, json=payload).status_code in (200, 201)


@pytest.mark.parametrize("data", ["{", '{"body": }', "", "{'body': 'Tak'}"])
def test_malformed_json_is_refused(as_anna, write, data):
    method, url, _payload = write
    before = written()
    response = as_anna.open(url, method=method, data=data, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert written() == before


@pytest.mark.parametrize("data", ["[]", '["Tak"]', '"Tak"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_refused(as_anna, write, data):
    method, url, _payload = write
    before = written()
    response = as_anna.open(url, method=method, data=data, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert written() == before


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]
)
def test_other_content_types_are_refused(as_anna, write, content_type):
    method, url, payload = write
    before = written()
    if content_type == "text/plain":
        options = {"data": '{"title": "Drzewa", "body": "Tak"}', "content_type": content_type}
    else:
        options = {"data": payload, "content_type": content_type}
    response = as_anna.open(url, method=method, **options)
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert written() == before


def test_a_body_over_64_kib_is_refused(as_anna, write):
    method, url, payload = write
    before = written()
    response = as_anna.open(url, method=method, json=payload | {"body": "x" * 70_000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert written() == before


def test_a_guest_may_not_write(api, write):
    method, url, payload = write
    api.logout()
    before = written()
    response = api.open(url, method=method, json=payload)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert written() == before


def test_a_guest_may_not_delete(api, thread):
    response = api.delete(f"/api/v1/posts/{opening_of(thread).id}")
    assert response.status_code == 401
    assert opening_of(thread).deleted_at is None


ROUTES_WITH_AN_ID = [
    ("GET", "/api/v1/rooms/{}/threads"),
    ("POST", "/api/v1/rooms/{}/threads"),
    ("GET", "/api/v1/threads/{}"),
    ("POST", "/api/v1/threads/{}/posts"),
    ("PATCH", "/api/v1/posts/{}"),
    ("DELETE", "/api/v1/posts/{}"),
    ("GET", "/api/v1/posts/{}/revisions"),
]
UNKNOWN_IDS = [
    pytest.param(method, url, 999_999, id=f"{method}-{url}-missing")
    for method, url in ROUTES_WITH_AN_ID
] + [
    pytest.param(method, url, 2**64, id=f"{method}-{url}-past-64-bits")
    for method, url in ROUTES_WITH_AN_ID
]


@pytest.mark.parametrize(("method", "url", "missing"), UNKNOWN_IDS)
def test_unknown_ids_are_not_found(as_anna, thread, method, url, missing):
    before = written()
    payload = {"title": "Drzewa", "body": "Tak"} if method in ("POST", "PATCH") else None
    response = as_anna.open(url.format(missing), method=method, json=payload)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert written() == before


# Cleaning what people write


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> Ławki",
        '<img src="x" onerror="alert(1)"> Ławki',
        "<p onmouseover=alert(1)>Ławki</p>",
        "[Ławki](javascript:alert(1))",
        '<a href="https://x.pl" onclick="alert(1)">Ławki</a>',
        "<iframe src=https://evil.example></iframe> Ławki",
    ],
)
def test_dangerous_markup_never_reaches_body_html(as_anna, body):
    response = as_anna.post(threads_url(), json={"title": "Ławki", "body": body})
    html = response.get_json()["post"]["body_html"]
    for forbidden in ("<script", "onerror", "onmouseover", "onclick", "javascript:", "<iframe"):
        assert forbidden not in html


def test_the_thread_serves_the_cleaned_html(as_anna):
    response = as_anna.post(
        threads_url(), json={"title": "Ławki", "body": '<img src=x onerror="alert(1)"> Ławki'}
    )
    thread_id = response.get_json()["thread"]["id"]
    html = as_anna.get(f"/api/v1/threads/{thread_id}").get_json()["post"]["body_html"]
    assert "onerror" not in html and "Ławki" in html


def test_replies_and_edits_are_cleaned_too(as_anna, thread):
    reply = as_anna.post(replies_url(thread), json={"body": "<script>x()</script> Tak"})
    edit = as_anna.patch(
        f"/api/v1/posts/{opening_of(thread).id}", json={"body": "<img src=x onerror=x()> Park"}
    )
    assert "<script" not in reply.get_json()["post"]["body_html"]
    assert "onerror" not in edit.get_json()["post"]["body_html"]


def test_links_are_marked_nofollow_ugc_noopener(as_anna):
    body = "[BO](https://budzet.krakow.pl) i https://www.krakow.pl"
    response = as_anna.post(threads_url(), json={"title": "Linki", "body": body})
    html = response.get_json()["post"]["body_html"]
    assert html.count(SAFE_LINK_REL) == 2
    assert 'href="https://www.krakow.pl"' in html


def test_a_link_typed_as_html_is_not_rendered_so_its_rel_never_counts(as_anna):
    body = '<a href="https://x.pl" rel="opener">x</a>'
    response = as_anna.post(threads_url(), json={"title": "Linki", "body": body})
    assert response.get_json()["post"]["body_html"] == "<p>x</p>"
