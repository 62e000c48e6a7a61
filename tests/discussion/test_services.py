"""The discussion services, called as a boundary calls them (one transaction each)."""

import pytest

from forum.discussion import services
from forum.discussion.models import Post, PostRevision, Thread
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db
from forum.moderation import services as moderation
from forum.transactions import transaction
from tests.conftest import (
    GUEST,
    app_context,
    count,
    get,
    make_member,
    make_user,
    opening_of,
    room_of,
    run,
    update,
)


def children(user, thread_id: int) -> dict[int | None, list[int]]:
    """The thread's tree as ids: parent id (None for the opening post's) → reply ids."""
    with app_context():
        tree = services.load_post_tree(user, thread_id)
        found = {None: [tree.opening.id]}
        for parent_id, replies in tree.children.items():
            found[parent_id] = [reply.id for reply in replies]
        return found


def set_thread(thread_id: int, **values) -> None:
    update(Thread, thread_id, **values)


def test_create_thread_makes_opening_post(anna):
    thread = run(services.create_thread, anna, room_of("XIII").id, "  Ławki  ", "Więcej **ławek**")
    opening = opening_of(thread.id)
    assert thread.title == "Ławki"
    assert opening.body_html == "<p>Więcej <strong>ławek</strong></p>"
    assert opening.depth == 0 and opening.parent_id is None
    assert get(Thread, thread.id).reply_count == 0


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
        run(services.create_thread, anna, room_of("XIII").id, title, body)
    assert field in raised.value.fields
    assert count(Thread) == 0 and count(Post) == 0


def test_create_thread_reports_every_bad_field_at_once(anna):
    with pytest.raises(ValidationError) as raised:
        run(services.create_thread, anna, room_of("XIII").id, "", "")
    assert set(raised.value.fields) == {"title", "body"}


def test_guest_cannot_create_thread(app):
    with pytest.raises(NotAuthenticated):
        run(services.create_thread, GUEST, room_of("XIII").id, "Title", "Body")


def test_unknown_room_is_not_found(anna):
    with pytest.raises(NotFound):
        run(services.create_thread, anna, 999_999, "Title", "Body")


def test_reply_to_thread_hangs_under_opening_post(thread, jan):
    reply = run(services.create_reply, jan, thread.id, "Tak!")
    assert children(jan, thread.id)[opening_of(thread.id).id] == [reply.id]
    assert reply.depth == 1
    assert get(Thread, thread.id).reply_count == 1


def test_reply_to_reply_nests(thread, anna, jan):
    first = run(services.create_reply, jan, thread.id, "Pierwsza")
    second = run(services.create_reply, anna, thread.id, "Druga", parent_id=first.id)
    assert children(anna, thread.id)[first.id] == [second.id]
    assert second.depth == 2


def test_reply_past_depth_limit_attaches_at_deepest_level(app, thread, jan):
    limit = app.config["MAX_REPLY_DEPTH"]
    parent_id = None
    for _ in range(limit):
        parent_id = run(services.create_reply, jan, thread.id, "głębiej", parent_id=parent_id).id
    deepest = get(Post, parent_id)
    assert deepest.depth == limit
    extra = run(services.create_reply, jan, thread.id, "jeszcze głębiej", parent_id=deepest.id)
    assert extra.depth == limit
    assert extra.parent_id == deepest.parent_id


def test_reply_to_unknown_parent_is_a_field_error(thread, jan):
    with pytest.raises(ValidationError) as raised:
        run(services.create_reply, jan, thread.id, "Hej", parent_id=999_999)
    assert "parent_id" in raised.value.fields
    assert count(Post) == 1


def test_reply_with_parent_from_another_thread_is_refused(thread, anna, jan):
    other = run(services.create_thread, anna, room_of("I").id, "Inny wątek", "Treść")
    with pytest.raises(ValidationError):
        run(services.create_reply, jan, thread.id, "Hej", parent_id=opening_of(other.id).id)
    assert count(Post) == 2


def test_reply_to_locked_thread_is_a_conflict(thread, jan):
    set_thread(thread.id, status="locked")
    with pytest.raises(Conflict) as raised:
        run(services.create_reply, jan, thread.id, "Hej")
    assert raised.value.code == "thread_locked"
    assert count(Post) == 1


