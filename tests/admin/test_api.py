"""The admin API: admins only, each operation's answers and error codes (the API client checks
every answer against the OpenAPI document)."""

import re

import pytest

from forum.accounts.models import RoleGrant
from forum.extensions import db
from tests.admin.conftest import audit_actions
from tests.conftest import app_context, count, district, make_user, room_by_slug, room_of

BODIES = {  # a valid body for each write, so the walk meets the policy, not the parser
    "/admin/areas/<int:area_id>/subareas": {"name": "Nowe"},
    "/admin/areas/<int:area_id>": {"name": "Nowa"},
    "/admin/areas/<int:area_id>/archived": {"archived": True},
    "/admin/areas/<int:area_id>/rooms": {"name": "Nowy"},
    "/admin/rooms/<int:room_id>": {"name": "Nowy"},
    "/admin/rooms/<int:room_id>/visibility": {"public": False},
    "/admin/rooms/<int:room_id>/archived": {"archived": True},
    "/admin/rooms/<int:room_id>/members": {"email": "a@example.pl"},
    "/admin/units": {"code": "ZZZ", "name": "Nowa"},
    "/admin/units/<int:unit_id>": {"name": "Nowa"},
    "/admin/units/<int:unit_id>/experts": {"email": "a@example.pl"},
    "/admin/users/<int:user_id>/roles": {"role": "admin"},
    "/admin/users/<int:user_id>/roles/<int:grant_id>/withdrawal": {"message": ""},
    "/admin/users/<int:user_id>/suspension": {"days": 7, "reason": "Spam"},
    "/admin/budget/categories": {"code": "parks", "name": "Parki"},
    "/admin/budget/categories/<int:category_id>": {"archived": True},
    "/admin/budget/editions": {"year": 2028, "name": "BO 2028"},
    "/admin/budget/editions/<int:edition_id>/current": {},
    "/admin/budget/editions/<int:edition_id>/allocations/<int:area_id>": {"amount": 5},
}


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/admin"):
            template = rule.rule.removeprefix("/api/v1")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                body = BODIES.get(template) if method in ("POST", "PUT", "PATCH") else None
                yield method, "/api/v1" + re.sub(r"<int:[a-z_]+>", "1", template), body


def test_a_guest_gets_401_and_anyone_else_403_on_every_operation(app, api):
    routes = list(api_routes(app))
    assert len(routes) >= 24
    for method, path, body in routes:
        assert api.open(path, method=method, json=body).status_code == 401, (method, path)
    for role, scope in [(None, None), ("ambassador", "XIII"), ("expert", "ZZM")]:
        api.login(make_user("Ktoś", role=role, scope=scope))
        for method, path, body in routes:
            response = api.open(path, method=method, json=body)
            assert response.status_code == 403, (role, method, path)
            assert response.get_json()["error"]["code"] == "forbidden"
        api.logout()
    assert audit_actions() == []


@pytest.fixture
def as_admin(api, boss):
    api.login(boss)
    return api


def test_the_area_tree(as_admin):
    areas = as_admin.get("/api/v1/admin/areas").get_json()["areas"]
    assert areas[0]["kind"] == "city"
    assert {a["kind"] for a in areas} == {"city", "district", "subarea"}


