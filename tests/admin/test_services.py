"""The admin services: each change checked by the policy and written to the audit log."""

from datetime import timedelta

import pytest

from forum.accounts.models import SUSPENDED_INDEFINITELY, ExpertUnit, RoleGrant, User, UserSession
from forum.accounts.services import start_session
from forum.admin import services as admin
from forum.areas.models import Area, Room, RoomMember
from forum.discussion import services as discussion
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.moderation.models import ModerationEntry
from tests.admin.conftest import audit_actions
from tests.conftest import (
    GUEST,
    app_context,
    count,
    district,
    get,
    make_member,
    make_user,
    room_by_slug,
    room_of,
    run,
    update,
)


def unit_id(code: str) -> int:
    with app_context():
        return db.session.scalars(db.select(ExpertUnit.id).where(ExpertUnit.code == code)).one()


# --- the area tree -----------------------------------------------------------------------


def test_an_osiedle_is_added_to_a_district_with_a_unique_slug(boss):
    first = run(admin.add_subarea, boss, district("XIII").id, "  Nowe Zabłocie ")
    second = run(admin.add_subarea, boss, district("XII").id, "Nowe Zabłocie")
    assert (first.name, first.slug, first.kind) == ("Nowe Zabłocie", "nowe-zablocie", "subarea")
    assert second.slug == "nowe-zablocie-2"
    with app_context():
        added = db.session.get(Area, first.id)
        assert added.parent_id == district("XIII").id
        assert added.ancestor_ids == [added.parent.parent_id, added.parent_id, added.id]
    assert audit_actions()[-2:] == [
        ("area_added", f"area:{first.id}"),
        ("area_added", f"area:{second.id}"),
    ]


def test_an_osiedle_goes_only_under_a_district(boss):
    with pytest.raises(Conflict) as refused:
        run(admin.add_subarea, boss, room_by_slug("zablocie").area_id, "Kawałek")
    assert refused.value.code == "not_a_district"


@pytest.mark.parametrize("name", ["", "x", "y" * 121, "a\u202eb", "   "])
def test_names_are_cleaned_and_measured(boss, name):
    with pytest.raises(ValidationError) as refused:
        run(admin.add_room, boss, district("XIII").id, name)
    assert "name" in refused.value.fields
    assert audit_actions() == []


def test_a_room_is_added_public_or_restricted(boss):
    room = run(admin.add_room, boss, district("XIII").id, "Rada", "Tylko rada", False)
    assert (room.name, room.is_public, room.track) == ("Rada", False, "district")
    city_room = run(admin.add_room, boss, district("XIII").parent_id, "XIII Podgórze")
    assert city_room.slug == "xiii-podgorze-2" and city_room.track == "city"
    assert [a for a, _t in audit_actions()] == ["room_added", "room_added"]


def test_renaming_keeps_slugs_unique_and_is_audited(boss):
    room = room_of("XIII")
    renamed = run(admin.rename_room, boss, room.id, "Zabłocie", "Nowy opis")
    assert renamed.slug == "zablocie-2" and renamed.description == "Nowy opis"
    area = run(admin.rename_area, boss, district("XIII").id, "Podgórze Nowe")
    assert area.slug == "xiii-podgorze-nowe"
    assert run(admin.rename_area, boss, district("XIII").id, "Podgórze Nowe").id == area.id
    assert [a for a, _t in audit_actions()] == ["room_renamed", "area_renamed"]  # once each


def test_an_archived_room_stays_readable_and_refuses_new_threads_and_posts(boss, anna, thread):
    room_id = room_of("XIII").id
    run(admin.set_room_archived, boss, room_id, True)
    assert run(discussion.list_threads, anna, room_id)[1].total == 1
    with pytest.raises(Conflict) as refused:
        run(discussion.create_thread, anna, room_id, "Nowy wątek", "treść")
    assert refused.value.code == "room_archived"
    with pytest.raises(Conflict):
        run(discussion.create_reply, anna, thread.id, "odpowiedź")
    run(admin.set_room_archived, boss, room_id, False)
    run(discussion.create_reply, anna, thread.id, "odpowiedź")
    assert [a for a, _t in audit_actions()] == ["room_archived", "room_restored"]


