"""History and co-authors through the API, every answer checked against the document."""

import pytest

from forum.drafts.models import DraftAuthor
from tests.api.conftest import count
from tests.conftest import make_user
from tests.drafts.conftest import save


def error_of(response) -> dict:
    return response.get_json()["error"]


def test_revisions_are_listed_newest_first(api, anna, draft_id):
    save(anna, draft_id, note="Tytuł", title="Zielony skwer")
    body = api.get(f"/api/v1/drafts/{draft_id}/revisions").get_json()
    assert [r["number"] for r in body["revisions"]] == [2, 1]
    assert body["revisions"][0]["note"] == "Tytuł" and body["draft"]["version"] == 2
    assert body["meta"]["total"] == 2


def test_one_revision_has_its_fields_as_saved(api, anna, draft_id):
    save(anna, draft_id, title="Zielony skwer")
    body = api.get(f"/api/v1/drafts/{draft_id}/revisions/1").get_json()
    assert body["content"]["title"] == "Skwer przy Lipowej"
    assert api.get(f"/api/v1/drafts/{draft_id}/revisions/3").status_code == 404


def test_two_revisions_compared_word_by_word(api, anna, draft_id):
    save(anna, draft_id, title="Zielony skwer przy Lipowej")
    save(anna, draft_id, beneficiaries="Mieszkańcy i dzieci.")
    body = api.get(f"/api/v1/drafts/{draft_id}/compare?old=1&new=3").get_json()
    fields = {f["field"]: f for f in body["fields"]}
    assert [f["field"] for f in body["fields"] if f["changed"]] == ["title", "beneficiaries"]
    assert fields["title"]["segments"] == [
        {"op": "delete", "text": "Skwer"},
        {"op": "insert", "text": "Zielony skwer"},
        {"op": "equal", "text": " przy Lipowej"},
    ]
    assert fields["title"]["html"] == "<del>Skwer</del><ins>Zielony skwer</ins> przy Lipowej"
    assert fields["beneficiaries"]["html"] == "<ins>Mieszkańcy i dzieci.</ins>"
    assert (body["old"]["number"], body["new"]["number"]) == (1, 3)


def test_compare_defaults_to_the_last_change(api, anna, draft_id):
    save(anna, draft_id, title="Nowy")
    body = api.get(f"/api/v1/drafts/{draft_id}/compare").get_json()
    assert (body["old"]["number"], body["new"]["number"]) == (1, 2)


@pytest.mark.parametrize("query", ["old=x", "new=0", "old=-1", "new=99999999999999999999999"])
def test_a_bad_revision_number_is_a_field_error(api, draft_id, query):
    response = api.get(f"/api/v1/drafts/{draft_id}/compare?{query}")
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["revisions", "compare", "revisions/1", "coauthors"])
def test_an_unknown_draft_is_not_found(api, path):
    assert api.get(f"/api/v1/drafts/424242/{path}").status_code == 404


def test_the_whole_co_author_path(api, anna, jan, draft_id):
    api.login(anna)
    response = api.post(f"/api/v1/drafts/{draft_id}/coauthors", json={"email": jan.email})
    assert response.status_code == 201
    body = response.get_json()
    assert [(a["user"]["display_name"], a["accepted"]) for a in body["authors"]] == [
        ("Anna", True),
        ("Jan", False),
    ]
    assert body["authors"][1]["invited_by"]["display_name"] == "Anna"
    assert body["authors"][1]["can_remove"] and not body["authors"][0]["can_remove"]
    assert body["can_invite"] and not body["can_leave"] and not body["invited"]

    api.logout()
    api.login(jan)
    body = api.get(f"/api/v1/drafts/{draft_id}/coauthors").get_json()
    assert body["invited"] and not body["can_invite"]
    body = api.post(f"/api/v1/drafts/{draft_id}/invitation", json={"answer": "accept"}).get_json()
    assert body["authors"][1]["accepted"] and body["can_leave"] and body["can_invite"]
    again = api.post(f"/api/v1/drafts/{draft_id}/invitation", json={"answer": "accept"})
    assert again.status_code == 409 and error_of(again)["code"] == "invitation_answered"

    body = api.delete(f"/api/v1/drafts/{draft_id}/coauthorship").get_json()
    assert [a["user"]["display_name"] for a in body["authors"]] == ["Anna"]