def test_ambassador_of_the_district_may_reply_to_locked_thread(thread):
    set_thread(thread.id, status="locked")
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    assert run(services.create_reply, ambassador, thread.id, "Wyjaśniam").depth == 1


def test_reply_to_deleted_post_is_a_conflict(thread, anna, jan):
    reply = run(services.create_reply, jan, thread.id, "Hej")
    run(services.delete_post, jan, reply.id)
    with pytest.raises(Conflict):
        run(services.create_reply, anna, thread.id, "Do usuniętego", parent_id=reply.id)


def test_edit_keeps_history(thread, anna):
    opening = opening_of(thread.id)
    run(services.edit_post, anna, opening.id, "Nowa wersja")
    run(services.edit_post, anna, opening.id, "Trzecia wersja")
    post, revisions = run(services.post_history, anna, opening.id)
    assert post.body_source == "Trzecia wersja"
    assert post.edited_at is not None
    assert [r.body_source for r in revisions] == ["Zielony skwer?", "Nowa wersja"]
    assert revisions[0].written_at == post.created_at


def test_edit_with_same_text_adds_no_revision(thread, anna):
    opening = opening_of(thread.id)
    run(services.edit_post, anna, opening.id, "Zielony skwer?")
    assert count(PostRevision) == 0
    assert get(Post, opening.id).edited_at is None


def test_cannot_edit_someone_elses_post(thread, jan):
    opening = opening_of(thread.id)
    with pytest.raises(Forbidden):
        run(services.edit_post, jan, opening.id, "Przejmuję")
    assert get(Post, opening.id).body_source == "Zielony skwer?"


def test_edit_with_empty_body_changes_nothing(thread, anna):
    opening = opening_of(thread.id)
    with pytest.raises(ValidationError):
        run(services.edit_post, anna, opening.id, "")
    assert get(Post, opening.id).body_source == "Zielony skwer?"
    assert count(PostRevision) == 0


def test_delete_reply_leaves_tombstone_and_keeps_tree(thread, anna, jan):
    reply = run(services.create_reply, jan, thread.id, "Moje zdanie")
    run(services.edit_post, jan, reply.id, "Zmienione zdanie")
    answer = run(services.create_reply, anna, thread.id, "Odpowiedź", parent_id=reply.id)
    run(services.delete_post, jan, reply.id)
    tree = children(anna, thread.id)
    assert tree[opening_of(thread.id).id] == [reply.id]
    tombstone = get(Post, reply.id)
    assert tombstone.is_deleted and tombstone.body_source == "" and tombstone.body_html == ""
    assert tree[reply.id] == [answer.id]
    assert count(PostRevision) == 0
    assert get(Thread, thread.id).reply_count == 1


def test_deleting_opening_post_deletes_thread(thread, anna, jan):
    run(services.delete_post, anna, opening_of(thread.id).id)
    assert get(Thread, thread.id).is_deleted
    _room, page = run(services.list_threads, anna, room_of("XIII").id)
    assert page.items == []
    with pytest.raises(Conflict) as raised:
        run(services.create_reply, jan, thread.id, "Za późno")
    assert raised.value.code == "thread_deleted"


def test_cannot_delete_twice(thread, jan):
    reply = run(services.create_reply, jan, thread.id, "Hej")
    run(services.delete_post, jan, reply.id)
    with pytest.raises(Forbidden):
        run(services.delete_post, jan, reply.id)


def test_thread_list_pinned_first_then_by_last_activity(anna, jan):
    room_id = room_of("XIII").id
    old = run(services.create_thread, anna, room_id, "Stary", "a")
    pinned = run(services.create_thread, anna, room_id, "Przypięty", "b")
    new = run(services.create_thread, anna, room_id, "Nowy", "c")
    set_thread(pinned.id, pinned=True)
    run(services.create_reply, jan, old.id, "ożywiam")
    _room, page = run(services.list_threads, anna, room_id)
    assert [t.id for t in page.items] == [pinned.id, old.id, new.id]


def test_thread_list_is_paginated(app, anna):
    room_id = room_of("XIII").id
    for number in range(5):
        run(services.create_thread, anna, room_id, f"Wątek {number}", "treść")
    _room, first = run(services.list_threads, anna, room_id, page=1, per_page=2)
    _room, last = run(services.list_threads, anna, room_id, page=3, per_page=2)
    assert len(first.items) == 2 and first.pages == 3 and first.total == 5
    assert [t.title for t in last.items] == ["Wątek 0"]