def test_an_archived_area_archives_its_rooms(boss, anna):
    run(admin.set_area_archived, boss, district("XIII").id, True)
    with pytest.raises(Conflict):
        run(discussion.create_thread, anna, room_by_slug("zablocie").id, "Nowy", "treść")
    with pytest.raises(Conflict) as refused:
        run(admin.set_area_archived, boss, district("XIII").parent_id, True)
    assert refused.value.code == "city_area"
    assert audit_actions() == [("area_archived", f"area:{district('XIII').id}")]


def test_room_visibility_is_audited_and_the_cli_still_works(boss):
    room_id = room_of("XIII").id
    run(admin.set_room_visibility, boss, room_id, False)
    run(lambda _a: admin.set_room_visibility(None, room_id, True), None)
    assert get(Room, room_id).is_public
    assert audit_actions() == [("room_visibility", f"room:{room_id}")] * 2


# --- members of restricted rooms ---------------------------------------------------------


def test_members_are_added_by_email_or_id_and_removed(boss, anna, jan):
    room_id = room_of("XIII").id
    run(admin.add_member, boss, room_id, email=anna.email.upper())
    run(admin.add_member, boss, room_id, user_id=jan.id)
    run(admin.add_member, boss, room_id, user_id=jan.id)  # once is enough
    assert count(RoomMember, RoomMember.room_id == room_id) == 2
    run(admin.remove_member, boss, room_id, anna.id)
    assert [m.id for m in run(lambda a: admin.room_members(a, room_id)[1], boss)] == [jan.id]
    with pytest.raises(NotFound):
        run(admin.remove_member, boss, room_id, anna.id)
    with pytest.raises(ValidationError) as refused:
        run(admin.add_member, boss, room_id, email="nikt@example.pl")
    assert "email" in refused.value.fields
    assert [a for a, _t in audit_actions()] == [
        "room_member_added",
        "room_member_added",
        "room_member_removed",
    ]


# --- expert units ------------------------------------------------------------------------


def test_units_are_added_with_a_unique_code_and_renamed(boss):
    unit = run(admin.add_unit, boss, "ZIM", "Zarząd Inwestycji Miejskich")
    with pytest.raises(ValidationError) as refused:
        run(admin.add_unit, boss, "zim", "Inny")
    assert "code" in refused.value.fields
    with pytest.raises(ValidationError):
        run(admin.add_unit, boss, "Z", "Za krótki kod")
    with pytest.raises(ValidationError):
        run(admin.add_unit, boss, "Z" * 17, "Za długi kod")
    run(admin.rename_unit, boss, unit.id, "ZIM Kraków")
    assert get(ExpertUnit, unit.id).name == "ZIM Kraków"
    assert audit_actions() == [
        ("unit_added", f"unit:{unit.id}"),
        ("unit_renamed", f"unit:{unit.id}"),
    ]


def test_experts_are_added_and_removed_through_the_role_grants(boss, anna):
    zzm = unit_id("ZZM")
    run(admin.add_expert, boss, zzm, anna.email)
    assert [e.id for e in run(lambda a: admin.unit_experts(a, zzm)[1], boss)] == [anna.id]
    run(admin.remove_expert, boss, zzm, anna.id)
    assert count(RoleGrant, RoleGrant.user_id == anna.id) == 0
    with pytest.raises(NotFound):
        run(admin.remove_expert, boss, zzm, anna.id)
    assert [a for a, _t in audit_actions()] == ["role_granted", "role_withdrawn"]


# --- roles -------------------------------------------------------------------------------