def test_areas_and_rooms_are_added_renamed_and_archived(as_admin):
    xiii = district("XIII").id
    added = as_admin.post(f"/api/v1/admin/areas/{xiii}/subareas", json={"name": "Nowe Osiedle"})
    assert added.status_code == 201
    area = added.get_json()["area"]
    assert (area["parent_id"], area["kind"], area["slug"]) == (xiii, "subarea", "nowe-osiedle")
    refused = as_admin.post(f"/api/v1/admin/areas/{area['id']}/subareas", json={"name": "Pod"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "not_a_district")
    invalid = as_admin.post(f"/api/v1/admin/areas/{xiii}/subareas", json={"name": "x"})
    assert invalid.status_code == 422 and "name" in invalid.get_json()["error"]["fields"]
    missing = as_admin.post("/api/v1/admin/areas/999999/subareas", json={"name": "Nowe"})
    assert missing.status_code == 404
    renamed = as_admin.patch(f"/api/v1/admin/areas/{area['id']}", json={"name": "Inne"})
    assert renamed.get_json()["area"]["name"] == "Inne"
    archived = as_admin.put(f"/api/v1/admin/areas/{xiii}/archived", json={"archived": True})
    assert archived.get_json()["area"]["archived"] is True
    city = as_admin.put(
        f"/api/v1/admin/areas/{district('XIII').parent_id}/archived", json={"archived": True}
    )
    assert (city.status_code, city.get_json()["error"]["code"]) == (409, "city_area")
    as_admin.put(f"/api/v1/admin/areas/{xiii}/archived", json={"archived": False})

    room = as_admin.post(
        f"/api/v1/admin/areas/{xiii}/rooms",
        json={"name": "Rada", "description": "Rada dzielnicy", "public": False},
    )
    assert room.status_code == 201
    room = room.get_json()["room"]
    assert (room["public"], room["archived"]) == (False, False)
    changed = as_admin.patch(f"/api/v1/admin/rooms/{room['id']}", json={"name": "Rada XIII"})
    assert changed.get_json()["room"]["description"] == "Rada dzielnicy"  # left out: unchanged
    shut = as_admin.put(f"/api/v1/admin/rooms/{room['id']}/archived", json={"archived": True})
    assert shut.get_json()["room"]["archived"] is True
    opened = as_admin.put(f"/api/v1/admin/rooms/{room['id']}/visibility", json={"public": True})
    assert opened.get_json()["room"]["public"] is True
    assert [a for a, _t in audit_actions()] == [
        "area_added",
        "area_renamed",
        "area_archived",
        "area_restored",
        "room_added",
        "room_renamed",
        "room_archived",
        "room_visibility",
    ]


def test_members_of_a_room(as_admin, anna, jan):
    room_id = room_of("XIII").id
    added = as_admin.post(f"/api/v1/admin/rooms/{room_id}/members", json={"email": anna.email})
    assert [m["id"] for m in added.get_json()["members"]] == [anna.id]
    by_id = as_admin.post(f"/api/v1/admin/rooms/{room_id}/members", json={"user_id": jan.id})
    assert len(by_id.get_json()["members"]) == 2
    unknown = as_admin.post(f"/api/v1/admin/rooms/{room_id}/members", json={"email": "x@y.pl"})
    assert unknown.status_code == 422
    removed = as_admin.delete(f"/api/v1/admin/rooms/{room_id}/members/{anna.id}")
    assert [m["id"] for m in removed.get_json()["members"]] == [jan.id]
    again = as_admin.delete(f"/api/v1/admin/rooms/{room_id}/members/{anna.id}")
    assert again.status_code == 404
    listed = as_admin.get(f"/api/v1/admin/rooms/{room_id}/members").get_json()
    assert listed["room"]["id"] == room_id and len(listed["members"]) == 1


def test_units_and_experts(as_admin, anna):
    added = as_admin.post("/api/v1/admin/units", json={"code": "ZIM", "name": "Inwestycje"})
    assert added.status_code == 201
    unit_id = added.get_json()["unit"]["id"]
    taken = as_admin.post("/api/v1/admin/units", json={"code": "ZIM", "name": "Inna"})
    assert taken.status_code == 422 and "code" in taken.get_json()["error"]["fields"]
    short = as_admin.post("/api/v1/admin/units", json={"code": "Z", "name": "Inna"})
    assert short.status_code == 422
    assert as_admin.patch(f"/api/v1/admin/units/{unit_id}", json={"name": "ZIM"}).status_code == 200
    expert = as_admin.post(f"/api/v1/admin/units/{unit_id}/experts", json={"email": anna.email})
    assert [e["id"] for e in expert.get_json()["experts"]] == [anna.id]
    assert len(as_admin.get("/api/v1/admin/units").get_json()["units"]) >= 2
    gone = as_admin.delete(f"/api/v1/admin/units/{unit_id}/experts/{anna.id}")
    assert gone.get_json()["experts"] == []
    assert as_admin.get("/api/v1/admin/units/999999").status_code == 404


def test_roles(as_admin, boss, anna):
    zablocie = room_by_slug("zablocie").area_id
    granted = as_admin.post(
        f"/api/v1/admin/users/{anna.id}/roles", json={"role": "ambassador", "area_id": zablocie}
    )
    assert granted.status_code == 201
    role = granted.get_json()["user"]["roles"][0]
    assert (role["role"], role["area_id"]) == ("ambassador", zablocie)
    no_scope = as_admin.post(f"/api/v1/admin/users/{anna.id}/roles", json={"role": "expert"})
    assert no_scope.status_code == 422
    withdrawn = as_admin.post(
        f"/api/v1/admin/users/{anna.id}/roles/{role['id']}/withdrawal", json={"message": "Dzięki"}
    )
    assert withdrawn.get_json()["user"]["roles"] == []
    with app_context():
        own = db.session.scalars(db.select(RoleGrant.id).where(RoleGrant.user_id == boss.id)).one()
    refused = as_admin.post(f"/api/v1/admin/users/{boss.id}/roles/{own}/withdrawal", json={})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "own_admin_role")
    assert count(RoleGrant, RoleGrant.user_id == boss.id) == 1
    found = as_admin.get("/api/v1/admin/users?q=ANNA&per_page=5").get_json()
    assert [u["id"] for u in found["users"]] == [anna.id] and found["meta"]["total"] == 1
    assert as_admin.get(f"/api/v1/admin/users/{anna.id}").get_json()["user"]["email"] == anna.email


def test_suspensions(as_admin, boss, anna):
    path = f"/api/v1/admin/users/{anna.id}/suspension"
    assert as_admin.put(path, json={"days": 2, "reason": "Spam"}).status_code == 422
    assert as_admin.put(path, json={"days": 7, "reason": ""}).status_code == 422
    done = as_admin.put(path, json={"days": None, "reason": "Spam"}).get_json()["user"]
    assert done["suspended_until"].startswith("9999-12-31") and done["suspension_reason"] == "Spam"
    listed = as_admin.get("/api/v1/admin/suspensions").get_json()["users"]
    assert [u["id"] for u in listed] == [anna.id]
    lifted = as_admin.delete(path).get_json()["user"]
    assert lifted["suspended_until"] is None
    again = as_admin.delete(path)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "not_suspended")
    own = as_admin.put(
        f"/api/v1/admin/users/{boss.id}/suspension", json={"days": 1, "reason": "Test"}
    )
    assert (own.status_code, own.get_json()["error"]["code"]) == (409, "own_account")
    other = make_user("Druga", role="admin")
    admin = as_admin.put(
        f"/api/v1/admin/users/{other.id}/suspension", json={"days": 1, "reason": "Test"}
    )
    assert (admin.status_code, admin.get_json()["error"]["code"]) == (409, "user_is_admin")


def test_the_audit_log(as_admin, boss):
    as_admin.post("/api/v1/admin/units", json={"code": "AAA", "name": "Pierwsza"})
    as_admin.post("/api/v1/admin/units", json={"code": "BBB", "name": "Druga"})
    log = as_admin.get("/api/v1/admin/audit?per_page=1").get_json()
    assert [e["detail"] for e in log["entries"]] == ["BBB: Druga"]
    assert log["entries"][0]["actor"]["id"] == boss.id
    assert log["meta"]["total"] == 2
