"""The status and review pages, and their forms, through the browser's client."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.drafts.models import Draft, DraftStatusChange
from forum.extensions import db
from forum.reviews.models import ProposedChange, Review
from tests.conftest import app_context, count, get, make_user
from tests.reviews.conftest import make_draft, open_change


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, as the assertions read them."""
    client.set_cookie("lang", "en")


@pytest.fixture
def anna(app):
    return make_user("Anna")


@pytest.fixture
def ewa(app):
    return make_user("Ewa", role="expert", scope="ZZM")


def test_the_status_page_offers_the_authors_moves_and_shows_the_history(client, auth, anna):
    draft_id = make_draft(anna)
    auth.login(anna)
    page = client.get(f"/drafts/{draft_id}/status")
    assert page.status_code == 200
    assert f'href="/drafts/{draft_id}/status/in_review"' in page.text
    assert f'href="/drafts/{draft_id}/status/withdrawn"' in page.text
    assert "started as a draft" in page.text


def test_guests_and_residents_see_no_moves(client, auth, anna):
    draft_id = make_draft(anna)
    assert "/status/in_review" not in client.get(f"/drafts/{draft_id}/status").text
    auth.login(make_user("Jan"))
    assert "/status/in_review" not in client.get(f"/drafts/{draft_id}/status").text


def test_a_move_asks_first_then_moves_and_goes_to_the_draft(client, auth, anna):
    draft_id = make_draft(anna)
    auth.login(anna)
    page = client.get(f"/drafts/{draft_id}/status/in_review")
    assert page.status_code == 200 and "Send for review" in page.text
    assert get(Draft, draft_id).status == "draft"
    answer = client.post(f"/drafts/{draft_id}/status/in_review", data={"message": "Prosimy."})
    assert answer.status_code == 302 and answer.location.endswith(f"/drafts/{draft_id}")
    assert get(Draft, draft_id).status == "in_review"
    with app_context():
        assert db.session.scalars(select(DraftStatusChange.message)).all()[-1] == "Prosimy."


def test_a_move_that_cannot_be_made_yet_says_why_with_no_button(client, auth, anna):
    draft_id = make_draft(anna, complete=False)
    auth.login(anna)
    page = client.get(f"/drafts/{draft_id}/status/in_review")
    assert "Short description" in page.text and 'type="submit"' not in page.text.split("<main")[1]
    answer = client.post(f"/drafts/{draft_id}/status/in_review", data={})
    assert answer.status_code == 422
    assert get(Draft, draft_id).status == "draft"
    status_page = client.get(f"/drafts/{draft_id}/status").text
    assert "Not yet:" in status_page


def test_a_move_one_may_not_make_is_refused(client, auth, anna):
    draft_id = make_draft(anna)
    auth.login(make_user("Jan"))
    assert client.get(f"/drafts/{draft_id}/status/in_review").status_code == 403
    assert client.post(f"/drafts/{draft_id}/status/in_review").status_code == 403
    assert client.get(f"/drafts/{draft_id}/status/ready").status_code == 409
    assert client.get(f"/drafts/{draft_id}/status/filed").status_code == 409
    assert client.get("/drafts/999999/status").status_code == 404
    assert get(Draft, draft_id).status == "draft"


COSTS = [{"item": "Drzewa", "amount": 120_000}, {"item": "Ławki", "amount": 20_000}]


def test_an_expert_writes_a_review_with_proposed_changes_in_the_form(client, auth, anna, ewa):
    draft_id = make_draft(anna, status="in_review")
    auth.login(ewa)
    form = client.get(f"/drafts/{draft_id}/reviews/new")
    assert form.status_code == 200 and "change_2-value" in form.text
    answer = client.post(
        f"/drafts/{draft_id}/reviews/new",
        data={
            "opinion": "needs_changes",
            "site_city_owned": "yes",
            "within_cost_cap": "no",
            "deliverable_in_year": "",
            "within_competence": "yes",
            "cost_remarks": "Za tanio.",
            "body": "Proszę urealnić koszty.",
            "change_0-field": "cost_items",
            "change_0-value": "Drzewa: 120 000 zł\nŁawki: 20000",
            "change_1-field": "deliverable_in_year",
            "change_1-value": "nie",
            "change_2-field": "",
            "change_2-value": "",
        },
    )
    assert answer.status_code == 302, answer.text
    with app_context():
        review = db.session.scalars(select(Review)).one()
        assert (review.site_city_owned, review.within_cost_cap) == (True, False)
        assert review.deliverable_in_year is None
        assert [(c.field, c.value) for c in review.changes] == [
            (
                "cost_items",
                [{"item": "Drzewa", "amount": 120_000}, {"item": "Ławki", "amount": 20_000}],
            ),
            ("deliverable_in_year", False),
        ]
    page = client.get(f"/drafts/{draft_id}/reviews")
    assert "Proszę urealnić koszty." in page.text and "Drzewa: 120 000 zł" in page.text


