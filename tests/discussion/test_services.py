"""The discussion services, called directly."""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum.discussion import services
from forum.discussion.models import Post, PostRevision, Thread
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db
from tests.conftest import make_user, room_of

GUEST = AnonymousUserMixin()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_thread_makes_opening_post(anna):
    thread = services.create_thread(anna, room_of("XIII").id, "  Ławki  ", "Więcej **ławek**")
    tree = services.load_post_tree(anna, thread.id)
    assert thread.title == "Ławki"
    assert tree.opening.body_html == "<p>Więcej <strong>ławek</strong></p>"
    assert tree.opening.depth == 0 and tree.opening.parent_id is None
    assert thread.reply_count == 0


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "body", "title"),
        ("ab", "body", "title"),
        ("x" * 151, "body", "title"),
        ("Title", "", "body"),
        ("Title", "   ", "body"),
        ("Title", "<img src=x onerror=alert(1)>", "body"),
        ("Title", "x" * 20_001, "body"),
    ],
)
def test_create_thread_rejects_bad_input_and_writes_nothing(anna, title, body, field):
    with pytest.raises(ValidationError) as raised:
        services.create_thread(anna, room_of("XIII").id, title, body)
    assert field in raised.value.fields
    assert count(Thread) == 0 and count(Post) == 0


def test_create_thread_reports_every_bad_field_at_once(anna):
    with pytest.raises(ValidationError) as raised:
        services.create_thread(anna, room_of("XIII").id, "", "")
    assert set(raised.value.fields) == {"title", "body"}


def test_guest_cannot_create_thread(app):
    with pytest.raises(NotAuthenticated):
        services.create_thread(GUEST, room_of("XIII").id, "Title", "Body")


def test_unknown_room_is_not_found(anna):
    with pytest.raises(NotFound):
        services.create_thread(anna, 999_999, "Title", "Body")


def test_reply_to_thread_hangs_under_opening_post(thread, jan):
    reply = services.create_reply(jan, thread.id, "Tak!")
    tree = services.load_post_tree(jan, thread.id)
    assert tree.replies_to(tree.opening) == [reply]
    assert reply.depth == 1
    assert thread.reply_count == 1


def test_reply_to_reply_nests(thread, anna, jan):
    first = services.create_reply(jan, thread.id, "Pierwsza")
    second = services.create_reply(anna, thread.id, "Druga", parent_id=first.id)
    tree = services.load_post_tree(anna, thread.id)
    assert tree.replies_to(first) == [second]
    assert second.depth == 2


def test_reply_past_depth_limit_attaches_at_deepest_level(app, thread, jan):
    limit = app.config["MAX_REPLY_DEPTH"]
    parent_id = None
    for _ in range(limit):
        parent_id = services.create_reply(jan, thread.id, "głębiej", parent_id=parent_id).id
    deepest = db.session.get(Post, parent_id)
    assert deepest.depth == limit
    extra = services.create_reply(jan, thread.id, "jeszcze głębiej", parent_id=deepest.id)
    assert extra.depth == limit
    assert extra.parent_id == deepest.parent_id


def test_reply_to_unknown_parent_is_a_field_error(thread, jan):
    with pytest.raises(ValidationError) as raised:
        services.create_reply(jan, thread.id, "Hej", parent_id=999_999)
    assert "parent_id" in raised.value.fields
    assert count(Post) == 1


def test_reply_with_parent_from_another_thread_is_refused(thread, anna, jan):
    other = services.create_thread(anna, room_of("I").id, "Inny wątek", "Treść")
    other_opening = services.load_post_tree(anna, other.id).opening
    with pytest.raises(ValidationError):
        services.create_reply(jan, thread.id, "Hej", parent_id=other_opening.id)
    assert count(Post) == 2


def test_reply_to_locked_thread_is_a_conflict(thread, jan):
    thread.status = "locked"
    db.session.commit()
    with pytest.raises(Conflict) as raised:
        services.create_reply(jan, thread.id, "Hej")
    assert raised.value.code == "thread_locked"
    assert count(Post) == 1


def test_ambassador_of_the_district_may_reply_to_locked_thread(thread):
    thread.status = "locked"
    db.session.commit()
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    assert services.create_reply(ambassador, thread.id, "Wyjaśniam").depth == 1


def test_reply_to_deleted_post_is_a_conflict(thread, anna, jan):
    reply = services.create_reply(jan, thread.id, "Hej")
    services.delete_post(jan, reply.id)
    with pytest.raises(Conflict):
        services.create_reply(anna, thread.id, "Do usuniętego", parent_id=reply.id)


