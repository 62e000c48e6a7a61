"""Long threads are read in slices: runs of top-level replies with their replies, bounded in posts.

A link to any post (/posts/<id>) lands on the slice that holds it; the pages and the API say
where a slice stands; a slice that does not exist is a clear 404, never a 500.
"""

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.extensions import db
from forum.transactions import transaction
from tests.conftest import PASSWORD, app_context, make_user, opening_of, room_of, run, wait_until


def grow(thread_id: int, shape: list[int | None]) -> list[int]:
    """Add replies straight into the database (fast, for big threads): shape[i] is the index in
    shape of the reply the i-th one answers (an earlier one), or None for a reply to the opening
    post. The database gives each its id, in order."""
    with app_context(), transaction():
        thread = db.session.get(Thread, thread_id)
        opening = db.session.scalars(
            select(Post).where(Post.thread_id == thread_id, Post.parent_id.is_(None))
        ).one()
        ids: list[int] = []
        depths: list[int] = []
        for index, parent in enumerate(shape):
            depth = 1 if parent is None else depths[parent] + 1
            depths.append(depth)
            row = {
                "thread_id": thread_id,
                "author_id": opening.author_id,
                "parent_id": opening.id if parent is None else ids[parent],
                "depth": depth,
                "body_source": f"Wpis {index}",
                "body_html": f"<p>Wpis {index}</p>",
                "created_at": opening.created_at + timedelta(microseconds=index + 1),
            }
            ids.append(db.session.execute(insert(Post).returning(Post.id), row).scalar_one())
        thread.reply_count = Thread.reply_count + len(shape)
    return ids


def shows(post_id: int) -> str:
    return f'id="post-{post_id}"'


def new_thread(title: str = "Długi wątek") -> int:
    return run(services.create_thread, make_user("Autorka"), room_of("XIII").id, title, "Start").id


def chatty(total: int) -> list[int | None]:
    """Every third reply starts a top-level reply, the next two answer the one before."""
    return [None if index % 3 == 0 else index - 1 for index in range(total)]


def outline(thread_id: int, limit: int) -> services.Outline:
    with app_context():
        return services.thread_outline(thread_id, limit)


def slices(thread_id: int, limit: int) -> list[list[int]]:
    found = outline(thread_id, limit)
    return [found.slice(page) for page in range(1, found.pages + 1)]


def test_a_thread_alone_has_one_empty_slice(app):
    thread_id = new_thread()
    found = outline(thread_id, 5)
    assert found.pages == 1 and found.slice(1) == []
    assert found.page_of(opening_of(thread_id).id) == 1


def test_slices_are_runs_of_whole_top_level_replies_within_the_bound(app):
    thread_id = new_thread()
    ids = grow(thread_id, chatty(12))  # four top-level replies of three posts each
    assert slices(thread_id, 7) == [ids[0:6], ids[6:12]]
    assert slices(thread_id, 3) == [ids[0:3], ids[3:6], ids[6:9], ids[9:12]]
    assert slices(thread_id, 100) == [ids]


def test_replies_come_depth_first_under_their_top_level_reply(app):
    thread_id = new_thread()
    # 0 and 1 top-level; 2 answers 0, 3 answers 1, 4 answers 2
    ids = grow(thread_id, [None, None, 0, 1, 2])
    assert slices(thread_id, 10) == [[ids[0], ids[2], ids[4], ids[1], ids[3]]]
    assert slices(thread_id, 3) == [[ids[0], ids[2], ids[4]], [ids[1], ids[3]]]


def test_a_top_level_reply_larger_than_a_slice_is_cut_and_read_on(app):
    thread_id = new_thread()
    # one top-level reply with 11 replies under it, then a small one
    ids = grow(thread_id, [None] + [0] * 11 + [None, 12])
    found = outline(thread_id, 5)
    assert [found.slice(page) for page in range(1, found.pages + 1)] == [
        ids[0:5],
        ids[5:10],
        ids[10:12] + ids[12:14],  # the rest of the big one, then whole ones after it
    ]
    # A slice that begins inside a reply's replies shows that reply as context.
    assert found.ancestors(ids[5]) == [ids[0]]
    assert [found.page_of(post_id) for post_id in ids] == [1] * 5 + [2] * 5 + [3] * 4


def test_thread_page_shows_a_slice_with_links_to_the_others(app, client):
    app.config["THREAD_SLICE_POSTS"] = 6
    thread_id = new_thread()
    ids = grow(thread_id, chatty(15))
    first = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert shows(ids[5]) in first and shows(ids[6]) not in first
    assert f'href="/threads/{thread_id}?page=2"' in first and 'rel="prev"' not in first
    assert "Start" in first  # the opening post is on every slice
    second = client.get(f"/threads/{thread_id}?page=2").get_data(as_text=True)
    assert shows(ids[6]) in second and shows(ids[5]) not in second
    assert "Start" in second and f'href="/threads/{thread_id}"' in second  # back to the first
    assert f'href="/threads/{thread_id}?page=3"' in second
    last = client.get(f"/threads/{thread_id}?page=3").get_data(as_text=True)
    assert shows(ids[14]) in last and 'rel="next"' not in last
    assert 'data-last-page="true"' in last and 'data-last-page=""' in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2.5", "4", "99999999999999999999999", "١"])
