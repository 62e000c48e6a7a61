"""History and co-author pages, with CSRF on as in production."""

import re

import pytest
from flask import render_template_string
from flask_login import login_user

from forum.accounts.services import load_user
from forum.drafts import coauthors
from forum.drafts.models import DraftAuthor
from tests.conftest import app_context, count, make_user, run
from tests.discussion.test_views import csrf_token, post_form
from tests.drafts.conftest import draft_of, save


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


def login(client, user) -> None:
    post_form(client, "/login", "/login", email=user.email, password="correct horse battery")


def test_the_revision_list_links_each_change(client, anna, draft_id):
    save(anna, draft_id, note="Krótszy tytuł", title="Skwer")
    page = client.get(f"/drafts/{draft_id}/revisions")
    assert page.status_code == 200
    assert "Krótszy tytuł" in page.text
    assert f"/drafts/{draft_id}/compare?old=1&amp;new=2" in page.text
    assert 'name="new" value="2" id="new-2" checked' in page.text


def test_one_revision_shows_its_fields(client, anna, draft_id):
    save(anna, draft_id, title="Skwer", locations=["ul. Lipowa"])
    page = client.get(f"/drafts/{draft_id}/revisions/1")
    assert page.status_code == 200 and "Skwer przy Lipowej" in page.text
    assert "ul. Lipowa" in client.get(f"/drafts/{draft_id}/revisions/2").text
    assert client.get(f"/drafts/{draft_id}/revisions/3").status_code == 404


def test_the_comparison_marks_words_for_eyes_and_screen_readers(client, anna, draft_id):
    save(anna, draft_id, title="Zielony skwer przy Lipowej <b>")
    page = client.get(f"/drafts/{draft_id}/compare?old=1&new=2")
    assert page.status_code == 200
    assert re.search(r"<del><span class=\"visually-hidden\">\[usunięto: </span>Skwer<", page.text)
    assert "<ins>" in page.text and "&lt;b&gt;" in page.text and "<b>" not in page.text
    assert "Bez zmian:" in page.text


@pytest.mark.parametrize("query", ["old=9", "old=x", "new=0", "old=99999999999999999999999"])
def test_a_revision_that_is_not_there_is_a_404_page(client, draft_id, query):
    assert client.get(f"/drafts/{draft_id}/compare?{query}").status_code == 404


def test_the_co_author_path_through_the_pages(csrf_client, anna, jan, draft_id):
    client = csrf_client
    login(client, anna)
    page = client.get(f"/drafts/{draft_id}/coauthors")
    assert "Zaproś współautora" in page.text
    answer = post_form(
        client, f"/drafts/{draft_id}/coauthors", f"/drafts/{draft_id}/coauthors", email=jan.email
    )
    assert answer.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    login(client, jan)
    page = client.get(f"/drafts/{draft_id}/coauthors")
    assert "Twoje zaproszenie" in page.text
    answer = post_form(
        client,
        f"/drafts/{draft_id}/coauthors",
        f"/drafts/{draft_id}/invitation/accept",
    )
    assert answer.status_code == 302
    assert draft_of(draft_id).is_author(load_user_outside(jan))
    assert client.get(f"/drafts/{draft_id}/leave").status_code == 200
    answer = post_form(client, f"/drafts/{draft_id}/leave", f"/drafts/{draft_id}/leave")
    assert answer.status_code == 302
    assert count(DraftAuthor) == 1


def load_user_outside(user):
    with app_context():
        loaded = load_user(user.id)
        loaded.role_grants  # noqa: B018
        return loaded


def test_a_bad_address_comes_back_in_the_form(csrf_client, anna, draft_id):
    login(csrf_client, anna)
    url = f"/drafts/{draft_id}/coauthors"
    answer = post_form(csrf_client, url, url, email="nikt@example.pl")
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text and 'value="nikt@example.pl"' in answer.text
    assert count(DraftAuthor) == 1


def test_declining_and_removing_ask_first(csrf_client, anna, jan, draft_id):
    run(coauthors.invite, anna, draft_id, jan.email)
    login(csrf_client, anna)
    url = f"/drafts/{draft_id}/coauthors/{jan.id}/remove"
    assert "Wycofaj zaproszenie" in csrf_client.get(url).text
    assert post_form(csrf_client, url, url).status_code == 302
    assert count(DraftAuthor) == 1


def test_a_stranger_sees_no_controls_and_gets_no_confirmation_page(
    client, auth, anna, jan, draft_id
):
    run(coauthors.invite, anna, draft_id, make_user("Ola").email)
    auth.login(jan)
    page = client.get(f"/drafts/{draft_id}/coauthors").text
    assert "Zaproś" not in page and "Wycofaj" not in page and "Opuść" not in page
    assert client.get(f"/drafts/{draft_id}/leave").status_code == 404
    assert client.get(f"/drafts/{draft_id}/invitation/decline").status_code == 404
    assert client.get(f"/drafts/{draft_id}/coauthors/{anna.id}/remove").status_code == 403


def test_the_includes_for_the_draft_page(app, anna, jan, draft_id):
    run(coauthors.invite, anna, draft_id, jan.email)
    save(anna, draft_id, title="Skwer")
    with app.test_request_context():
        user = load_user(jan.id)
        login_user(user)
        html = render_template_string(
            '{% include "drafts/_history.html" %}{% include "drafts/_coauthors.html" %}',
            draft=coauthors.authors_of(user, draft_id),
        )
    assert f"/drafts/{draft_id}/revisions" in html and f"/drafts/{draft_id}/compare" in html
    assert "Masz zaproszenie do współautorstwa" in html
    assert f"/drafts/{draft_id}/invitation/accept" in html
    assert "Zaproś współautora" not in html


def test_an_invitation_in_the_inbox_opens_the_co_authors_page(client, auth, anna, jan, draft_id):
    run(coauthors.invite, anna, draft_id, jan.email)
    auth.login(jan)
    inbox = client.get("/notifications").text
    link = re.search(r'href="(/notifications/\d+)"', inbox).group(1)
    assert "zaprasza Cię do współautorstwa" in inbox
    assert client.get(link).headers["Location"] == f"/drafts/{draft_id}/coauthors"
