"""The admin pages: admins only, every form, confirmation steps that work without JavaScript."""

import re

import pytest

from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.areas.models import Area, Room, RoomMember
from forum.extensions import db
from tests.admin.conftest import audit_actions, logged_in
from tests.conftest import app_context, count, district, get, make_user, room_by_slug, room_of


def admin_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every admin page and form, its ids filled with 1."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        routes += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_the_walk_covers_every_admin_route(app):
    assert len(admin_routes(app)) >= 30


def test_a_guest_is_sent_to_log_in_everywhere(app, client):
    for method, path in admin_routes(app):
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert "/login" in response.headers["Location"], (method, path)


@pytest.mark.parametrize("role", [None, "ambassador", "expert"])
def test_anyone_but_an_admin_is_refused_everywhere(app, role):
    scope = {"ambassador": "XIII", "expert": "ZZM"}.get(role)
    client = logged_in(app, make_user("Ktoś", role=role, scope=scope))
    for method, path in admin_routes(app):
        assert client.open(path, method=method).status_code == 403, (method, path)
    assert audit_actions() == []


def test_the_admin_link_is_shown_to_admins_only(app, boss, anna):
    assert 'href="/admin/areas"' in logged_in(app, boss).get("/").get_data(as_text=True)
    assert 'href="/admin/areas"' not in logged_in(app, anna).get("/").get_data(as_text=True)