def test_a_slice_that_does_not_exist_is_not_found(app, client, page):
    app.config["THREAD_SLICE_POSTS"] = 6
    thread_id = new_thread()
    grow(thread_id, chatty(15))
    response = client.get(f"/threads/{thread_id}?page={page}")
    assert response.status_code == 404
    assert "Nie ma takiej strony." in response.get_data(as_text=True)  # "There is no such page."
    answer = client.get(f"/api/v1/threads/{thread_id}?page={page}")
    assert answer.status_code in (404, 422), answer.status_code
    assert answer.get_json()["error"]["code"]


def test_the_first_slice_of_a_thread_alone_exists(client):
    thread_id = new_thread()
    assert client.get(f"/threads/{thread_id}?page=1").status_code == 200
    assert client.get(f"/threads/{thread_id}?page=2").status_code == 404


def test_a_continued_slice_shows_where_its_first_reply_hangs(app, client):
    app.config["THREAD_SLICE_POSTS"] = 5
    thread_id = new_thread()
    ids = grow(thread_id, [None] + [0] * 11)
    page = client.get(f"/threads/{thread_id}?page=2").get_data(as_text=True)
    assert shows(ids[0]) in page and "post-context" in page
    assert shows(ids[5]) in page and shows(ids[4]) not in page
    answer = client.get(f"/api/v1/threads/{thread_id}?page=2").get_json()
    assert answer["slice"]["context"] == [ids[0]]
    assert [reply["id"] for reply in answer["post"]["replies"]] == [ids[0]]
    assert [reply["id"] for reply in answer["post"]["replies"][0]["replies"]] == ids[5:10]


def test_a_link_to_a_post_lands_on_its_slice(app, client):
    app.config["THREAD_SLICE_POSTS"] = 6
    thread_id = new_thread()
    ids = grow(thread_id, chatty(15))
    opening = opening_of(thread_id).id
    for post_id, where in [
        (opening, f"/threads/{thread_id}#post-{opening}"),
        (ids[2], f"/threads/{thread_id}#post-{ids[2]}"),
        (ids[7], f"/threads/{thread_id}?page=2#post-{ids[7]}"),
        (ids[14], f"/threads/{thread_id}?page=3#post-{ids[14]}"),
    ]:
        response = client.get(f"/posts/{post_id}")
        assert response.status_code == 302
        assert response.headers["Location"] == where


def test_a_link_to_a_post_one_may_not_read_is_not_found(client):
    assert client.get("/posts/987654321").status_code == 404


def writer(app):
    """A test client logged in as a new resident."""
    user = make_user("Piszący")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def test_a_reply_lands_on_the_slice_that_holds_it(app):
    app.config["THREAD_SLICE_POSTS"] = 6
    thread_id = new_thread()
    ids = grow(thread_id, chatty(15))
    client = writer(app)
    response = client.post(f"/threads/{thread_id}/replies", data={"body": "Na końcu"})
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("-", 1)[1])
    assert response.headers["Location"] == f"/threads/{thread_id}?page=3#post-{new_id}"
    response = client.post(
        f"/threads/{thread_id}/replies", data={"body": "W środku", "parent_id": str(ids[1])}
    )
    new_id = int(response.headers["Location"].rsplit("-", 1)[1])
    assert response.headers["Location"] == f"/threads/{thread_id}#post-{new_id}"


