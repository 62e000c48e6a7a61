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
    """Queries of one GET (each request has its own context: nothing cached from before, but
    the thread outlines a process keeps: see forget_outlines)."""
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code in (200, 302)
    return len(statements)


@pytest.fixture
def reader(app):
    client = app.test_client()
    user = make_user("Czytelnik")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def forget_outlines(app) -> None:
    """As a process that has not read the thread yet (or since posts were added to it)."""
    app.extensions.get("thread_outlines", {}).clear()


# A logged-in page: the login (user + its grants), the header's unread count and stream seq;
# the page also the thread's expert units and their official answers, and whether the thread is
# a need or an idea of a workshop series (its banner). A slice: the thread, its outline (its
# posts' ids the first time this process reads it, a count of them after) and the slice's posts
# with their authors, whatever the thread's size.
@pytest.mark.parametrize(
    ("path", "ceiling"),
    [
        ("/threads/{id}", 13),
        ("/threads/{id}?page={middle}", 13),
        ("/threads/{id}?page={last}", 13),
        ("/api/v1/threads/{id}", 7),
        ("/api/v1/threads/{id}?page={middle}", 7),
        ("/posts/{post}", 6),
    ],
)
def test_thread_page_queries_do_not_grow_with_posts(app, reader, path, ceiling):
    small = thread_with_posts(30)
    large = thread_with_posts(30)
    ids = grow(large, chatty(2970))
    with app_context():
        pages = services.thread_outline(large).pages
        first_reply = services.thread_outline(small).order[5]
    assert pages > 50
    small_path = path.format(id=small, middle=1, last=1, post=first_reply)
    large_path = path.format(id=large, middle=pages // 2, last=pages, post=ids[1500])
    counts = []
    for url in (small_path, large_path):
        forget_outlines(app)
        cold = queries_for(reader, url)
        warm = queries_for(reader, url)
        counts.append((cold, warm))
    assert counts[0] == counts[1], counts
    cold, warm = counts[1]
    assert warm == cold and cold <= ceiling, counts


def test_posts_added_to_a_thread_read_before_are_read_alone(app, reader):
    thread_id = thread_with_posts(30)
    grow(thread_id, chatty(300))
    queries_for(reader, f"/threads/{thread_id}")
    new_ids = grow(thread_id, chatty(3))
    with counted_queries() as statements:
        response = reader.get(f"/threads/{thread_id}?page=9")
    assert response.status_code == 200 and f'id="post-{new_ids[2]}"' in response.get_data(True)
    outline_reads = [s for s in statements if "SELECT post.id, post.parent_id" in s]
    assert len(outline_reads) == 1 and "post.id >" in outline_reads[0], outline_reads


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