def test_every_page_opens_for_an_admin(app, boss, anna):
    client = logged_in(app, boss)
    with app_context():
        unit = db.session.scalars(db.select(ExpertUnit)).first().id
    client.post(f"/admin/rooms/{room_of('XIII').id}/members", data={"email": anna.email})
    pages = [
        "/admin/areas",
        f"/admin/areas/{district('XIII').id}",
        f"/admin/areas/{room_by_slug('zablocie').area_id}",
        f"/admin/rooms/{room_of('XIII').id}",
        f"/admin/rooms/{room_of('XIII').id}?q=Ann",
        "/admin/units",
        f"/admin/units/{unit}",
        "/admin/users",
        "/admin/users?q=anna",
        f"/admin/users/{anna.id}",
        f"/admin/users/{boss.id}",
        f"/admin/users/{anna.id}/suspend?duration=7&reason=Spam",
        "/admin/suspensions",
        "/admin/audit",
        f"/admin/areas/{district('XIII').id}/archive",
        f"/admin/rooms/{room_of('XIII').id}/archive",
        f"/admin/rooms/{room_of('XIII').id}/members/{anna.id}/remove",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'href="/admin/applications"' in response.get_data(as_text=True), path
    assert client.get("/admin").status_code == 302


def test_missing_things_are_404(app, boss):
    client = logged_in(app, boss)
    for path in [
        "/admin/areas/999999",
        "/admin/rooms/999999",
        "/admin/units/999999",
        "/admin/users/999999",
        "/admin/users/999999/suspend",
    ]:
        assert client.get(path).status_code == 404, path


def test_the_area_forms(app, boss):
    client = logged_in(app, boss)
    xiii = district("XIII").id
    response = client.post(f"/admin/areas/{xiii}/subareas", data={"subarea-name": "Nowe Osiedle"})
    assert response.status_code == 302
    with app_context():
        added = db.session.scalars(db.select(Area).where(Area.name == "Nowe Osiedle")).one()
        assert added.parent_id == xiii
    response = client.post(
        f"/admin/areas/{added.id}/rooms",
        data={
            "room-name": "Pokój osiedla",
            "room-description": "",
            "room-visibility": "restricted",
        },
    )
    assert response.status_code == 302
    with app_context():
        room = db.session.scalars(db.select(Room).where(Room.area_id == added.id)).one()
        assert not room.is_public
    assert (
        client.post(f"/admin/areas/{xiii}/name", data={"name": "Podgórze Stare"}).status_code == 302
    )
    assert get(Area, xiii).name == "Podgórze Stare"
    refused = client.post(f"/admin/areas/{xiii}/name", data={"name": "x"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    refused = client.post(f"/admin/areas/{added.id}/subareas", data={"subarea-name": "Pod"})
    assert refused.status_code == 409
    assert [a for a, _t in audit_actions()] == ["area_added", "room_added", "area_renamed"]


def test_archiving_asks_first_and_the_room_page_says_archived(app, boss, anna):
    client = logged_in(app, boss)
    room_id = room_of("XIII").id
    confirm = client.get(f"/admin/rooms/{room_id}/archive").get_data(as_text=True)
    assert 'method="post"' in confirm
    assert get(Room, room_id).archived_at is None  # asking changes nothing
    assert client.post(f"/admin/rooms/{room_id}/archive").status_code == 302
    assert get(Room, room_id).archived_at is not None
    page = logged_in(app, anna).get(f"/rooms/{room_id}").get_data(as_text=True)
    assert "tag-archived" in page
    assert "discussion.create_thread" not in page and f"/rooms/{room_id}/threads" not in page
    assert client.post(f"/admin/rooms/{room_id}/restore").status_code == 302
    page = logged_in(app, anna).get(f"/rooms/{room_id}").get_data(as_text=True)
    assert f"/rooms/{room_id}/threads" in page
    area_id = district("XIII").id
    assert client.post(f"/admin/areas/{area_id}/archive").status_code == 302
    assert client.post(f"/admin/areas/{area_id}/restore").status_code == 302
    assert [a for a, _t in audit_actions()] == [
        "room_archived",
        "room_restored",
        "area_archived",
        "area_restored",
    ]


def test_room_visibility_and_members(app, boss, anna, jan):
    client = logged_in(app, boss)
    room_id = room_of("XIII").id
    form = client.post(f"/admin/rooms/{room_id}/visibility", data={"visibility": "restricted"})
    assert form.status_code == 302 and not get(Room, room_id).is_public
    bad = client.post(f"/admin/rooms/{room_id}/visibility", data={"visibility": "secret"})
    assert bad.status_code == 422
    assert (
        client.post(f"/admin/rooms/{room_id}/members", data={"email": anna.email}).status_code
        == 302
    )
    unknown = client.post(f"/admin/rooms/{room_id}/members", data={"email": "nikt@example.pl"})
    assert unknown.status_code == 422
    found = client.get(f"/admin/rooms/{room_id}?q=Jan").get_data(as_text=True)
    assert jan.email in found
    added = client.post(f"/admin/rooms/{room_id}/members/found", data={"user_id": str(jan.id)})
    assert added.status_code == 302
    assert count(RoomMember, RoomMember.room_id == room_id) == 2
    remove = f"/admin/rooms/{room_id}/members/{anna.id}/remove"
    assert client.get(remove).status_code == 200
    assert count(RoomMember, RoomMember.room_id == room_id) == 2
    assert client.post(remove).status_code == 302
    assert count(RoomMember, RoomMember.room_id == room_id) == 1
    assert (
        client.post(
            f"/admin/rooms/{room_id}/details", data={"name": "Nowa nazwa", "description": "Opis"}
        ).status_code
        == 302
    )
    assert get(Room, room_id).name == "Nowa nazwa"
    assert [a for a, _t in audit_actions()] == [
        "room_visibility",
        "room_member_added",
        "room_member_added",
        "room_member_removed",
        "room_renamed",
    ]


def test_units_and_their_experts(app, boss, anna):
    client = logged_in(app, boss)
    assert (
        client.post("/admin/units", data={"code": "ZIM", "name": "Inwestycje"}).status_code == 302
    )
    assert client.post("/admin/units", data={"code": "ZIM", "name": "Znowu"}).status_code == 422
    with app_context():
        unit = db.session.scalars(db.select(ExpertUnit).where(ExpertUnit.code == "ZIM")).one().id
    assert client.post(f"/admin/units/{unit}/name", data={"name": "ZIM"}).status_code == 302
    assert (
        client.post(f"/admin/units/{unit}/experts", data={"email": anna.email}).status_code == 302
    )
    assert anna.display_name in client.get(f"/admin/units/{unit}").get_data(as_text=True)
    remove = f"/admin/units/{unit}/experts/{anna.id}/remove"
    assert client.get(remove).status_code == 200
    assert client.post(remove).status_code == 302
    assert count(RoleGrant, RoleGrant.user_id == anna.id) == 0
    assert [a for a, _t in audit_actions()] == [
        "unit_added",
        "unit_renamed",
        "role_granted",
        "role_withdrawn",
    ]


def test_roles_on_the_user_page(app, boss, anna):
    client = logged_in(app, boss)
    zablocie = room_by_slug("zablocie").area_id
    granted = client.post(
        f"/admin/users/{anna.id}/roles", data={"role": "ambassador", "area_id": str(zablocie)}
    )
    assert granted.status_code == 302
    refused = client.post(f"/admin/users/{anna.id}/roles", data={"role": "ambassador"})
    assert refused.status_code == 422
    with app_context():
        grant = (
            db.session.scalars(db.select(RoleGrant).where(RoleGrant.user_id == anna.id)).one().id
        )
        own = db.session.scalars(db.select(RoleGrant).where(RoleGrant.user_id == boss.id)).one().id
    withdraw = f"/admin/users/{anna.id}/roles/{grant}/withdraw"
    assert "message" in client.get(withdraw).get_data(as_text=True)
    assert client.post(withdraw, data={"message": "Dziękujemy"}).status_code == 302
    assert count(RoleGrant, RoleGrant.user_id == anna.id) == 0
    page = client.get(f"/admin/users/{boss.id}").get_data(as_text=True)
    assert f"/roles/{own}/withdraw" not in page  # no control one cannot use
    assert client.post(f"/admin/users/{boss.id}/roles/{own}/withdraw").status_code == 409
    assert count(RoleGrant, RoleGrant.user_id == boss.id) == 1


def test_suspending_asks_first_then_lifting(app, boss, anna):
    client = logged_in(app, boss)
    confirm = client.get(f"/admin/users/{anna.id}/suspend?duration=30&reason=Spam")
    assert confirm.status_code == 200 and "Spam" in confirm.get_data(as_text=True)
    assert not get(User, anna.id).is_suspended
    refused = client.post(f"/admin/users/{anna.id}/suspend", data={"duration": "30", "reason": ""})
    assert refused.status_code == 422
    refused = client.post(
        f"/admin/users/{anna.id}/suspend", data={"duration": "2", "reason": "Spam"}
    )
    assert refused.status_code == 422
    done = client.post(f"/admin/users/{anna.id}/suspend", data={"duration": "30", "reason": "Spam"})
    assert done.status_code == 302 and get(User, anna.id).is_suspended
    listed = client.get("/admin/suspensions").get_data(as_text=True)
    assert anna.display_name in listed and "Spam" in listed
    lifted = client.post(f"/admin/users/{anna.id}/suspension/lift", data={"back": "suspensions"})
    assert lifted.headers["Location"].endswith("/admin/suspensions")
    assert not get(User, anna.id).is_suspended
    assert (
        client.post(
            f"/admin/users/{boss.id}/suspend", data={"duration": "1", "reason": "Test"}
        ).status_code
        == 409
    )
    assert [a for a, _t in audit_actions()] == ["user_suspended", "user_unsuspended"]


def test_the_audit_log_page_lists_changes_newest_first(app, boss):
    client = logged_in(app, boss)
    client.post("/admin/units", data={"code": "AAA", "name": "Pierwsza"})
    client.post("/admin/units", data={"code": "BBB", "name": "Druga"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("BBB: Druga") < page.index("AAA: Pierwsza")
    assert boss.display_name in page
