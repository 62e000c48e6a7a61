"""The ambassadors' part of the JSON API, each answer checked against the OpenAPI document."""

import pytest

from forum.ambassadors import services
from forum.ambassadors.models import AmbassadorApplication
from forum.notifications.models import Notification
from tests.ambassadors.conftest import CONTACT, MOTIVATION, podgorze_id, zablocie_id
from tests.conftest import count, get, make_user, run

NEW = {"motivation": MOTIVATION, "contact": CONTACT}


def test_an_area_with_its_ambassadors_and_their_bios(api, piotr):
    area = api.get(f"/api/v1/areas/{zablocie_id()}").get_json()["area"]
    assert area["kind"] == "subarea" and area["parent"]["name"] == "XIII Podgórze"
    assert area["ambassadors"] == []
    assert area["district_ambassadors"] == [
        {"id": piotr.id, "display_name": "Piotr", "bio": "Społecznik z Podgórza."}
    ]
    assert [room["slug"] for room in area["rooms"]] == ["zablocie"]
    assert area["can_apply"] is False  # a guest
    district = api.get(f"/api/v1/areas/{podgorze_id()}").get_json()["area"]
    assert [a["display_name"] for a in district["ambassadors"]] == ["Piotr"]
    assert zablocie_id() in [child["id"] for child in district["children"]]
    assert api.get("/api/v1/areas/987654").status_code == 404


def test_apply_list_and_withdraw(api, anna):
    api.login(anna)
    assert api.get(f"/api/v1/areas/{zablocie_id()}").get_json()["area"]["can_apply"] is True
    created = api.post(f"/api/v1/areas/{zablocie_id()}/applications", json=NEW)
    assert created.status_code == 201
    application = created.get_json()["application"]
    assert application["status"] == "pending" and application["area"]["id"] == zablocie_id()
    twice = api.post(f"/api/v1/areas/{zablocie_id()}/applications", json=NEW)
    assert twice.status_code == 409
    assert twice.get_json()["error"]["code"] == "application_pending"
    mine = api.get("/api/v1/me/applications").get_json()["applications"]
    assert [a["id"] for a in mine] == [application["id"]]
    withdrawn = api.post(f"/api/v1/applications/{application['id']}/withdraw", json={})
    assert withdrawn.get_json()["application"]["status"] == "withdrawn"
    again = api.post(f"/api/v1/applications/{application['id']}/withdraw", json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "application_decided"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"motivation": "krótko", "contact": CONTACT}, {"motivation"}),
        ({"motivation": MOTIVATION}, {"contact"}),
        ({"motivation": MOTIVATION, "contact": 600100200}, {"contact"}),
        ({"motivation": MOTIVATION, "contact": "x" * 201}, {"contact"}),
    ],
)
def test_bad_input_is_422(api, anna, body, fields):
    api.login(anna)
    response = api.post(f"/api/v1/areas/{zablocie_id()}/applications", json=body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == fields
    assert count(AmbassadorApplication) == 0


def test_a_guest_gets_401(api):
    assert api.post(f"/api/v1/areas/{zablocie_id()}/applications", json=NEW).status_code == 401
    assert api.get("/api/v1/me/applications").status_code == 401
    assert api.get("/api/v1/me").status_code == 401
    assert api.patch("/api/v1/me", json={"bio": "Gość"}).status_code == 401
    assert api.get("/api/v1/applications").status_code == 401


def test_an_ambassador_cannot_apply_for_their_own_osiedle(api, piotr):
    api.login(piotr)
    response = api.post(f"/api/v1/areas/{zablocie_id()}/applications", json=NEW)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_ambassador"


def test_non_admins_cannot_review(api, anna, piotr):
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    api.login(piotr)
    assert api.get("/api/v1/applications").status_code == 403
    approve = api.post(f"/api/v1/applications/{application.id}/approve", json={})
    assert approve.status_code == 403
    reject = api.post(f"/api/v1/applications/{application.id}/reject", json={"message": "Nie."})
    assert reject.status_code == 403
    assert get(AmbassadorApplication, application.id).status == "pending"


def test_approve_makes_an_ambassador_and_notifies(api, anna, jan):
    first = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    second = run(services.apply, jan, zablocie_id(), MOTIVATION, CONTACT)
    api.login(make_user("Admin", role="admin"))
    pending = api.get("/api/v1/applications?status=pending").get_json()["applications"]
    assert [a["id"] for a in pending] == [first.id, second.id]
    assert api.get("/api/v1/applications?status=lost").status_code == 422
    approved = api.post(f"/api/v1/applications/{first.id}/approve", json={"message": "Witaj!"})
    assert approved.status_code == 200
    assert approved.get_json()["application"]["decided_by"]["display_name"] == "Admin"
    no_reason = api.post(f"/api/v1/applications/{second.id}/reject", json={"message": ""})
    assert no_reason.status_code == 422
    missing = api.post(f"/api/v1/applications/{second.id}/reject", json={})
    assert missing.status_code == 422
    reason = {"message": "Za wcześnie."}
    rejected = api.post(f"/api/v1/applications/{second.id}/reject", json=reason)
    assert rejected.get_json()["application"]["status"] == "rejected"
    decided = api.post(f"/api/v1/applications/{first.id}/reject", json={"message": "Jednak nie."})
    assert decided.status_code == 409
    assert decided.get_json()["error"]["code"] == "application_decided"
    assert api.post("/api/v1/applications/987654/approve", json={}).status_code == 404
    assert api.get("/api/v1/applications?status=pending").get_json()["applications"] == []
    assert count(Notification) == 2

    api.logout()
    api.login(anna)
    inbox = api.get("/api/v1/notifications").get_json()["notifications"]
    assert [(n["kind"], n["message"], n["area"]["id"]) for n in inbox] == [
        ("application_approved", "Witaj!", zablocie_id())
    ]
    area = api.get(f"/api/v1/areas/{zablocie_id()}").get_json()["area"]
    assert [a["display_name"] for a in area["ambassadors"]] == ["Anna"]
    assert area["can_apply"] is False


def test_a_bio_through_the_api(api, anna):
    api.login(anna)
    assert api.get("/api/v1/me").get_json()["user"]["bio"] == ""
    changed = api.patch("/api/v1/me", json={"bio": " <script>alert(1)</script> "})
    assert changed.get_json()["user"]["bio"] == "<script>alert(1)</script>"
    assert api.patch("/api/v1/me", json={"bio": "x" * 501}).status_code == 422
    assert api.patch("/api/v1/me", json={"bio": None}).status_code == 422