def test_declining_over_the_api(api, anna, jan, draft_id):
    api.login(anna)
    api.post(f"/api/v1/drafts/{draft_id}/coauthors", json={"email": jan.email})
    api.logout()
    api.login(jan)
    response = api.post(f"/api/v1/drafts/{draft_id}/invitation", json={"answer": "decline"})
    assert response.status_code == 200 and len(response.get_json()["authors"]) == 1


def test_removing_over_the_api(api, anna, jan, draft_id):
    api.login(anna)
    api.post(f"/api/v1/drafts/{draft_id}/coauthors", json={"email": jan.email})
    response = api.delete(f"/api/v1/drafts/{draft_id}/coauthors/{jan.id}")
    assert response.status_code == 200 and len(response.get_json()["authors"]) == 1
    response = api.delete(f"/api/v1/drafts/{draft_id}/coauthors/{anna.id}")
    assert response.status_code == 409 and error_of(response)["code"] == "first_author"
    assert api.delete(f"/api/v1/drafts/{draft_id}/coauthors/{jan.id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "nikt@example.pl"}, 422, "no_such_account"),
        ({"email": "nie adres"}, 422, "invalid"),
        ({"email": 5}, 422, "invalid"),
        ({}, 422, "invalid"),
    ],
)
def test_a_bad_invitation_changes_nothing(api, anna, draft_id, body, status, code):
    api.login(anna)
    response = api.post(f"/api/v1/drafts/{draft_id}/coauthors", json=body)
    assert (response.status_code, error_of(response)["code"]) == (status, code)
    assert "email" in error_of(response)["fields"]
    assert count(DraftAuthor) == 1


def test_a_guest_and_a_stranger_are_refused(api, anna, draft_id):
    ola = make_user("Ola")
    url = f"/api/v1/drafts/{draft_id}/coauthors"
    assert api.post(url, json={"email": ola.email}).status_code == 401
    api.login(ola)
    response = api.post(url, json={"email": ola.email})
    assert response.status_code == 403 and error_of(response)["code"] == "not_draft_author"
    response = api.post(f"/api/v1/drafts/{draft_id}/invitation", json={"answer": "accept"})
    assert response.status_code == 404
    assert api.delete(f"/api/v1/drafts/{draft_id}/coauthorship").status_code == 404
    assert count(DraftAuthor) == 1


def test_each_co_author_change_is_news_on_the_draft_stream(api, anna, jan, draft_id):
    def news() -> list[str]:
        body = api.get(f"/api/v1/streams/draft:{draft_id}/events?after=0").get_json()
        return [event["name"] for event in body["events"]]

    before = len(news())
    api.login(anna)
    api.post(f"/api/v1/drafts/{draft_id}/coauthors", json={"email": jan.email})
    assert news()[before:] == ["draft_updated"]
    api.logout()
    api.login(jan)
    api.post(f"/api/v1/drafts/{draft_id}/invitation", json={"answer": "accept"})
    api.delete(f"/api/v1/drafts/{draft_id}/coauthorship")
    assert news()[before:] == ["draft_updated"] * 3


def test_the_invited_hears_of_it_on_their_own_stream(api, anna, jan, draft_id):
    api.login(anna)
    api.post(f"/api/v1/drafts/{draft_id}/coauthors", json={"email": jan.email})
    api.logout()
    api.login(jan)
    body = api.get(f"/api/v1/streams/user:{jan.id}/events?after=0").get_json()
    notifications = [e for e in body["events"] if e["name"] == "notification"]
    assert notifications[-1]["data"]["notification"]["kind"] == "coauthor_invited"
    assert notifications[-1]["data"]["notification"]["draft"]["id"] == draft_id
