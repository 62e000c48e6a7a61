"""Objects read as columns (extensions.as_loaded): the login of every request and the thread a
reply goes to are read without the ORM's loading, and must come out exactly as the ORM loads them:
the same values, the same related objects, the session's own object when it holds one, nothing to
write, and nothing left to load."""

from datetime import timedelta

import pytest
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import joinedload

from forum.accounts import services as accounts
from forum.accounts.models import RoleGrant, User, UserSession, with_grants
from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.discussion.models import Post, Thread
from forum.extensions import as_loaded, db, insert_loaded, session_connection, utcnow
from forum.moderation.models import Mute
from forum.transactions import transaction
from tests.conftest import app_context, district, make_user, room_of, run


def login_of(user: User) -> str:
    with app_context(), transaction():
        return accounts.start_session(db.session.get(User, user.id))


@pytest.fixture
def many_hats(app):
    """An ambassador who is also an expert and an admin, muted in two rooms (one mute lifted,
    one long over), with an open login."""
    person = make_user("Wiele Ról", role="ambassador", scope="XIII")
    moderator = make_user("Moderatorka", role="admin")
    with app_context(), transaction():
        for role, unit_code in (("expert", "ZZM"), ("admin", None)):
            grant = RoleGrant(user_id=person.id, role=role)
            if unit_code:
                grant.unit = db.session.scalar(
                    select(accounts.ExpertUnit).where(accounts.ExpertUnit.code == unit_code)
                )
            db.session.add(grant)
        now = utcnow()
        for room, until, lifted in (
            (room_of("XIII"), now + timedelta(hours=1), None),
            (room_of("XII"), now + timedelta(hours=2), now),
            (room_of("XI"), now - timedelta(days=1), None),
        ):
            db.session.add(
                Mute(
                    user_id=person.id,
                    room_id=room.id,
                    muted_by_id=moderator.id,
                    reason="Test",
                    until=until,
                    lifted_at=lifted,
                )
            )
    return person, login_of(person)


def by_the_orm(user_id: int) -> User:
    return (
        db.session.scalars(
            select(User)
            .where(User.id == user_id)
            .options(with_grants(joined=True), joinedload(User.mutes))
        )
        .unique()
        .one()
    )


def described(user: User) -> tuple:
    """What a login is decided on: the person's columns, grants (with area and unit) and mutes."""
    columns = {key: getattr(user, key) for key in User.__table__.c.keys()}
    grants = [
        (g.id, g.role, g.area and g.area.label, g.unit and g.unit.code) for g in user.role_grants
    ]
    mutes = sorted((m.id, m.room_id, m.until, m.lifted_at) for m in user.mutes)
    return columns, grants, mutes


def statements_during(function):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = function()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, seen


def test_a_login_read_as_columns_is_the_login_the_orm_loads(many_hats):
    person, token = many_hats
    with app_context():
        user = accounts.session_user(person.id, token)
        loaded, statements = statements_during(lambda: described(user))
        assert statements == []  # grants, their areas and units, and mutes are all loaded
        db.session.expunge_all()
        expected = described(by_the_orm(person.id))
    assert loaded == expected
    columns, grants, mutes = loaded
    assert [role for _id, role, _area, _unit in grants] == ["ambassador", "expert", "admin"]
    assert len(mutes) == 2  # the lifted mute is not among them; the one long over is
    with app_context():
        user = accounts.session_user(person.id, token)
        assert user.session_id == db.session.scalar(
            select(UserSession.id).where(UserSession.user_id == person.id)
        )
        assert user.is_admin and user.muted_until(room_of("XIII")) is not None
        assert not db.session.new and not db.session.dirty
        assert not db.session.is_modified(user)


def test_a_person_without_grants_or_mutes_and_an_ended_login(app):
    person = make_user("Zwykła")
    token = login_of(person)
    with app_context():
        user = accounts.session_user(person.id, token)
        assert (user.role_grants, user.mutes) == ([], [])
        assert accounts.session_user(person.id, "not-the-token") is None
        assert accounts.session_user(person.id + 1000, token) is None
    with app_context(), transaction():
        accounts.end_session(accounts.session_user(person.id, token).session_id)
    with app_context():
        assert accounts.session_user(person.id, token) is None