def test_roles_are_granted_and_withdrawn(boss, anna):
    zablocie = room_by_slug("zablocie").area_id
    grant_id = run(lambda a: admin.grant(a, anna.id, "ambassador", area_id=zablocie).id, boss)
    run(admin.grant, boss, anna.id, "expert", unit_id=unit_id("ZZM"))
    run(admin.grant, boss, anna.id, "admin")
    assert count(RoleGrant, RoleGrant.user_id == anna.id) == 3
    run(admin.withdraw, boss, anna.id, grant_id, "Dziękujemy za pracę.")
    assert count(RoleGrant, RoleGrant.user_id == anna.id) == 2
    assert [a for a, _t in audit_actions()] == ["role_granted"] * 3 + ["role_withdrawn"]


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        ("ambassador", {}, "area_id"),
        ("ambassador", {"area_id": 999_999}, "area_id"),
        ("expert", {}, "unit_id"),
        ("king", {}, "role"),
    ],
)
def test_a_role_needs_its_scope(boss, anna, role, scope, field):
    with pytest.raises(ValidationError) as refused:
        run(admin.grant, boss, anna.id, role, **scope)
    assert field in refused.value.fields


def test_an_ambassador_is_of_a_district_or_osiedle_not_the_city(boss, anna):
    with pytest.raises(ValidationError):
        run(admin.grant, boss, anna.id, "ambassador", area_id=district("XIII").parent_id)


def test_an_admin_cannot_withdraw_their_own_admin_role(boss):
    grant_id = run(lambda a: a.role_grants[0].id, boss)
    with pytest.raises(Conflict) as refused:
        run(admin.withdraw, boss, boss.id, grant_id)
    assert refused.value.code == "own_admin_role"
    other = make_user("Druga", role="admin")
    run(admin.withdraw, other, boss.id, grant_id)  # another admin may
    assert count(RoleGrant, RoleGrant.user_id == boss.id) == 0


# --- suspensions -------------------------------------------------------------------------


def open_logins(user) -> int:
    return count(UserSession, UserSession.user_id == user.id, UserSession.ended_at.is_(None))


def test_a_suspension_ends_every_login_and_is_logged_publicly(boss, anna):
    run(lambda _a: start_session(db.session.get(User, anna.id)), None)
    run(lambda _a: start_session(db.session.get(User, anna.id)), None)
    assert open_logins(anna) == 2
    run(admin.suspend, boss, anna.id, 7, "Obraźliwe wpisy")
    suspended = get(User, anna.id)
    assert suspended.is_suspended and suspended.suspension_reason == "Obraźliwe wpisy"
    assert timedelta(days=6, hours=23) < suspended.suspended_until - utcnow() <= timedelta(days=7)
    assert open_logins(anna) == 0
    with app_context():
        entry = db.session.scalars(db.select(ModerationEntry)).one()
        assert (entry.action, entry.subject_user_id, entry.reason) == (
            "user_suspended",
            anna.id,
            "Obraźliwe wpisy",
        )
    assert audit_actions() == [("user_suspended", f"user:{anna.id}")]


def test_a_suspended_person_may_not_write(boss, anna, thread):
    run(admin.suspend, boss, anna.id, None, "Spam")
    assert get(User, anna.id).suspended_until == SUSPENDED_INDEFINITELY
    with pytest.raises(Forbidden) as refused:
        run(discussion.create_reply, anna, thread.id, "jeszcze raz")
    assert refused.value.code == "suspended"


@pytest.mark.parametrize(
    ("days", "reason", "field"), [(2, "Spam", "days"), (7, "x", "reason"), (7, "", "reason")]
)
def test_a_suspension_needs_a_listed_length_and_a_reason(boss, anna, days, reason, field):
    with pytest.raises(ValidationError) as refused:
        run(admin.suspend, boss, anna.id, days, reason)
    assert field in refused.value.fields
    assert not get(User, anna.id).is_suspended


