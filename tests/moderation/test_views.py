"""Moderation pages: confirmation pages that work without JavaScript, forms that say what is
wrong, the mutes page, the public logs, and what residents do not see."""

import pytest

from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.moderation import services as moderation
from forum.moderation.models import ModerationEntry, Mute
from tests.conftest import count, get, make_user, room_by_slug, room_of, run


@pytest.fixture
def as_amb13(client, auth, amb13):
    auth.login(amb13)
    return client


def test_hiding_through_its_confirmation_page(as_amb13, thread, reply):
    page = as_amb13.get(f"/posts/{reply.id}/hide")
    assert page.status_code == 200
    assert 'name="reason"' in page.text and 'method="post"' in page.text
    done = as_amb13.post(f"/posts/{reply.id}/hide", data={"reason": "Obelgi"})
    assert done.status_code == 302 and done.location == f"/posts/{reply.id}"  # its slice
    assert get(Post, reply.id).hidden_reason == "Obelgi"
    restored = as_amb13.post(f"/posts/{reply.id}/restore")
    assert restored.status_code == 302 and not get(Post, reply.id).is_hidden


@pytest.mark.parametrize("reason", ["", "  ", "ab"])
def test_an_empty_reason_is_a_422_with_the_form_again(as_amb13, reply, reason):
    page = as_amb13.post(f"/posts/{reply.id}/hide", data={"reason": reason})
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text and 'name="reason"' in page.text
    assert not get(Post, reply.id).is_hidden and count(ModerationEntry) == 0


def test_lock_through_its_page_and_unlock_pin_unpin_by_button(as_amb13, thread):
    assert as_amb13.get(f"/threads/{thread.id}/lock").status_code == 200
    assert as_amb13.post(f"/threads/{thread.id}/lock", data={"reason": ""}).status_code == 302
    assert get(Thread, thread.id).is_locked
    again = as_amb13.post(f"/threads/{thread.id}/lock", data={"reason": ""})
    assert again.status_code == 409 and 'role="alert"' in again.text
    assert as_amb13.post(f"/threads/{thread.id}/unlock").status_code == 302
    assert as_amb13.post(f"/threads/{thread.id}/pin").status_code == 302
    assert get(Thread, thread.id).pinned
    assert as_amb13.post(f"/threads/{thread.id}/unpin").status_code == 302
    assert not get(Thread, thread.id).pinned and not get(Thread, thread.id).is_locked


def test_move_through_its_page_offers_the_districts_rooms(as_amb13, thread):
    page = as_amb13.get(f"/threads/{thread.id}/move")
    zablocie = room_by_slug("zablocie")
    assert f'value="{zablocie.id}"' in page.text and f'value="{room_of("I").id}"' not in page.text
    empty = as_amb13.post(f"/threads/{thread.id}/move", data={"room_id": ""})
    assert empty.status_code == 422
    elsewhere = as_amb13.post(f"/threads/{thread.id}/move", data={"room_id": room_of("I").id})
    assert elsewhere.status_code == 422 and get(Thread, thread.id).room_id == room_of("XIII").id
    moved = as_amb13.post(f"/threads/{thread.id}/move", data={"room_id": zablocie.id})
    assert moved.status_code == 302 and get(Thread, thread.id).room_id == zablocie.id


def test_mute_through_its_page_list_and_lift(as_amb13, jan):
    room = room_of("XIII")
    page = as_amb13.get(f"/rooms/{room.id}/mutes/new?user_id={jan.id}")
    assert page.status_code == 200 and "Jan" in page.text and 'name="minutes"' in page.text
    for minutes in ("60", "1440", "10080", "43200"):
        assert f'value="{minutes}"' in page.text
    no_reason = as_amb13.post(
        f"/rooms/{room.id}/mutes/new", data={"user_id": jan.id, "minutes": "60", "reason": ""}
    )
    assert no_reason.status_code == 422 and count(Mute) == 0
    done = as_amb13.post(
        f"/rooms/{room.id}/mutes/new",
        data={"user_id": jan.id, "minutes": "1440", "reason": "Spam"},
    )
    assert done.status_code == 302
    listing = as_amb13.get(f"/rooms/{room.id}/mutes")
    assert "Jan" in listing.text and "Spam" in listing.text
    mute_id = run(moderation.room_mutes, make_user("Admin", role="admin"), room.id)[1].items[0].id
    assert as_amb13.post(f"/mutes/{mute_id}/lift").status_code == 302
    assert "Spam" not in as_amb13.get(f"/rooms/{room.id}/mutes").text


def test_muting_a_moderator_says_why_in_the_form(as_amb13):
    other = make_user("Inna ambasadorka", role="ambassador", scope="XIII")
    page = as_amb13.post(
        f"/rooms/{room_of('XIII').id}/mutes/new",
        data={"user_id": other.id, "minutes": "60", "reason": "Powód"},
    )
    assert page.status_code == 409 and 'role="alert"' in page.text


