"""The draft pages: the list, a draft's page, starting, editing (and its conflict page),
promotion and the request for it, the thread's banner; the inbox's links to drafts."""

import re

import pytest

from forum.drafts import editing
from forum.drafts.models import Draft, DraftRevision
from forum.notifications.models import Notification
from tests.conftest import count, get, make_user, opening_of, run, update
from tests.drafts.conftest import area_id, category_id, logged_in, tag_thread


def edit_form(draft_id: int, version: int, **fields) -> dict:
    """The edit form as a browser sends it, with the given fields changed."""
    form = {
        "version": str(version),
        "kind": "district",
        "title": "Ławki na Zabłociu",
        "short_description": "",
        "category_id": "",
        "area_id": str(area_id()),
        "locations": "",
        "description": "",
        "justification": "",
        "beneficiaries": "",
        "note": "",
    }
    form.update(fields)
    return form


def test_the_list_shows_drafts_and_filters_by_status(client, own_draft, anna):
    run(editing.start_own_draft, anna, area_id("city"), {"title": "Rowery miejskie"})
    update(Draft, own_draft.id, status="in_review")
    page = client.get("/drafts").get_data(as_text=True)
    assert "Ławki na Zabłociu" in page and "Rowery miejskie" in page
    page = client.get("/drafts?status=in_review").get_data(as_text=True)
    assert "Ławki na Zabłociu" in page and "Rowery miejskie" not in page
    assert client.get("/drafts?status=nonsense").status_code == 404
    assert client.get("/drafts?page=0").status_code == 404


def test_the_list_offers_starting_a_draft_to_residents_only(client, anna):
    assert 'href="/drafts/new"' not in client.get("/drafts").get_data(as_text=True)
    assert 'href="/drafts/new"' in logged_in(client.application, anna).get("/drafts").get_data(
        as_text=True
    )


def test_the_draft_page_shows_the_fields_what_is_missing_and_the_source(
    app, client, thread, promoted, anna
):
    tag = make_user("Kto", role="ambassador", scope="XIII")
    tag_thread(thread.id, "ZZM", tag)
    page = client.get(f"/drafts/{promoted.id}").get_data(as_text=True)
    assert "<h1" in page and "Skwer przy Lipowej" in page
    assert "Czego jeszcze wymaga BO" in page and "Wybierz kategorię." in page
    assert f'href="/threads/{thread.id}"' in page
    assert opening_of(thread.id).body_html in page  # the cited opening post
    assert "Piotr" in page and "Anna" in page  # the author and the thread's author
    assert 'data-live="draft:' in page
    assert "/edit" not in page  # a guest gets no edit link
    assert f'href="/drafts/{promoted.id}/edit"' in logged_in(app, anna).get(
        f"/drafts/{promoted.id}"
    ).get_data(as_text=True)


def test_a_missing_draft_is_404(client):
    assert client.get("/drafts/987654").status_code == 404
    assert client.get("/drafts/987654/edit").status_code == 404


def test_a_cited_post_of_a_restricted_room_is_not_shown(client, thread, promoted):
    update(type(thread).room.property.mapper.class_, thread.room_id, is_public=False)
    page = client.get(f"/drafts/{promoted.id}").get_data(as_text=True)
    assert opening_of(thread.id).body_html not in page
    assert f'href="/threads/{thread.id}"' not in page
    assert "Powstał z rozmowy, której nie możesz czytać." in page


def test_starting_a_draft_from_the_form(app, anna):
    client = logged_in(app, anna)
    form = client.get("/drafts/new").get_data(as_text=True)
    assert 'name="area_id"' in form and 'name="title"' in form
    answer = client.post("/drafts/new", data={"title": "Rowery", "area_id": str(area_id())})
    assert answer.status_code == 302 and re.search(r"/drafts/\d+/edit$", answer.location)
    assert count(Draft) == 1