def test_edit_keeps_history(thread, anna):
    opening = services.load_post_tree(anna, thread.id).opening
    services.edit_post(anna, opening.id, "Nowa wersja")
    services.edit_post(anna, opening.id, "Trzecia wersja")
    post, revisions = services.post_history(anna, opening.id)
    assert post.body_source == "Trzecia wersja"
    assert post.edited_at is not None
    assert [r.body_source for r in revisions] == ["Zielony skwer?", "Nowa wersja"]
    assert revisions[0].written_at == post.created_at


def test_edit_with_same_text_adds_no_revision(thread, anna):
    opening = services.load_post_tree(anna, thread.id).opening
    services.edit_post(anna, opening.id, "Zielony skwer?")
    assert count(PostRevision) == 0
    assert opening.edited_at is None


def test_cannot_edit_someone_elses_post(thread, jan):
    opening = services.load_post_tree(jan, thread.id).opening
    with pytest.raises(Forbidden):
        services.edit_post(jan, opening.id, "Przejmuję")
    assert opening.body_source == "Zielony skwer?"


def test_edit_with_empty_body_changes_nothing(thread, anna):
    opening = services.load_post_tree(anna, thread.id).opening
    with pytest.raises(ValidationError):
        services.edit_post(anna, opening.id, "")
    db.session.rollback()
    assert db.session.get(Post, opening.id).body_source == "Zielony skwer?"
    assert count(PostRevision) == 0


def test_delete_reply_leaves_tombstone_and_keeps_tree(thread, anna, jan):
    reply = services.create_reply(jan, thread.id, "Moje zdanie")
    services.edit_post(jan, reply.id, "Zmienione zdanie")
    answer = services.create_reply(anna, thread.id, "Odpowiedź", parent_id=reply.id)
    services.delete_post(jan, reply.id)
    tree = services.load_post_tree(anna, thread.id)
    tombstone = tree.replies_to(tree.opening)[0]
    assert tombstone.is_deleted and tombstone.body_source == "" and tombstone.body_html == ""
    assert tree.replies_to(tombstone) == [answer]
    assert count(PostRevision) == 0
    assert thread.reply_count == 1


def test_deleting_opening_post_deletes_thread(thread, anna, jan):
    opening = services.load_post_tree(anna, thread.id).opening
    services.delete_post(anna, opening.id)
    assert thread.is_deleted
    _room, page = services.list_threads(anna, room_of("XIII").id)
    assert page.items == []
    with pytest.raises(Conflict) as raised:
        services.create_reply(jan, thread.id, "Za późno")
    assert raised.value.code == "thread_deleted"


def test_cannot_delete_twice(thread, jan):
    reply = services.create_reply(jan, thread.id, "Hej")
    services.delete_post(jan, reply.id)
    with pytest.raises(Forbidden):
        services.delete_post(jan, reply.id)


def test_thread_list_pinned_first_then_by_last_activity(anna, jan):
    room_id = room_of("XIII").id
    old = services.create_thread(anna, room_id, "Stary", "a")
    pinned = services.create_thread(anna, room_id, "Przypięty", "b")
    new = services.create_thread(anna, room_id, "Nowy", "c")
    pinned.pinned = True
    db.session.commit()
    services.create_reply(jan, old.id, "ożywiam")
    _room, page = services.list_threads(anna, room_id)
    assert [t.id for t in page.items] == [pinned.id, old.id, new.id]


def test_thread_list_is_paginated(app, anna):
    room_id = room_of("XIII").id
    for number in range(5):
        services.create_thread(anna, room_id, f"Wątek {number}", "treść")
    _room, first = services.list_threads(anna, room_id, page=1, per_page=2)
    _room, last = services.list_threads(anna, room_id, page=3, per_page=2)
    assert len(first.items) == 2 and first.pages == 3 and first.total == 5
    assert [t.title for t in last.items] == ["Wątek 0"]


def test_private_room_is_hidden_from_residents_but_not_its_ambassador(anna):
    room = room_of("XIII")
    room.is_public = False
    db.session.commit()
    with pytest.raises(NotFound):
        services.list_threads(anna, room.id)
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    assert services.list_threads(ambassador, room.id)[0] == room


def test_post_tree_orders_replies_oldest_first_under_each_parent(thread, anna, jan):
    a = services.create_reply(jan, thread.id, "a")
    b = services.create_reply(jan, thread.id, "b")
    a1 = services.create_reply(anna, thread.id, "a1", parent_id=a.id)
    tree = services.load_post_tree(anna, thread.id)
    assert tree.replies_to(tree.opening) == [a, b]
    assert tree.replies_to(a) == [a1] and tree.replies_to(b) == []