def test_a_wrong_review_form_comes_back_with_the_words_and_the_errors(client, auth, anna, ewa):
    draft_id = make_draft(anna, status="in_review")
    auth.login(ewa)
    answer = client.post(
        f"/drafts/{draft_id}/reviews/new",
        data={
            "opinion": "positive",
            "body": "Mój tekst recenzji.",
            "change_1-field": "cost_items",
            "change_1-value": "Drzewa za darmo",
        },
    )
    assert answer.status_code == 422
    assert "Mój tekst recenzji." in answer.text
    assert 'id="change_1-value-error"' in answer.text
    answer = client.post(
        f"/drafts/{draft_id}/reviews/new",
        data={"body": "Tekst.", "change_2-field": "title", "change_2-value": "x" * 201},
    )
    assert answer.status_code == 422
    assert 'id="opinion-error"' in answer.text and 'id="change_2-value-error"' in answer.text
    assert count(Review) == 0


def test_only_the_units_experts_get_the_review_form(client, auth, anna):
    draft_id = make_draft(anna, status="in_review")
    auth.login(make_user("Adam", role="expert", scope="ZDMK"))
    assert client.get(f"/drafts/{draft_id}/reviews/new").status_code == 403
    auth.login(anna)
    assert client.get(f"/drafts/{draft_id}/reviews/new").status_code == 403
    assert "Write a review" not in client.get(f"/drafts/{draft_id}/reviews").text


def test_the_authors_accept_and_decline_from_the_reviews(client, auth, anna, ewa):
    draft_id = make_draft(anna, status="revised", reviewer=ewa)
    title = open_change(draft_id, ewa, "title", "Zielony skwer")
    places = open_change(draft_id, ewa, "locations", ["ul. Lipowa 5"])
    page = client.get(f"/drafts/{draft_id}/reviews").text
    assert "Waiting for the authors" in page and "/accept" not in page
    auth.login(anna)
    page = client.get(f"/drafts/{draft_id}/reviews").text
    assert f"/proposed-changes/{title}/accept" in page
    answer = client.post(
        f"/proposed-changes/{title}/accept", data={"next": f"/drafts/{draft_id}#change-{title}"}
    )
    assert answer.status_code == 302 and answer.location.endswith(
        f"/drafts/{draft_id}#change-{title}"
    )
    assert get(Draft, draft_id).title == "Zielony skwer"
    answer = client.post(f"/proposed-changes/{places}/decline", data={"reason": ""})
    assert answer.status_code == 422 and 'id="reason-error"' in answer.text
    answer = client.post(
        f"/proposed-changes/{places}/decline", data={"reason": "Zostaje Lipowa 3."}
    )
    assert answer.status_code == 302
    assert get(ProposedChange, places).status == "declined"
    page = client.get(f"/drafts/{draft_id}/reviews").text
    assert "applied as revision 2" in page and "Zostaje Lipowa 3." in page


def test_a_change_that_cannot_be_applied_comes_back_with_why(client, auth, anna, ewa):
    draft_id = make_draft(anna, status="revised", reviewer=ewa)
    change_id = open_change(draft_id, ewa, "cost_items", [{"item": "Park", "amount": 5_000_000}])
    auth.login(anna)
    answer = client.post(f"/proposed-changes/{change_id}/accept")
    assert answer.status_code == 422 and "over the allocation" in answer.text
    assert get(ProposedChange, change_id).status == "open"
    auth.login(make_user("Jan"))
    assert client.post(f"/proposed-changes/{change_id}/accept").status_code == 403
    assert client.get(f"/proposed-changes/{change_id}").status_code == 200
    assert client.get("/proposed-changes/99999").status_code == 404


def test_the_next_address_never_leaves_the_site(client, auth, anna, ewa):
    draft_id = make_draft(anna, status="revised", reviewer=ewa)
    change_id = open_change(draft_id, ewa)
    auth.login(anna)
    answer = client.post(
        f"/proposed-changes/{change_id}/accept", data={"next": "https://example.com/x"}
    )
    assert answer.status_code == 302 and "example.com" not in answer.location


def test_the_form_says_when_the_unit_has_reviewed_this_revision(client, auth, anna, ewa):
    draft_id = make_draft(anna, status="in_review", reviewer=ewa)
    auth.login(ewa)
    page = client.get(f"/drafts/{draft_id}/reviews/new")
    assert "ZZM has reviewed this revision already" in page.text
    answer = client.post(
        f"/drafts/{draft_id}/reviews/new", data={"opinion": "positive", "body": "X"}
    )
    assert answer.status_code == 409 and "ZZM has reviewed this revision already" in answer.text


def reviews_page_queries(client, draft_id: int) -> int:
    from tests.discussion.test_queries import counted_queries

    with counted_queries() as statements:
        assert client.get(f"/drafts/{draft_id}/reviews").status_code == 200
    return len(statements)


def test_the_reviews_page_takes_as_many_queries_for_many_reviews_as_for_one(client, auth, anna):
    experts = [make_user(f"Ekspert {i}", role="expert", scope="ZZM") for i in range(3)]
    draft_id = make_draft(anna, status="revised", reviewer=experts[0])
    open_change(draft_id, experts[0])
    auth.login(anna)
    one = reviews_page_queries(client, draft_id)
    for expert in experts:
        for field, value in (("beneficiaries", "Wszyscy."), ("locations", ["Lipowa 7"])):
            open_change(draft_id, expert, field, value)
    many = reviews_page_queries(client, draft_id)
    assert many == one and many <= 25, (one, many)