def test_the_session_s_own_object_is_given_and_not_overwritten(many_hats):
    person, token = many_hats
    with app_context():
        held = db.session.get(User, person.id)
        held.display_name = "Zmieniona, niezapisana"
        user = accounts.session_user(person.id, token)
        assert user is held
        assert user.display_name == "Zmieniona, niezapisana"  # as the ORM keeps a held object's
        assert [g.role for g in user.role_grants] == ["ambassador", "expert", "admin"]


def test_the_thread_of_a_reply_read_as_columns_is_the_thread_the_orm_loads(many_hats):
    person, _token = many_hats
    thread = run(discussion.create_thread, person, room_of("I").id, "Ławki", "Gdzie ławki?")
    reader = make_user("Czytelniczka")
    with app_context():
        found = discussion._thread_to_reply_in(db.session.get(User, reader.id), thread.id)
        (room, area, author, grants), statements = statements_during(
            lambda: (
                found.room,
                found.room.area,
                found.author,
                [
                    (g.role, g.area and g.area.id, g.unit and g.unit.code)
                    for g in found.author.role_grants
                ],
            )
        )
        assert statements == []
        assert (room.id, area.id, author.id) == (room_of("I").id, district("I").id, person.id)
        assert [role for role, _area, _unit in grants] == ["ambassador", "expert", "admin"]
        assert not db.session.new and not db.session.dirty
        db.session.expunge_all()
        orm = db.session.scalars(
            select(Thread)
            .where(Thread.id == thread.id)
            .options(joinedload(Thread.room).joinedload(Room.area), joinedload(Thread.author))
        ).one()
        assert {k: getattr(orm, k) for k in Thread.__table__.c.keys()} == {
            k: getattr(found, k) for k in Thread.__table__.c.keys()
        }


def test_a_missing_thread_is_not_found(app):
    reader = make_user("Czytelniczka")
    with app_context():
        with pytest.raises(discussion.NotFound):
            discussion._thread_to_reply_in(db.session.get(User, reader.id), 10**9)


def test_an_inserted_row_is_loaded_with_its_defaults_and_written_once(app):
    person = make_user("Pisząca")
    thread = run(discussion.create_thread, person, room_of("XIII").id, "Ławki", "Gdzie ławki?")
    with app_context(), transaction():
        values = {
            "thread_id": thread.id,
            "author_id": person.id,
            "depth": 1,
            "body_source": "Tak",
            "body_html": "<p>Tak</p>",
            "created_at": utcnow(),
        }
        post, statements = statements_during(lambda: insert_loaded(Post, values))
        assert len(statements) == 1 and statements[0].startswith("INSERT INTO post")
        assert post.id and post.edited_at is None and post.hidden_at is None
        assert post in db.session and not db.session.is_modified(post)
        assert post.thread.id == thread.id and post.author.id == person.id
        assert (
            as_loaded(
                Post,
                db.session.connection()
                .execute(select(*Post.__table__.c).where(Post.id == post.id))
                .one(),
            )
            is post
        )
    with app_context():
        assert db.session.get(Post, post.id).body_source == "Tak"


def test_an_object_read_as_columns_is_persistent_and_its_changes_are_written(app):
    person = make_user("Zmieniająca")
    with app_context(), transaction():
        row = (
            db.session.connection()
            .execute(select(User.__table__).where(User.id == person.id))
            .one()
        )
        user = as_loaded(User, row)
        assert inspect(user).persistent and not db.session.is_modified(user)
        user.display_name = "Po zmianie"
        assert list(db.session.dirty) == [user]
        _, statements = statements_during(db.session.flush)
        assert len(statements) == 1 and statements[0].startswith("UPDATE user_account")
    with app_context():
        assert db.session.get(User, person.id).display_name == "Po zmianie"


def test_the_session_s_connection_is_its_transaction_s(app):
    with app_context():
        session = db.session()
        first = session_connection()
        assert first is session.connection() and session_connection() is first
        session.commit()
        second = session_connection()  # a new transaction, and the connection it began on
        assert second is session.connection() and session.get_transaction() is not None
        session.rollback()
        assert session_connection() is session.connection()