def test_a_muted_person_sees_the_refusal_in_each_form(client, auth, thread, jan, amb13):
    own = run(services.create_reply, jan, thread.id, "Moje słowa")
    run(moderation.mute, amb13, room_of("XIII").id, jan.id, 60, "Spam")
    auth.login(jan)
    room = room_of("XIII")
    for answer in [
        client.post(f"/threads/{thread.id}/replies", data={"body": "Dalej"}),
        client.post(f"/rooms/{room.id}/threads", data={"title": "Nowy wątek", "body": "Treść"}),
        client.post(f"/posts/{own.id}/edit", data={"body": "Zmiana"}),
        client.get(f"/posts/{own.id}/edit"),
    ]:
        assert answer.status_code == 403
        assert 'role="alert"' in answer.text and "<form" in answer.text
    assert get(Post, own.id).body_source == "Moje słowa"


def test_deleting_ones_post_asks_first(client, auth, thread, reply, jan):
    auth.login(jan)
    page = client.get(f"/threads/{thread.id}")
    assert f'href="/posts/{reply.id}/delete"' in page.text
    confirm = client.get(f"/posts/{reply.id}/delete")
    assert confirm.status_code == 200 and 'method="post"' in confirm.text
    assert not get(Post, reply.id).is_deleted
    assert client.post(f"/posts/{reply.id}/delete").status_code == 302
    assert get(Post, reply.id).is_deleted


def test_nobody_else_gets_the_delete_confirmation(client, auth, reply, anna):
    auth.login(anna)
    assert client.get(f"/posts/{reply.id}/delete").status_code == 403


def test_moderators_see_their_controls_residents_do_not(client, auth, thread, reply, anna, amb13):
    controls = [
        f"/posts/{reply.id}/hide",
        f"/threads/{thread.id}/lock",
        f"/threads/{thread.id}/pin",
        f"/threads/{thread.id}/move",
        f"/rooms/{room_of('XIII').id}/mutes/new?user_id=",
    ]
    auth.login(anna)
    page = client.get(f"/threads/{thread.id}").text
    assert not any(url in page for url in controls)
    assert (
        f"/rooms/{room_of('XIII').id}/mutes" not in client.get(f"/rooms/{room_of('XIII').id}").text
    )
    auth.logout()
    auth.login(amb13)
    page = client.get(f"/threads/{thread.id}").text.replace("&amp;", "&")
    assert all(url in page for url in controls)
    room_page = client.get(f"/rooms/{room_of('XIII').id}").text
    assert f"/rooms/{room_of('XIII').id}/mutes" in room_page


def test_the_public_logs(client, thread, reply, amb13):
    run(moderation.hide_post, amb13, reply.id, "Obelgi")
    run(moderation.lock_thread, amb13, thread.id, "Wyczerpany temat")
    room = room_of("XIII")
    room_page = client.get(f"/rooms/{room.id}")
    assert f"/rooms/{room.id}/moderation-log" in room_page.text
    for url in (f"/rooms/{room.id}/moderation-log", f"/areas/{room.area_id}/moderation-log"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Obelgi" in page.text and "Wyczerpany temat" in page.text and "Piotr" in page.text
        assert "Odpowiedź Jana" not in page.text
        assert f"/posts/{reply.id}" in page.text  # the slice of the thread that holds it
        assert page.text.index("Wyczerpany temat") < page.text.index("Obelgi")  # newest first
    assert client.get("/rooms/999999/moderation-log").status_code == 404
    assert client.get("/areas/999999/moderation-log").status_code == 404


def test_a_restricted_rooms_log_looks_missing(client, anna):
    room = room_by_slug("zablocie")
    from tests.conftest import update

    update(type(room), room.id, is_public=False)
    assert client.get(f"/rooms/{room.id}/moderation-log").status_code == 404


def test_a_refused_button_goes_back_with_the_reason_never_off_site(as_amb13, thread):
    answer = as_amb13.post(
        f"/threads/{thread.id}/unlock", headers={"Referer": "https://evil.example/x"}
    )
    assert answer.status_code == 303 and "evil.example" not in answer.location
    assert as_amb13.get(answer.location).status_code == 200


def test_a_muted_person_is_told_on_the_room_and_thread_pages(client, auth, thread, jan, amb13):
    run(moderation.mute, amb13, room_of("XIII").id, jan.id, 60, "Spam")
    auth.login(jan)
    for url in (f"/threads/{thread.id}", f"/rooms/{room_of('XIII').id}"):
        page = client.get(url)
        assert page.status_code == 200 and 'id="muted-note"' in page.text
    assert 'id="muted-note"' not in client.get(f"/rooms/{room_by_slug('zablocie').id}").text