def test_starting_a_draft_with_bad_input_shows_the_form_again(app, anna):
    answer = logged_in(app, anna).post("/drafts/new", data={"title": " ", "area_id": "x"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Nadaj projektowi tytuł." in page and "Wybierz dzielnicę, osiedle" in page
    assert count(Draft) == 0


def test_a_guest_is_asked_to_log_in_to_start_a_draft(client):
    assert "/login" in client.get("/drafts/new").location


def test_the_edit_form_saves_a_new_revision(app, anna, own_draft):
    client = logged_in(app, anna)
    page = client.get(f"/drafts/{own_draft.id}/edit").get_data(as_text=True)
    assert 'value="Ławki na Zabłociu"' in page and 'name="cost_items-0-item"' in page
    answer = client.post(
        f"/drafts/{own_draft.id}/edit",
        data=edit_form(
            own_draft.id,
            1,
            category_id=str(category_id()),
            locations="ul. Lipowa 4\r\n\r\nPark Bednarskiego",
            description="Ławki\r\ni stoły",
            **{"cost_items-0-item": "Ławki", "cost_items-0-amount": "12 000 zł"},
            deliverable_in_year="yes",
            note="Koszty",
        ),
    )
    assert answer.status_code == 302 and answer.location.endswith(f"/drafts/{own_draft.id}")
    draft = get(Draft, own_draft.id)
    assert draft.version == 2 and draft.locations == ["ul. Lipowa 4", "Park Bednarskiego"]
    assert draft.cost_items == [{"item": "Ławki", "amount": 12_000}]
    assert draft.description == "Ławki\ni stoły" and draft.deliverable_in_year is True
    assert get(DraftRevision, 2).note == "Koszty"


def test_the_edit_form_shows_field_errors(app, anna, own_draft):
    answer = logged_in(app, anna).post(
        f"/drafts/{own_draft.id}/edit",
        data=edit_form(
            own_draft.id, 1, **{"cost_items-0-item": "Ławki", "cost_items-0-amount": "dużo"}
        ),
    )
    assert answer.status_code == 422
    assert "Każda kwota to całkowita liczba złotych" in answer.get_data(as_text=True)
    assert get(Draft, own_draft.id).version == 1


def test_a_category_not_on_the_list_is_refused(app, anna, own_draft):
    answer = logged_in(app, anna).post(
        f"/drafts/{own_draft.id}/edit", data=edit_form(own_draft.id, 1, category_id="zieleń")
    )
    assert answer.status_code == 422 and "Wybierz kategorię z listy." in answer.get_data(
        as_text=True
    )


def test_over_the_allocation_is_said_on_the_form(app, anna, own_draft):
    answer = logged_in(app, anna).post(
        f"/drafts/{own_draft.id}/edit",
        data=edit_form(
            own_draft.id, 1, **{"cost_items-0-item": "Most", "cost_items-0-amount": "9000000"}
        ),
    )
    assert answer.status_code == 422 and "przekracza pulę" in answer.get_data(as_text=True)


def test_a_stale_form_comes_back_with_both_texts(app, anna, own_draft):
    run(editing.edit_draft, anna, own_draft.id, {"title": "Ławki i stoły"}, 1)
    answer = logged_in(app, anna).post(
        f"/drafts/{own_draft.id}/edit",
        data=edit_form(own_draft.id, 1, title="Ławki nad Wisłą"),
    )
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert 'value="Ławki nad Wisłą"' in page  # your words, in the form
    assert "Ławki i stoły" in page  # the current ones, beside them
    assert 'name="version" type="hidden" value="2"' in page  # saving again is based on them
    assert get(Draft, own_draft.id).title == "Ławki i stoły"


def test_unchanged_form_saves_nothing(app, anna, own_draft):
    answer = logged_in(app, anna).post(f"/drafts/{own_draft.id}/edit", data=edit_form(1, 1))
    assert answer.status_code == 302 and count(DraftRevision) == 1


def test_a_non_author_gets_no_edit_form(app, jan, own_draft):
    assert logged_in(app, jan).get(f"/drafts/{own_draft.id}/edit").status_code == 403


def test_a_closed_draft_says_so_instead_of_the_form(app, anna, own_draft):
    update(Draft, own_draft.id, status="withdrawn")
    answer = logged_in(app, anna).get(f"/drafts/{own_draft.id}/edit")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "nie można go już zmieniać" in page
    assert 'name="title"' not in page


def test_words_of_a_draft_are_shown_escaped(app, client, thread, piotr, anna, promoted):
    run(editing.edit_draft, piotr, promoted.id, {"title": "<b>Skwer</b>"}, 1)
    for path in (f"/drafts/{promoted.id}", f"/threads/{thread.id}", "/drafts"):
        page = client.get(path).get_data(as_text=True)
        assert "<b>Skwer</b>" not in page and "&lt;b&gt;Skwer&lt;/b&gt;" in page, path


def test_promoting_from_the_form_cites_the_chosen_posts(app, thread, piotr, jan):
    from forum.discussion import services as discussion

    reply = run(discussion.create_reply, jan, thread.id, "Popieram, tylko bez betonu.")
    client = logged_in(app, piotr)
    form = client.get(f"/threads/{thread.id}/promote").get_data(as_text=True)
    assert 'value="Skwer przy Lipowej"' in form and f'id="cite-{reply.id}"' in form
    answer = client.post(
        f"/threads/{thread.id}/promote",
        data={"title": "Zielony skwer", "source_post_ids": [str(reply.id)]},
    )
    assert answer.status_code == 302
    draft = get(Draft, int(answer.location.rsplit("/", 1)[1]))
    assert draft.title == "Zielony skwer" and draft.source_thread_id == thread.id
    assert "Popieram, tylko bez betonu." in client.get(answer.location).get_data(as_text=True)


def test_a_bad_citation_shows_the_form_again(app, thread, piotr):
    answer = logged_in(app, piotr).post(
        f"/threads/{thread.id}/promote", data={"title": "X", "source_post_ids": ["junk"]}
    )
    assert answer.status_code == 422 and count(Draft) == 0


def test_a_resident_may_not_promote(app, thread, jan):
    assert logged_in(app, jan).get(f"/threads/{thread.id}/promote").status_code == 403


@pytest.mark.parametrize(
    ("who", "offered"),
    [("piotr", "promote"), ("anna", "request-promotion"), ("jan", None)],
)
def test_the_thread_offers_promotion_by_role(app, thread, piotr, anna, jan, who, offered):
    user = {"piotr": piotr, "anna": anna, "jan": jan}[who]
    page = logged_in(app, user).get(f"/threads/{thread.id}").get_data(as_text=True)
    banner = page.split('id="draft-banner"')[1].split("</div>")[0]
    for action in ("promote", "request-promotion"):
        assert (f"/threads/{thread.id}/{action}" in banner) == (action == offered)


def test_the_banner_shows_the_draft_and_its_status(client, thread, promoted):
    update(Draft, promoted.id, status="in_review")
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    banner = page.split('id="draft-banner"')[1].split("</div>")[0]
    assert f'href="/drafts/{promoted.id}"' in banner and "w ocenie" in banner


def test_asking_for_promotion_from_the_thread(app, thread, anna, piotr):
    client = logged_in(app, anna)
    answer = client.post(f"/threads/{thread.id}/request-promotion")
    assert answer.status_code == 302 and answer.location.endswith("#draft-banner")
    assert count(Notification, Notification.kind == "promotion_requested") == 1
    assert "trafiła do 1 ambasadora" in client.get(answer.location).get_data(as_text=True)


def test_draft_notifications_open_the_draft(app, thread, anna, promoted):
    client = logged_in(app, anna)
    inbox = client.get("/notifications").get_data(as_text=True)
    [link] = re.findall(r'href="(/notifications/\d+)"', inbox)
    answer = client.get(link)
    assert answer.status_code == 302 and answer.location.endswith(f"/drafts/{promoted.id}")


def test_a_promotion_request_opens_the_thread(app, thread, anna, piotr):
    logged_in(app, anna).post(f"/threads/{thread.id}/request-promotion")
    client = logged_in(app, piotr)
    inbox = client.get("/notifications").get_data(as_text=True)
    [link] = re.findall(r'href="(/notifications/\d+)"', inbox)
    assert client.get(link).location.endswith(f"/threads/{thread.id}")
