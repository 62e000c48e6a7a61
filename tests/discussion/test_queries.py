"""Pages load in a small, fixed number of SQL queries, however many posts or threads there are.

Each test asserts an absolute ceiling as well as "does not grow": a page that went from 5 to 50
queries everywhere at once would pass a comparison alone.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from forum.discussion import services
from forum.extensions import db
from forum.moderation import services as moderation
from tests.conftest import PASSWORD, app_context, make_user, room_of, run
from tests.discussion.test_slices import chatty, grow


@contextmanager
def counted_queries():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def thread_with_posts(total: int) -> int:
    """A thread with `total` posts by several people, some nested, edited, hidden and deleted."""
    people = [
        make_user(f"Osoba {i}", role=role, scope=scope)
        for i, (role, scope) in enumerate(
            [(None, None), ("ambassador", "XIII"), ("expert", "ZZM"), ("admin", None)]
        )
    ]
    thread = run(services.create_thread, people[0], room_of("XIII").id, "Duży wątek", "Start")
    parent_id = None
    for number in range(total - 1):
        author = people[number % len(people)]
        post = run(services.create_reply, author, thread.id, f"Wpis {number}", parent_id=parent_id)
        parent_id = post.id if number % 3 else None
        if number % 10 == 1:
            run(services.edit_post, author, post.id, f"Wpis {number}, poprawiony")
        if number % 25 == 2:
            run(services.delete_post, author, post.id)
            parent_id = None
        elif number % 25 == 7:
            run(moderation.hide_post, people[3], post.id, "Nie na temat")
    return thread.id


def queries_for(client, url: str) -> int:
    """Queries of one GET (each request has its own context: nothing cached from before)."""
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.fixture
def reader(app):
    client = app.test_client()
    user = make_user("Czytelnik")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


# A logged-in page: the login (user + its grants), the header's unread count and stream seq;
# the page also the thread's expert units and their official answers, and whether the thread is
# a need or an idea of a workshop series (its banner). A slice: the thread, its outline (ids
# only) and the slice's posts with their authors, whatever the thread's size.
@pytest.mark.parametrize(
    ("path", "ceiling"),
    [
        ("/threads/{id}", 13),
        ("/threads/{id}?page={middle}", 13),
        ("/threads/{id}?page={last}", 13),
        ("/api/v1/threads/{id}", 7),
        ("/api/v1/threads/{id}?page={middle}", 7),
    ],
)
def test_thread_page_queries_do_not_grow_with_posts(reader, path, ceiling):
    small = thread_with_posts(30)
    large = thread_with_posts(30)
    grow(large, chatty(2970))
    with app_context():
        pages = services.thread_outline(large).pages
    assert pages > 50
    small_count = queries_for(reader, path.format(id=small, middle=1, last=1))
    large_count = queries_for(reader, path.format(id=large, middle=pages // 2, last=pages))
    assert small_count == large_count, (small_count, large_count)
    assert large_count <= ceiling, large_count


def test_a_link_to_a_post_takes_the_same_queries_whatever_the_thread(reader):
    small = thread_with_posts(30)
    large = thread_with_posts(30)
    ids = grow(large, chatty(2970))
    with app_context():
        first_reply = services.thread_outline(small).order[5]
    with counted_queries() as few:
        assert reader.get(f"/posts/{first_reply}").status_code == 302
    with counted_queries() as many:
        assert reader.get(f"/posts/{ids[1500]}").status_code == 302
    assert len(few) == len(many) and len(many) <= 6, (len(few), len(many))


def test_room_page_queries_do_not_grow_with_threads(client):
    room_id = room_of("XIII").id
    author = make_user("Autor")
    run(services.create_thread, author, room_id, "Pierwszy", "a")
    few = queries_for(client, f"/rooms/{room_id}")
    for number in range(30):
        ambassador = make_user(f"Autor {number}", role="ambassador", scope="XIII")
        run(services.create_thread, ambassador, room_id, f"Wątek {number}", "b")
    many = queries_for(client, f"/rooms/{room_id}")
    # Five for the room and its threads, two for its meetings: running now, and upcoming.
    assert many == few and many <= 7, (few, many)


def test_home_page_queries_are_fixed(client):
    before = queries_for(client, "/")
    run(services.create_thread, make_user("Autor"), room_of("I").id, "Wątek", "treść")
    after = queries_for(client, "/")
    assert after == before and after <= 3, (before, after)


def test_inbox_queries_do_not_grow_with_notifications(app):
    anna = make_user("Anna")
    thread = run(services.create_thread, anna, room_of("XIII").id, "Wątek", "Start")
    client = app.test_client()
    client.post("/login", data={"email": anna.email, "password": PASSWORD})
    run(services.create_reply, make_user("Jan"), thread.id, "Jedna")
    few = queries_for(client, "/notifications")
    for number in range(15):
        run(services.create_reply, make_user(f"Osoba {number}"), thread.id, f"Wpis {number}")
    many = queries_for(client, "/notifications")
    assert many == few and many <= 6, (few, many)
