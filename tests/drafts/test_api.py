"""The drafts API: every answer is checked against the OpenAPI document (tests/api)."""

import pytest

from forum.drafts import editing
from forum.drafts.models import Draft, DraftRevision
from forum.notifications.models import Notification
from tests.api.conftest import ApiClient
from tests.conftest import count, get, opening_of, run, update
from tests.drafts.conftest import area_id, complete_fields, tag_thread, unit_id


@pytest.fixture
def api(app) -> ApiClient:
    return ApiClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def as_user(app):
    def client_of(user) -> ApiClient:
        client = ApiClient(app, app.response_class, use_cookies=True)
        assert client.login(user).status_code == 200
        return client

    return client_of


def test_anyone_reads_a_draft(api, thread, promoted):
    answer = api.get(f"/api/v1/drafts/{promoted.id}")
    assert answer.status_code == 200
    draft = answer.json["draft"]
    assert draft["title"] == "Skwer przy Lipowej" and draft["version"] == 1
    assert draft["source_thread"] == {"id": thread.id, "title": "Skwer przy Lipowej"}
    assert draft["source_post_ids"] == [opening_of(thread.id).id]
    assert {m["field"] for m in draft["missing"]} >= {"category_id", "cost_items"}
    assert answer.json["can_edit"] is False


def test_a_missing_draft_is_404(api):
    assert api.get("/api/v1/drafts/987654").status_code == 404


def test_a_resident_starts_a_draft_with_fields(as_user, anna):
    fields = complete_fields()
    answer = as_user(anna).post("/api/v1/drafts", json={"area_id": area_id(), **fields})
    assert answer.status_code == 201
    draft = answer.json["draft"]
    assert draft["version"] == 1 and draft["missing"] == [] and draft["cost_total"] == 52_000
    assert answer.json["can_edit"] is True
    assert count(DraftRevision) == 1


def test_starting_a_draft_needs_a_login(api):
    answer = api.post("/api/v1/drafts", json={"area_id": area_id(), "title": "X"})
    assert answer.status_code == 401 and count(Draft) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X"}, "area_id"),
        ({"area_id": 1, "title": 5}, "title"),
        ({"area_id": "1", "title": "X"}, "area_id"),
        ({"title": "X", "cost_items": [{"item": "a", "amount": 0}]}, "cost_items.0.amount"),
        ({"title": "X", "deliverable_in_year": "tak"}, "deliverable_in_year"),
    ],
)
def test_a_wrong_shape_is_named(as_user, anna, body, field):
    body = {"area_id": area_id(), **body} if "area_id" not in body and field != "area_id" else body
    answer = as_user(anna).post("/api/v1/drafts", json=body)
    assert answer.status_code == 422 and field in answer.json["error"]["fields"]
    assert count(Draft) == 0


def test_an_author_saves_the_fields_sent(as_user, anna, own_draft):
    answer = as_user(anna).patch(
        f"/api/v1/drafts/{own_draft.id}",
        json={"version": 1, "short_description": "Krótko", "note": "Opis"},
    )
    assert answer.status_code == 200
    assert answer.json["draft"]["version"] == 2
    assert answer.json["draft"]["short_description"] == "Krótko"
    assert answer.json["draft"]["title"] == "Ławki na Zabłociu"  # not sent: kept
    assert get(DraftRevision, 2).note == "Opis"


def test_a_stale_version_is_a_conflict_with_both_texts(as_user, anna, own_draft):
    client = as_user(anna)
    assert (
        client.patch(
            f"/api/v1/drafts/{own_draft.id}", json={"version": 1, "title": "Pierwszy"}
        ).status_code
        == 200
    )
    answer = client.patch(f"/api/v1/drafts/{own_draft.id}", json={"version": 1, "title": "Drugi"})
    assert answer.status_code == 409
    error = answer.json["error"]
    assert error["code"] == "version_conflict" and error["conflict"]["current_version"] == 2
    assert error["conflict"]["current"]["title"] == "Pierwszy"
    assert error["conflict"]["yours"]["title"] == "Drugi"
    assert get(Draft, own_draft.id).title == "Pierwszy" and count(DraftRevision) == 2