def test_a_refused_reply_is_shown_again_on_the_slice_of_its_parent(app):
    app.config["THREAD_SLICE_POSTS"] = 6
    thread_id = new_thread()
    ids = grow(thread_id, chatty(15))
    client = writer(app)
    response = client.post(
        f"/threads/{thread_id}/replies", data={"body": "   ", "parent_id": str(ids[8])}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert shows(ids[8]) in page and 'data-page="2"' in page
    response = client.post(f"/threads/{thread_id}/replies", data={"body": "   "})
    assert 'data-page="3"' in response.get_data(as_text=True)


def test_api_answers_a_slice_with_where_it_stands(app, client):
    app.config["THREAD_SLICE_POSTS"] = 6
    thread_id = new_thread()
    ids = grow(thread_id, chatty(15))
    first = client.get(f"/api/v1/threads/{thread_id}").get_json()
    assert first["slice"] == {"page": 1, "pages": 3, "max_posts": 6, "context": []}
    assert [reply["id"] for reply in first["post"]["replies"]] == [ids[0], ids[3]]
    second = client.get(f"/api/v1/threads/{thread_id}?page=2").get_json()
    assert second["slice"]["page"] == 2
    assert [reply["id"] for reply in second["post"]["replies"]] == [ids[6], ids[9]]
    assert [r["id"] for r in second["post"]["replies"][0]["replies"]] == [ids[7]]
    assert second["thread"]["reply_count"] == 15


def test_only_a_request_that_writes_nothing_keeps_the_outline(app):
    """A write's transaction may roll back (and SQLite may give its post ids to others): what it
    read of the thread's outline is not kept for later readers."""
    thread_id = new_thread()
    grow(thread_id, chatty(5))
    client = writer(app)
    assert client.post(f"/threads/{thread_id}/replies", data={"body": "Nowa"}).status_code == 302
    assert thread_id not in app.extensions.get("thread_outlines", {})
    assert client.get(f"/threads/{thread_id}").status_code == 200
    assert app.extensions["thread_outlines"][thread_id].count == 7


def test_a_thread_page_is_rendered_in_turns(app, client, monkeypatch):
    """Rendering a slice lets the server's loop serve others every TURN_SECONDS of work (here
    after every piece): it never holds the loop for a whole page."""
    from forum import rendering

    thread_id = new_thread()
    grow(thread_id, chatty(40))
    whole = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    turns = []
    monkeypatch.setattr(rendering, "TURN_SECONDS", 0)
    monkeypatch.setattr(rendering.time, "sleep", lambda seconds: turns.append(seconds))
    response = client.get(f"/threads/{thread_id}")
    assert response.status_code == 200
    assert len(turns) > 40 and set(turns) == {0}
    assert response.get_data(as_text=True).count('class="post ') == whole.count('class="post ')


def test_a_page_shown_again_after_a_refused_write_is_rendered_at_once(app, monkeypatch):
    """A write's transaction may hold SQLite's write lock: its page takes no turns."""
    from forum import rendering

    thread_id = new_thread()
    client = writer(app)
    turns = []
    monkeypatch.setattr(rendering, "TURN_SECONDS", 0)
    monkeypatch.setattr(rendering.time, "sleep", lambda seconds: turns.append(seconds))
    response = client.post(f"/threads/{thread_id}/replies", data={"body": "   "})
    assert response.status_code == 422 and 'id="reply-form"' in response.get_data(as_text=True)
    assert turns == []


def test_pages_render_one_at_a_time(app, monkeypatch):
    """A second page waits off the loop while the first takes its turns, instead of interleaving
    its turns with the first's (and with every live post's steps); a thread page's queries wait
    with it."""
    import threading

    from forum import rendering
    from forum.discussion import services

    thread_id = new_thread()
    grow(thread_id, chatty(5))
    events, first_in_turn, go_on = [], threading.Event(), threading.Event()
    stock_stream, real_slot = rendering.stream_template, rendering._rendering
    stock_load = services.load_post_tree

    class WatchedSlot:
        def __enter__(self):
            events.append(("waits", threading.current_thread().name))
            return real_slot.__enter__()

        def __exit__(self, *exc):
            events.append(("done", threading.current_thread().name))
            return real_slot.__exit__(*exc)

    def stream(*args, **kwargs):
        events.append(("renders", threading.current_thread().name))
        return stock_stream(*args, **kwargs)

    def load(*args, **kwargs):
        events.append(("reads", threading.current_thread().name))
        return stock_load(*args, **kwargs)

    def turn(seconds):
        if threading.current_thread().name == "first" and not first_in_turn.is_set():
            first_in_turn.set()
            go_on.wait(5)

    monkeypatch.setattr(rendering, "_rendering", WatchedSlot())
    monkeypatch.setattr(rendering, "stream_template", stream)
    monkeypatch.setattr(services, "load_post_tree", load)
    monkeypatch.setattr(rendering, "TURN_SECONDS", 0)
    monkeypatch.setattr(rendering.time, "sleep", turn)
    answers = {}

    def read(name):
        answers[name] = app.test_client().get(f"/threads/{thread_id}").status_code

    first = threading.Thread(target=read, args=("first",), name="first")
    first.start()
    wait_until(first_in_turn.is_set, what="the first page takes a turn")
    second = threading.Thread(target=read, args=("second",), name="second")
    second.start()
    wait_until(lambda: ("waits", "second") in events, what="the second page asks for its turn")
    assert ("reads", "second") not in events  # held while the first is in its turn
    go_on.set()
    first.join(10), second.join(10)
    assert answers == {"first": 200, "second": 200}
    assert events.index(("done", "first")) < events.index(("reads", "second"))
    assert events.count(("waits", "second")) == 1  # the view and its rendering share one slot
