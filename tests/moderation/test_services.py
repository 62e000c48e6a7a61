"""Moderation services: each action, each refusal, the log rows they write, and the log's rules."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.areas.models import Area
from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.moderation import services as moderation
from forum.moderation.models import ModerationEntry, Mute
from forum.notifications.models import Notification
from forum.transactions import transaction
from tests.conftest import (
    GUEST,
    app_context,
    count,
    get,
    make_member,
    make_user,
    room_by_slug,
    room_of,
    run,
    update,
)


def entries(*conditions) -> list[tuple]:
    with app_context():
        rows = db.session.scalars(
            select(ModerationEntry).where(*conditions).order_by(ModerationEntry.id)
        )
        return [
            (e.action, e.actor_id, e.room_id, e.thread_id, e.post_id, e.subject_user_id, e.reason)
            for e in rows
        ]


def notifications_of(user) -> list[tuple]:
    with app_context():
        rows = db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
        return [(n.kind, n.message, n.room_id, n.until) for n in rows]


# --- hide / restore --------------------------------------------------------------------------


def test_hiding_logs_and_notifies_the_author(thread, reply, jan, amb13):
    run(moderation.hide_post, amb13, reply.id, "Wycieczki osobiste")
    room = room_of("XIII")
    assert entries() == [
        ("post_hidden", amb13.id, room.id, thread.id, reply.id, None, "Wycieczki osobiste")
    ]
    assert ("post_hidden", "Wycieczki osobiste", None, None) in notifications_of(jan)
    run(moderation.restore_post, amb13, reply.id)
    assert [e[0] for e in entries()] == ["post_hidden", "post_restored"]


def test_a_moderator_hiding_their_own_post_is_not_notified(thread, amb13):
    own = run(services.create_reply, amb13, thread.id, "Mój post")
    run(moderation.hide_post, amb13, own.id, "Pomyłka")
    assert notifications_of(amb13) == []


# --- lock / pin ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("act", "undo", "state", "codes"),
    [
        (
            moderation.lock_thread,
            moderation.unlock_thread,
            ("status", "locked"),
            ("thread_locked", "thread_not_locked", "thread_unlocked"),
        ),
        (
            moderation.pin_thread,
            moderation.unpin_thread,
            ("pinned", True),
            ("thread_pinned", "thread_not_pinned", "thread_unpinned"),
        ),
    ],
)
def test_lock_and_pin_change_state_log_and_refuse_twice(thread, amb13, act, undo, state, codes):
    code, undone_code, undone = codes
    field, value = state
    run(act, amb13, thread.id, "Powód")
    assert getattr(get(Thread, thread.id), field) == value
    with pytest.raises(Conflict) as raised:
        run(act, amb13, thread.id)
    assert raised.value.code == code
    run(undo, amb13, thread.id)
    assert getattr(get(Thread, thread.id), field) != value
    with pytest.raises(Conflict) as raised:
        run(undo, amb13, thread.id)
    assert raised.value.code == undone_code
    logged = entries()
    assert [e[0] for e in logged] == [code, undone]
    assert logged[0][6] == "Powód" and logged[1][6] == ""


def test_a_locked_thread_refuses_residents_but_not_moderators(thread, jan, amb13):
    run(moderation.lock_thread, amb13, thread.id)
    with pytest.raises(Conflict):
        run(services.create_reply, jan, thread.id, "Jeszcze słowo")
    run(services.create_reply, amb13, thread.id, "Zamykam wątek.")


def test_an_optional_reason_still_has_limits(thread, amb13):
    with pytest.raises(ValidationError) as raised:
        run(moderation.lock_thread, amb13, thread.id, "ab")
    assert "reason" in raised.value.fields
    assert get(Thread, thread.id).status == "open" and entries() == []


# --- move ------------------------------------------------------------------------------------


def test_a_thread_moves_within_its_district_and_its_author_is_told(thread, anna, amb13):
    zablocie = room_by_slug("zablocie")
    run(moderation.move_thread, amb13, thread.id, zablocie.id, "Dotyczy Zabłocia")
    assert get(Thread, thread.id).room_id == zablocie.id
    assert entries() == [
        ("thread_moved", amb13.id, room_of("XIII").id, thread.id, None, None, "Dotyczy Zabłocia")
    ]
    assert notifications_of(anna)[0][:3] == ("thread_moved", "Dotyczy Zabłocia", zablocie.id)
    # And back from the osiedle to the district's room.
    run(moderation.move_thread, amb13, thread.id, room_of("XIII").id)
    assert get(Thread, thread.id).room_id == room_of("XIII").id


@pytest.mark.parametrize("where", ["other_district", "its_own_room", "missing", "archived"])
def test_a_move_elsewhere_is_a_field_error(thread, where):
    admin = make_user("Admin", role="admin")
    plaszow = room_by_slug("plaszow")
    if where == "archived":
        update(type(plaszow), plaszow.id, archived_at=utcnow())
    destination = {
        "other_district": room_of("I").id,
        "its_own_room": room_of("XIII").id,
        "missing": 999_999,
        "archived": plaszow.id,
    }[where]
    with pytest.raises(ValidationError) as raised:
        run(moderation.move_thread, admin, thread.id, destination)
    assert "room_id" in raised.value.fields
    assert get(Thread, thread.id).room_id == room_of("XIII").id and entries() == []


def test_a_restricted_destination_one_may_not_read_looks_missing(thread, amb13):
    zablocie = room_by_slug("zablocie")
    update(type(zablocie), zablocie.id, is_public=False)
    with pytest.raises(ValidationError) as raised:
        run(moderation.move_thread, amb13, thread.id, zablocie.id)
    with pytest.raises(ValidationError) as missing:
        run(moderation.move_thread, amb13, thread.id, 999_999)
    assert raised.value.fields == missing.value.fields


def test_move_destinations_are_the_other_rooms_of_the_district(thread, amb13):
    with app_context():
        from forum.discussion.services import access_thread
        from tests.conftest import actor

        moderator = actor(amb13)
        rooms = moderation.move_destinations(moderator, access_thread(moderator, thread.id))
        slugs = [room.slug for room in rooms]
    assert slugs == ["zablocie", "plaszow"]


# --- mutes -----------------------------------------------------------------------------------


def test_a_mute_refuses_the_persons_writes_in_that_room_only(thread, jan, amb13):
    mute = run(moderation.mute, amb13, room_of("XIII").id, jan.id, 60, "Spam w wątkach")
    assert abs(mute.until - (utcnow() + timedelta(minutes=60))) < timedelta(seconds=30)
    with pytest.raises(Forbidden) as raised:
        run(services.create_reply, jan, thread.id, "Dalej piszę")
    assert raised.value.code == "muted"
    with pytest.raises(Forbidden):
        run(services.create_thread, jan, room_of("XIII").id, "Nowy wątek", "Treść")
    run(services.create_thread, jan, room_by_slug("zablocie").id, "Gdzie indziej", "Wolno")
    note = notifications_of(jan)[0]
    assert note[:3] == ("muted", "Spam w wątkach", room_of("XIII").id) and note[3] == mute.until
    assert entries()[0][0] == "user_muted" and entries()[0][5] == jan.id


def test_a_muted_person_may_not_edit_there_either(thread, jan, amb13):
    own = run(services.create_reply, jan, thread.id, "Przed wyciszeniem")
    run(moderation.mute, amb13, room_of("XIII").id, jan.id, 60, "Spam w wątkach")
    with pytest.raises(Forbidden) as raised:
        run(services.edit_post, jan, own.id, "Po wyciszeniu")
    assert raised.value.code == "muted"


def test_a_new_mute_replaces_the_active_one_and_unmute_lifts_it(thread, jan, amb13):
    room = room_of("XIII")
    first = run(moderation.mute, amb13, room.id, jan.id, 60, "Pierwszy raz")
    second = run(moderation.mute, amb13, room.id, jan.id, 24 * 60, "Drugi raz")
    assert get(Mute, first.id).lifted_at is not None and get(Mute, second.id).lifted_at is None
    run(moderation.unmute, amb13, second.id)
    run(services.create_reply, jan, thread.id, "Znów mogę")
    with pytest.raises(Conflict) as raised:
        run(moderation.unmute, amb13, second.id)
    assert raised.value.code == "mute_not_active"
    assert [e[0] for e in entries()] == ["user_muted", "user_muted", "user_unmuted"]


@pytest.mark.parametrize(
    ("whom", "code"),
    [
        ("self", "cannot_mute_self"),
        ("ambassador", "cannot_mute_moderator"),
        ("admin", "cannot_mute_moderator"),
    ],
)
def test_moderators_and_oneself_cannot_be_muted(amb13, whom, code):
    target = {
        "self": amb13,
        "ambassador": make_user("Inny", role="ambassador", scope="XIII"),
        "admin": make_user("Admin", role="admin"),
    }[whom]
    with pytest.raises(Conflict) as raised:
        run(moderation.mute, amb13, room_of("XIII").id, target.id, 60, "Powód")
    assert raised.value.code == code and count(Mute) == 0


@pytest.mark.parametrize(
    ("minutes", "reason", "field"),
    [
        (0, "Powód", "minutes"),
        (525_601, "Powód", "minutes"),
        (60, "", "reason"),
        (60, "x" * 501, "reason"),
    ],
)
def test_a_mute_needs_a_duration_and_a_reason(jan, amb13, minutes, reason, field):
    with pytest.raises(ValidationError) as raised:
        run(moderation.mute, amb13, room_of("XIII").id, jan.id, minutes, reason)
    assert field in raised.value.fields and count(Mute) == 0


def test_mute_of_an_unknown_person_is_a_field_error(amb13):
    with pytest.raises(ValidationError) as raised:
        run(moderation.mute, amb13, room_of("XIII").id, 999_999, 60, "Powód")
    assert "user_id" in raised.value.fields


# --- who may ---------------------------------------------------------------------------------

ACTIONS = ["hide", "lock", "pin", "move", "mute"]


def attempt(action, user, thread, reply, target_room, person):
    if action == "hide":
        return run(moderation.hide_post, user, reply.id, "Powód")
    if action == "lock":
        return run(moderation.lock_thread, user, thread.id)
    if action == "pin":
        return run(moderation.pin_thread, user, thread.id)
    if action == "move":
        return run(moderation.move_thread, user, thread.id, target_room.id)
    return run(moderation.mute, user, thread.room_id, person.id, 60, "Powód")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("who", "error"),
    [("guest", NotAuthenticated), ("resident", Forbidden), ("amb1", Forbidden)],
)
def test_nobody_but_the_areas_moderators_may_act(thread, reply, jan, amb1, action, who, error):
    user = {"guest": GUEST, "resident": make_user("Ktoś"), "amb1": amb1}[who]
    with pytest.raises(error):
        attempt(action, user, thread, reply, room_by_slug("zablocie"), jan)
    assert entries() == []


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("place", ["district", "osiedle"])
def test_the_districts_ambassador_acts_in_it_and_its_osiedla(anna, jan, amb13, action, place):
    room = room_of("XIII") if place == "district" else room_by_slug("zablocie")
    other = room_by_slug("plaszow")
    thread = run(services.create_thread, anna, room.id, "Wątek", "Treść")
    reply = run(services.create_reply, jan, thread.id, "Odpowiedź")
    attempt(action, amb13, thread, reply, other, jan)
    assert len(entries()) == 1


def test_a_restricted_room_one_may_not_read_looks_missing_to_a_moderator(anna, amb13):
    room = room_by_slug("zablocie")
    admin = make_user("Admin", role="admin")
    update(type(room), room.id, is_public=False)
    make_member(anna, room.id)
    thread = run(services.create_thread, anna, room.id, "Wewnętrzny", "Treść")
    with pytest.raises(NotFound):
        run(moderation.lock_thread, amb13, thread.id)
    run(moderation.lock_thread, admin, thread.id)


# --- the log ---------------------------------------------------------------------------------


def test_the_log_is_append_only(thread, reply, amb13):
    run(moderation.hide_post, amb13, reply.id, "Powód")
    with app_context():
        entry = db.session.scalars(select(ModerationEntry)).one()
        entry.reason = "Inny powód"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
    with pytest.raises(RuntimeError, match="append-only"), app_context(), transaction():
        db.session.delete(db.session.scalars(select(ModerationEntry)).one())
    assert entries()[0][6] == "Powód"


def test_a_refused_action_writes_no_entry(thread, reply, amb13):
    run(moderation.hide_post, amb13, reply.id, "Powód")
    with pytest.raises(Conflict):
        run(moderation.hide_post, amb13, reply.id, "Jeszcze raz")
    assert len(entries()) == 1 and get(Post, reply.id).hidden_reason == "Powód"


def test_logs_by_room_and_area_and_the_city(thread, zablocie_thread, reply, jan, amb13):
    run(moderation.hide_post, amb13, reply.id, "W Podgórzu")
    run(moderation.lock_thread, amb13, zablocie_thread.id, "Na Zabłociu")
    kazimierz_thread = run(
        services.create_thread, jan, room_by_slug("kazimierz").id, "Kazimierz", "Treść"
    )
    run(moderation.pin_thread, make_user("Admin", role="admin"), kazimierz_thread.id)

    def reasons(log, *args):
        with app_context():
            _place, page = log(GUEST, *args)
            return [e.reason for e in page.items]

    assert reasons(moderation.room_log, room_of("XIII").id) == ["W Podgórzu"]
    assert reasons(moderation.room_log, room_by_slug("zablocie").id) == ["Na Zabłociu"]
    district_xiii = room_of("XIII").area_id
    assert reasons(moderation.area_log, district_xiii) == ["Na Zabłociu", "W Podgórzu"]
    assert reasons(moderation.area_log, room_by_slug("zablocie").area_id) == ["Na Zabłociu"]
    with app_context():
        city_id = db.session.scalars(select(Area.id).where(Area.kind == "city")).one()
    assert reasons(moderation.area_log, city_id) == ["", "Na Zabłociu", "W Podgórzu"]


def test_a_restricted_rooms_entries_are_for_its_readers_only(anna, amb13):
    room = room_by_slug("zablocie")
    update(type(room), room.id, is_public=False)
    make_member(anna, room.id)
    thread = run(services.create_thread, anna, room.id, "Wewnętrzny", "Treść")
    admin = make_user("Admin", role="admin")
    run(moderation.lock_thread, admin, thread.id, "Tajny powód")
    area_id = room.area_id
    with app_context():
        from tests.conftest import actor

        for viewer, sees in [(GUEST, False), (actor(amb13), False), (actor(anna), True)]:
            _area, page = moderation.area_log(viewer, area_id)
            assert bool(page.items) is sees
        with pytest.raises(NotFound):
            moderation.room_log(GUEST, room.id)
        with pytest.raises(NotFound):
            moderation.room_log(GUEST, 999_999)