def test_a_restricted_room_is_hidden_from_all_but_its_members_and_the_admins(anna):
    room_id = room_of("XIII").id
    with app_context(), transaction():
        db.session.get(type(room_of("XIII")), room_id).is_public = False
    with pytest.raises(NotFound):
        run(services.list_threads, anna, room_id)
    with pytest.raises(NotFound):
        run(services.list_threads, make_user("Amb", role="ambassador", scope="XIII"), room_id)
    assert run(services.list_threads, make_user("Admin", role="admin"), room_id)[0].id == room_id
    member = make_member(make_user("Członek"), room_id)
    assert run(services.list_threads, member, room_id)[0].id == room_id


def test_post_tree_orders_replies_oldest_first_under_each_parent(thread, anna, jan):
    a = run(services.create_reply, jan, thread.id, "a")
    b = run(services.create_reply, jan, thread.id, "b")
    a1 = run(services.create_reply, anna, thread.id, "a1", parent_id=a.id)
    tree = children(anna, thread.id)
    assert tree[opening_of(thread.id).id] == [a.id, b.id]
    assert tree[a.id] == [a1.id] and b.id not in tree


# --- hiding (moderators) -----------------------------------------------------------------


def test_a_moderator_hides_a_post_with_a_reason_and_restores_it(thread, jan):
    reply = run(services.create_reply, jan, thread.id, "Obraźliwe słowa")
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    hidden = run(moderation.hide_post, ambassador, reply.id, "  Wycieczki osobiste  ")
    assert hidden.is_hidden and hidden.hidden_reason == "Wycieczki osobiste"
    assert hidden.hidden_by_id == ambassador.id
    restored = run(moderation.restore_post, ambassador, reply.id)
    assert not restored.is_hidden and restored.hidden_reason is None


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("guest", NotAuthenticated),
        ("author", Forbidden),
        ("resident", Forbidden),
        ("ambassador_elsewhere", Forbidden),
        ("expert", Forbidden),
    ],
)
def test_only_the_areas_moderators_may_hide(thread, jan, who, error):
    reply = run(services.create_reply, jan, thread.id, "Słowa")
    people = {
        "guest": GUEST,
        "author": jan,
        "resident": make_user("Ktoś"),
        "ambassador_elsewhere": make_user("Amb I", role="ambassador", scope="I"),
        "expert": make_user("Ekspert", role="expert", scope="ZZM"),
    }
    with pytest.raises(error):
        run(moderation.hide_post, people[who], reply.id, "Powód")
    assert not get(Post, reply.id).is_hidden


@pytest.mark.parametrize("reason", ["", "ab", "x" * 501])
def test_hiding_needs_a_reason(thread, jan, reason):
    reply = run(services.create_reply, jan, thread.id, "Słowa")
    with pytest.raises(ValidationError) as raised:
        run(moderation.hide_post, make_user("Admin", role="admin"), reply.id, reason)
    assert "reason" in raised.value.fields


def test_hiding_twice_or_restoring_a_shown_post_is_a_conflict(thread, jan):
    reply = run(services.create_reply, jan, thread.id, "Słowa")
    admin = make_user("Admin", role="admin")
    with pytest.raises(Conflict):
        run(moderation.restore_post, admin, reply.id)
    run(moderation.hide_post, admin, reply.id, "Powód")
    with pytest.raises(Conflict):
        run(moderation.hide_post, admin, reply.id, "Jeszcze raz")


def test_the_history_of_a_hidden_post_is_for_its_author_and_moderators(thread, anna, jan):
    reply = run(services.create_reply, jan, thread.id, "Pierwsza wersja")
    run(services.edit_post, jan, reply.id, "Druga wersja")
    admin = make_user("Admin", role="admin")
    run(moderation.hide_post, admin, reply.id, "Powód")
    assert run(services.post_history, anna, reply.id)[1] == []
    assert [r.body_source for r in run(services.post_history, jan, reply.id)[1]] == [
        "Pierwsza wersja"
    ]
    assert len(run(services.post_history, admin, reply.id)[1]) == 1
