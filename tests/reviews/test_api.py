"""The API of status moves, reviews and decisions (each answer checked against the document)."""

from __future__ import annotations

import pytest

from forum.drafts.models import Draft
from forum.reviews.models import ProposedChange, Review
from tests.conftest import count, get, make_user
from tests.reviews.conftest import make_draft, open_change, unit_id


@pytest.fixture
def anna(app):
    return make_user("Anna")


@pytest.fixture
def ewa(app):
    return make_user("Ewa", role="expert", scope="ZZM")


def test_the_status_shows_the_askers_moves_and_the_history(api, anna):
    draft_id = make_draft(anna, complete=False)
    answer = api.get(f"/api/v1/drafts/{draft_id}/status").get_json()
    assert answer["status"] == "draft" and answer["moves"] == []
    assert [c["to_status"] for c in answer["history"]] == ["draft"]
    api.login(anna)
    moves = api.get(f"/api/v1/drafts/{draft_id}/status").get_json()["moves"]
    assert [(m["to"], m["possible"]) for m in moves] == [("in_review", False), ("withdrawn", True)]
    assert "short_description" in moves[0]["missing"]
    assert api.get("/api/v1/drafts/999999/status").status_code == 404


def test_an_author_moves_the_draft(api, anna):
    draft_id = make_draft(anna)
    api.login(anna)
    answer = api.post(
        f"/api/v1/drafts/{draft_id}/status", json={"to": "in_review", "message": "Prosimy."}
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["draft"]["status"] == "in_review"
    assert (body["change"]["from_status"], body["change"]["message"]) == ("draft", "Prosimy.")


@pytest.mark.parametrize(
    ("who", "start", "payload", "status", "code"),
    [
        ("guest", "draft", {"to": "in_review"}, 401, "not_authenticated"),
        ("resident", "draft", {"to": "in_review"}, 403, "move_not_allowed"),
        ("author", "draft", {"to": "ready"}, 409, "invalid_move"),
        ("author", "in_review", {"to": "revised"}, 409, "not_reviewed"),
        ("author", "draft", {"to": "filed"}, 422, "invalid"),
        ("author", "draft", {"to": "in_review", "message": 5}, 422, "invalid"),
        ("author", "draft", {}, 422, "invalid"),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(api, anna, who, start, payload, status, code):
    draft_id = make_draft(anna, status=start)
    if who != "guest":
        api.login(anna if who == "author" else make_user("Jan"))
    answer = api.post(f"/api/v1/drafts/{draft_id}/status", json=payload)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)
    assert get(Draft, draft_id).status == start


def test_an_incomplete_draft_is_refused_with_the_missing_fields(api, anna):
    draft_id = make_draft(anna, complete=False)
    api.login(anna)
    answer = api.post(f"/api/v1/drafts/{draft_id}/status", json={"to": "in_review"})
    error = answer.get_json()["error"]
    assert (answer.status_code, error["code"]) == (422, "draft_incomplete")
    assert "cost_items" in error["fields"]


REVIEW = {
    "opinion": "needs_changes",
    "checklist": {"site_city_owned": True, "within_cost_cap": False},
    "cost_remarks": "Za tanio.",
    "body": "Proszę urealnić koszty.",
    "changes": {
        "cost_items": [{"item": "Drzewa", "amount": 150000}],
        "title": "Zielony skwer",
    },
}


def test_an_expert_reviews_and_everyone_reads_it(api, anna, ewa):
    draft_id = make_draft(anna, status="in_review")
    api.login(ewa)
    answer = api.post(f"/api/v1/drafts/{draft_id}/reviews", json=REVIEW)
    assert answer.status_code == 201
    review = answer.get_json()["review"]
    assert (review["unit"]["code"], review["revision_number"]) == ("ZZM", 1)
    assert review["checklist"] == {
        "site_city_owned": True,
        "within_cost_cap": False,
        "deliverable_in_year": None,
        "within_competence": None,
    }
    assert [(c["field"], c["status"]) for c in review["changes"]] == [
        ("cost_items", "open"),
        ("title", "open"),
    ]
    api.logout()
    listed = api.get(f"/api/v1/drafts/{draft_id}/reviews").get_json()["reviews"]
    assert [r["id"] for r in listed] == [review["id"]]


@pytest.mark.parametrize(
    ("who", "payload", "status", "code"),
    [
        ("guest", REVIEW, 401, "not_authenticated"),
        ("resident", REVIEW, 403, "not_reviewer"),
        ("other unit", REVIEW, 403, "not_reviewer"),
        ("expert", REVIEW | {"opinion": "great"}, 422, "invalid"),
        ("expert", REVIEW | {"body": ""}, 422, "invalid"),
        ("expert", REVIEW | {"changes": {"colour": 1}}, 422, "invalid"),
        ("expert", REVIEW | {"changes": {"title": None}}, 422, "invalid"),
        ("expert", REVIEW | {"changes": []}, 422, "invalid"),
        ("expert", REVIEW | {"checklist": {"site_city_owned": "yes"}}, 422, "invalid"),
        ("expert", REVIEW | {"checklist": {"pretty": True}}, 422, "invalid"),
        ("expert", REVIEW | {"unit_id": 0}, 422, "invalid"),
    ],
)
def test_a_refused_review_says_why_and_stores_nothing(api, anna, who, payload, status, code):
    draft_id = make_draft(anna, status="in_review")
    asker = {
        "resident": lambda: make_user("Jan"),
        "other unit": lambda: make_user("Adam", role="expert", scope="ZDMK"),
        "expert": lambda: make_user("Ewa", role="expert", scope="ZZM"),
    }.get(who)
    if asker is not None:
        api.login(asker())
    answer = api.post(f"/api/v1/drafts/{draft_id}/reviews", json=payload)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)
    assert count(Review) == 0


def test_a_second_review_of_the_revision_and_a_draft_not_in_review_conflict(api, anna, ewa):
    draft_id = make_draft(anna, status="in_review")
    api.login(ewa)
    api.post(f"/api/v1/drafts/{draft_id}/reviews", json=REVIEW)
    again = api.post(f"/api/v1/drafts/{draft_id}/reviews", json=REVIEW)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_reviewed")
    other = make_draft(anna, status="revised")
    late = api.post(f"/api/v1/drafts/{other}/reviews", json=REVIEW)
    assert (late.status_code, late.get_json()["error"]["code"]) == (409, "not_in_review")


def test_the_authors_accept_and_decline(api, anna, ewa):
    draft_id = make_draft(anna, status="revised", reviewer=ewa)
    title = open_change(draft_id, ewa, "title", "Zielony skwer")
    places = open_change(draft_id, ewa, "locations", ["ul. Lipowa 5"])
    api.login(anna)
    accepted = api.post(f"/api/v1/proposed-changes/{title}/accept", json={})
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert (body["change"]["status"], body["change"]["revision_number"]) == ("accepted", 2)
    assert (body["draft"]["title"], body["draft"]["version"]) == ("Zielony skwer", 2)
    assert body["review"]["unit"]["id"] == unit_id("ZZM")
    declined = api.post(
        f"/api/v1/proposed-changes/{places}/decline", json={"reason": "Zostaje Lipowa 3."}
    )
    assert declined.get_json()["change"]["decline_reason"] == "Zostaje Lipowa 3."
    again = api.post(f"/api/v1/proposed-changes/{places}/accept", json={})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "change_decided")


