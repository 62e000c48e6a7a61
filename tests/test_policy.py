"""The permission matrix: role × action × own/other area, for what exists now."""

import pytest
from flask_login import AnonymousUserMixin

from forum.areas.models import Room
from forum.discussion.models import Post, Thread
from forum.extensions import db, utcnow
from forum.policy import can
from tests.conftest import make_user, room_of

ROLES = ["guest", "resident", "ambassador_here", "ambassador_elsewhere", "expert", "admin"]


@pytest.fixture
def people(app):
    """Everyone who may ask, keyed by role; "here" is XIII Podgórze, where the content is."""
    return {
        "guest": AnonymousUserMixin(),
        "resident": make_user("Resident", home="XIII"),
        "ambassador_here": make_user("Amb XIII", role="ambassador", scope="XIII"),
        "ambassador_elsewhere": make_user("Amb I", role="ambassador", scope="I", home="I"),
        "expert": make_user("Expert", role="expert", scope="ZZM"),
        "admin": make_user("Admin", role="admin"),
    }


def _room(case: str) -> Room:
    room = room_of("XIII")
    if "subarea" in case:
        room = db.session.scalars(db.select(Room).where(Room.slug == "zablocie")).one()
    if "private" in case:
        room.is_public = False
    return room


def _thread(case: str, author) -> Thread:
    thread = Thread(room=_room(case), author=author, title="Wątek")
    if "locked" in case:
        thread.status = "locked"
    if "deleted" in case:
        thread.deleted_at = utcnow()
    db.session.add(thread)
    return thread


def _target(case: str, asker, people):
    """The object the action is about; "own" posts belong to the asker (a guest has none)."""
    someone = people["resident"] if asker is not people["resident"] else people["expert"]
    if case.startswith("room"):
        return _room(case)
    if case.startswith("thread"):
        return _thread(case, someone)
    owner = asker if "own" in case and asker.is_authenticated else someone
    post = Post(thread=_thread(case, someone), author=owner, body_source="x", body_html="x")
    db.session.add(post)
    db.session.flush()
    return post


# action, target case, then the answer for each role in ROLES' order.
MATRIX = [
    ("room.read", "room", [1, 1, 1, 1, 1, 1]),
    ("room.read", "room private", [0, 0, 1, 0, 0, 1]),
    ("room.read", "room private subarea", [0, 0, 1, 0, 0, 1]),
    ("thread.create", "room", [0, 1, 1, 1, 1, 1]),
    ("thread.create", "room private", [0, 0, 1, 0, 0, 1]),
    ("post.reply", "thread", [0, 1, 1, 1, 1, 1]),
    ("post.reply", "thread locked", [0, 0, 1, 0, 0, 1]),
    ("post.reply", "thread locked subarea", [0, 0, 1, 0, 0, 1]),
    ("post.reply", "thread deleted", [0, 0, 0, 0, 0, 0]),
    ("post.reply", "thread private", [0, 0, 1, 0, 0, 1]),
    ("post.edit", "post own", [0, 1, 1, 1, 1, 1]),
    ("post.edit", "post own locked", [0, 0, 1, 0, 0, 1]),
    ("post.edit", "post own deleted-thread", [0, 0, 0, 0, 0, 0]),
    ("post.edit", "post other", [0, 0, 0, 0, 0, 0]),
    ("post.delete", "post own", [0, 1, 1, 1, 1, 1]),
    ("post.delete", "post own locked", [0, 1, 1, 1, 1, 1]),
    ("post.delete", "post own deleted-thread", [0, 0, 0, 0, 0, 0]),
    ("post.delete", "post other", [0, 0, 0, 0, 0, 0]),
]

CASES = [
    pytest.param(action, case, role, bool(answers[i]), id=f"{action}-{case}-{role}")
    for action, case, answers in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("action", "case", "role", "allowed"), CASES)
def test_policy_matrix(people, action, case, role, allowed):
    asker = people[role]
    assert can(asker, action, _target(case, asker, people)) is allowed


def test_deleted_post_cannot_be_edited_by_its_author(people):
    post = _target("post own", people["resident"], people)
    post.deleted_at = utcnow()
    assert not can(people["resident"], "post.edit", post)


def test_unknown_action_is_an_error(people):
    with pytest.raises(ValueError):
        can(people["admin"], "post.teleport", None)
