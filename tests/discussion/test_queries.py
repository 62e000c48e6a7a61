"""Pages load in a fixed number of SQL queries, however many posts there are."""

from contextlib import contextmanager

import pytest
from flask import g
from sqlalchemy import event

from forum.discussion import services
from forum.extensions import db
from tests.conftest import make_user, room_of


@contextmanager
def counted_queries():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def thread_with_posts(total: int) -> int:
    """A thread with `total` posts by several people, some nested, edited and deleted."""
    people = [
        make_user(f"Osoba {i}", role=role, scope=scope)
        for i, (role, scope) in enumerate(
            [(None, None), ("ambassador", "XIII"), ("expert", "ZZM"), ("admin", None)]
        )
    ]
    thread = services.create_thread(people[0], room_of("XIII").id, "Duży wątek", "Start")
    parent_id = None
    for number in range(total - 1):
        author = people[number % len(people)]
        post = services.create_reply(author, thread.id, f"Wpis {number}", parent_id=parent_id)
        parent_id = post.id if number % 3 else None
        if number % 10 == 1:
            services.edit_post(author, post.id, f"Wpis {number}, poprawiony")
        if number % 25 == 2:
            services.delete_post(author, post.id)
            parent_id = None
    return thread.id


def queries_for(client, url: str) -> int:
    """Queries of one GET, with nothing cached from earlier requests (as in a fresh request)."""
    db.session.expunge_all()
    g.pop("_login_user", None)
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/threads/{id}", "/api/v1/threads/{id}"])
def test_thread_page_queries_do_not_grow_with_posts(client, auth, path):
    small = thread_with_posts(10)
    large = thread_with_posts(300)
    auth.login(make_user("Czytelnik"))
    small_count = queries_for(client, path.format(id=small))
    large_count = queries_for(client, path.format(id=large))
    assert small_count == large_count, (small_count, large_count)
    assert large_count <= 6, large_count


def test_room_page_queries_do_not_grow_with_threads(client):
    room_id = room_of("XIII").id
    author = make_user("Autor")
    services.create_thread(author, room_id, "Pierwszy", "a")
    few = queries_for(client, f"/rooms/{room_id}")
    for number in range(30):
        services.create_thread(
            make_user(f"Autor {number}", role="ambassador", scope="XIII"),
            room_id,
            f"Wątek {number}",
            "b",
        )
    assert queries_for(client, f"/rooms/{room_id}") == few


def test_home_page_queries_are_fixed(client):
    before = queries_for(client, "/")
    services.create_thread(make_user("Autor"), room_of("I").id, "Wątek", "treść")
    assert queries_for(client, "/") == before