@pytest.mark.parametrize(
    ("action", "payload", "who", "status", "code"),
    [
        ("accept", {}, "guest", 401, "not_authenticated"),
        ("accept", {}, "resident", 403, "not_draft_author"),
        ("decline", {"reason": "Nie."}, "expert", 403, "not_draft_author"),
        ("decline", {"reason": ""}, "author", 422, "invalid"),
        ("decline", {}, "author", 422, "invalid"),
        ("accept", {}, "author, over the cap", 422, "over_cost_cap"),
    ],
)
def test_a_refused_decision_changes_nothing(api, anna, ewa, action, payload, who, status, code):
    draft_id = make_draft(anna, status="revised", reviewer=ewa)
    value = (
        [{"item": "Park", "amount": 5_000_000}] if "cap" in who else [{"item": "X", "amount": 1}]
    )
    change_id = open_change(draft_id, ewa, "cost_items", value)
    if who != "guest":
        api.login({"resident": make_user("Jan"), "expert": ewa}.get(who, anna))
    url = f"/api/v1/proposed-changes/{change_id}/{action}"
    answer = api.post(url, json=payload)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code)
    assert get(ProposedChange, change_id).status == "open"
    assert get(Draft, draft_id).version == 1


def test_an_unknown_change_is_not_found(api, anna):
    api.login(anna)
    answer = api.post("/api/v1/proposed-changes/4242/accept", json={})
    assert answer.status_code == 404