def test_nobody_suspends_themselves_or_another_admin(boss):
    with pytest.raises(Conflict) as refused:
        run(admin.suspend, boss, boss.id, 1, "Test")
    assert refused.value.code == "own_account"
    other = make_user("Druga", role="admin")
    with pytest.raises(Conflict) as refused:
        run(admin.suspend, boss, other.id, 1, "Test")
    assert refused.value.code == "user_is_admin"


def test_a_suspension_is_lifted_early_or_simply_ends(boss, anna):
    run(admin.suspend, boss, anna.id, 30, "Spam")
    assert [u.id for u in run(lambda a: admin.list_suspensions(a).items, boss)] == [anna.id]
    run(admin.lift_suspension, boss, anna.id)
    assert not get(User, anna.id).is_suspended
    with pytest.raises(Conflict):
        run(admin.lift_suspension, boss, anna.id)
    update(User, anna.id, suspended_until=utcnow() - timedelta(seconds=1), suspension_reason="x")
    assert not get(User, anna.id).is_suspended
    assert run(lambda a: admin.list_suspensions(a).items, boss) == []
    with app_context():
        actions = db.session.scalars(db.select(ModerationEntry.action).order_by(ModerationEntry.id))
        assert list(actions) == ["user_suspended", "user_unsuspended"]


# --- the policy guards every operation ---------------------------------------------------

OPERATIONS = [
    (admin.load_areas, ()),
    (admin.add_subarea, (1, "Nowe")),
    (admin.add_room, (1, "Nowy")),
    (admin.rename_area, (1, "Nowa")),
    (admin.rename_room, (1, "Nowy")),
    (admin.set_area_archived, (2, True)),
    (admin.set_room_archived, (1, True)),
    (admin.set_room_visibility, (1, False)),
    (admin.room_members, (1,)),
    (admin.list_units, ()),
    (admin.add_unit, ("ZZZ", "Nowa")),
    (admin.rename_unit, (1, "Nowa")),
    (admin.unit_experts, (1,)),
    (admin.search_users, ("",)),
    (admin.grant, (1, "admin")),
    (admin.withdraw, (1, 1)),
    (admin.suspend, (1, 7, "Spam")),
    (admin.lift_suspension, (1,)),
    (admin.list_suspensions, ()),
    (admin.audit_log, ()),
]


@pytest.mark.parametrize(
    ("operation", "args"), OPERATIONS, ids=lambda o: getattr(o, "__name__", "")
)
def test_only_admins_may(app, operation, args):
    resident = make_user("Mieszkanka")
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    for who in (resident, ambassador):
        with pytest.raises(Forbidden):
            run(operation, who, *args)
    with pytest.raises(NotAuthenticated):
        with app_context():
            operation(GUEST, *args)
    assert audit_actions() == []


def test_the_audit_log_is_newest_first(boss, anna):
    run(admin.add_unit, boss, "AAA", "Pierwsza")
    run(admin.add_unit, boss, "BBB", "Druga")
    entries = run(lambda a: [e.detail for e in admin.audit_log(a).items], boss)
    assert entries == ["BBB: Druga", "AAA: Pierwsza"]


def test_the_member_of_a_restricted_room_reads_it(boss, anna):
    room_id = room_of("XIII").id
    run(admin.set_room_visibility, boss, room_id, False)
    with pytest.raises(NotFound):
        run(discussion.access_room, anna, room_id)
    make_member(anna, room_id)
    assert run(discussion.access_room, anna, room_id).id == room_id


def test_a_district_is_archived_and_restored_with_its_osiedla(boss):
    zablocie = room_by_slug("zablocie").area_id
    other = run(admin.add_subarea, boss, district("XIII").id, "Stare osiedle")
    run(admin.set_area_archived, boss, other.id, True)  # on its own, before
    run(admin.set_area_archived, boss, district("XIII").id, True)
    assert get(Area, zablocie).is_archived
    run(admin.set_area_archived, boss, district("XIII").id, False)
    assert not get(Area, zablocie).is_archived and not get(Area, district("XIII").id).is_archived
    assert get(Area, other.id).is_archived
