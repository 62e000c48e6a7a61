"""The supports API: each answer checked against the OpenAPI document."""

from __future__ import annotations

from forum.supports.models import Support
from tests.conftest import count, make_user


def test_the_tally_is_public(api, district_draft):
    answer = api.get(f"/api/v1/drafts/{district_draft}/supports")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["supports"] == {"counted": 0, "others": 0, "needed": 15}
    assert body["mine"] is None and body["can_support"] is False
    assert body["district"]["name"] == "XIII Podgórze"


def test_support_then_withdraw(api, district_draft):
    api.login(make_user("Ola"))
    answer = api.post(f"/api/v1/drafts/{district_draft}/support", json={})
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["mine"]["counts"] is True and body["supports"]["counted"] == 1
    assert body["can_support"] is False
    answer = api.delete(f"/api/v1/drafts/{district_draft}/support")
    assert answer.status_code == 200
    assert answer.get_json()["mine"] is None and count(Support) == 0


def test_an_outsiders_support_is_counted_apart(api, district_draft):
    api.login(make_user("Kuba", home="I"))
    body = api.post(f"/api/v1/drafts/{district_draft}/support", json={}).get_json()
    assert body["mine"]["counts"] is False
    assert body["supports"] == {"counted": 0, "others": 1, "needed": 15}


def test_supporting_twice_is_409(api, district_draft):
    api.login(make_user("Ola"))
    api.post(f"/api/v1/drafts/{district_draft}/support", json={})
    answer = api.post(f"/api/v1/drafts/{district_draft}/support", json={})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "already_supported"
    assert count(Support) == 1


def test_the_same_idempotency_key_stores_one_support_and_answers_alike(api, district_draft):
    api.login(make_user("Ola"))
    headers = {"Idempotency-Key": "support-1"}
    first = api.post(f"/api/v1/drafts/{district_draft}/support", json={}, headers=headers)
    again = api.post(f"/api/v1/drafts/{district_draft}/support", json={}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_data() == again.get_data() and count(Support) == 1


def test_withdrawing_nothing_is_404(api, district_draft):
    api.login(make_user("Ola"))
    answer = api.delete(f"/api/v1/drafts/{district_draft}/support")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_supported"


def test_a_guest_is_401(api, district_draft):
    assert api.post(f"/api/v1/drafts/{district_draft}/support", json={}).status_code == 401
    assert api.delete(f"/api/v1/drafts/{district_draft}/support").status_code == 401


def test_an_unknown_draft_is_404(api):
    assert api.get("/api/v1/drafts/987654/supports").status_code == 404