def test_over_the_allocation_is_refused(as_user, anna, own_draft):
    answer = as_user(anna).patch(
        f"/api/v1/drafts/{own_draft.id}",
        json={"version": 1, "cost_items": [{"item": "Most", "amount": 9_000_000}]},
    )
    assert answer.status_code == 422 and answer.json["error"]["code"] == "over_cost_cap"
    assert "cost_items" in answer.json["error"]["fields"] and count(DraftRevision) == 1


def test_a_null_title_is_refused(as_user, anna, own_draft):
    answer = as_user(anna).patch(
        f"/api/v1/drafts/{own_draft.id}", json={"version": 1, "title": None}
    )
    assert answer.status_code == 422 and "title" in answer.json["error"]["fields"]


def test_a_non_author_may_not_save(as_user, jan, own_draft):
    answer = as_user(jan).patch(f"/api/v1/drafts/{own_draft.id}", json={"version": 1, "title": "Z"})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "not_draft_author"


def test_a_closed_draft_may_not_be_saved(as_user, anna, own_draft):
    update(Draft, own_draft.id, status="withdrawn")
    answer = as_user(anna).patch(
        f"/api/v1/drafts/{own_draft.id}", json={"version": 1, "title": "Z"}
    )
    assert answer.status_code == 409 and answer.json["error"]["code"] == "draft_closed"


def test_an_ambassador_promotes_a_thread(as_user, thread, piotr, anna):
    tag_thread(thread.id, "ZZM", piotr)
    opening = opening_of(thread.id)
    answer = as_user(piotr).post(
        f"/api/v1/threads/{thread.id}/draft", json={"source_post_ids": [opening.id]}
    )
    assert answer.status_code == 201
    draft = answer.json["draft"]
    assert draft["source_post_ids"] == [opening.id]
    assert [u["id"] for u in draft["units"]] == [unit_id("ZZM")]
    assert {(a["user"]["id"], a["role"]) for a in draft["authors"]} == {
        (anna.id, "author"),
        (piotr.id, "coauthor"),
    }
    again = as_user(piotr).post(f"/api/v1/threads/{thread.id}/draft", json={})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_promoted"


def test_a_resident_may_not_promote(as_user, thread, jan):
    answer = as_user(jan).post(f"/api/v1/threads/{thread.id}/draft", json={})
    assert answer.status_code == 403 and count(Draft) == 0


def test_the_author_asks_for_promotion(as_user, thread, anna, piotr):
    answer = as_user(anna).post(f"/api/v1/threads/{thread.id}/promotion-requests", json={})
    assert answer.status_code == 200 and answer.json == {"notified": 1}
    assert count(Notification, Notification.user_id == piotr.id) == 1


def test_someone_else_may_not_ask(as_user, thread, jan, piotr):
    answer = as_user(jan).post(f"/api/v1/threads/{thread.id}/promotion-requests", json={})
    assert answer.status_code == 403 and count(Notification) == 0


def test_saving_through_the_api_and_a_save_of_the_same_revision_conflict(as_user, anna, own_draft):
    """Two authors on revision 1: the first save wins, the second is told, nothing lost."""
    run(editing.edit_draft, anna, own_draft.id, {"justification": "Bo tak"}, 1)
    answer = as_user(anna).patch(
        f"/api/v1/drafts/{own_draft.id}", json={"version": 1, "beneficiaries": "Wszyscy"}
    )
    conflict = answer.json["error"]["conflict"]
    assert conflict["current"]["justification"] == "Bo tak"
    assert conflict["yours"]["beneficiaries"] == "Wszyscy"
    assert conflict["yours"]["justification"] == "Bo tak"  # yours = the current text + your change
