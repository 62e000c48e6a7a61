"""The flag page under a post, the queue, the confirmation pages and the header's link."""

import re

import pytest

from forum.discussion.models import Post
from forum.flags import services
from forum.flags.models import Flag
from forum.notifications.models import Notification
from tests.conftest import count, get, run


def login(client, user):
    from tests.conftest import PASSWORD

    client.post("/login", data={"email": user.email, "password": PASSWORD})


def thread_page(client, post):
    return client.get(f"/threads/{post.thread_id}").get_data(as_text=True)


def test_the_report_link_is_for_those_who_may_flag(client, post, jan, author):
    link = f'href="/posts/{post.id}/flag"'
    assert link not in thread_page(client, post)  # a guest
    login(client, author)
    assert link not in thread_page(client, post)  # one's own post
    login(client, jan)
    assert link in thread_page(client, post)


def test_a_resident_flags_through_the_form(client, post, jan):
    login(client, jan)
    page = client.get(f"/posts/{post.id}/flag")
    assert page.status_code == 200
    assert "Kupcie auta!" in page.get_data(as_text=True)
    sent = client.post(f"/posts/{post.id}/flag", data={"reason": "spam", "text": "Reklama"})
    assert sent.status_code == 302 and sent.location == f"/posts/{post.id}"
    flag = get(Flag, 1)
    assert (flag.reason, flag.text, flag.flagger_id) == ("spam", "Reklama", jan.id)
    # A second time: the page says so, and the form is gone.
    again = client.get(f"/posts/{post.id}/flag").get_data(as_text=True)
    assert "został już przez ciebie zgłoszony" in again and 'name="reason"' not in again
    resent = client.post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert resent.status_code == 409 and count(Flag) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "reason"), ({"reason": "nope"}, "reason"), ({"reason": "other"}, "text")],
)
def test_a_wrong_form_comes_back_with_the_message(client, post, jan, data, field):
    login(client, jan)
    page = client.post(f"/posts/{post.id}/flag", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert "Wybierz powód z listy." in html or "Napisz w kilku słowach" in html
    assert count(Flag) == 0


def test_who_may_not_open_the_flag_page(client, post, author):
    assert client.get(f"/posts/{post.id}/flag").status_code == 302  # to the login
    login(client, author)
    assert client.get(f"/posts/{post.id}/flag").status_code == 409
    assert client.get("/posts/999999/flag").status_code == 404


def moderation_link(page: str):
    found = re.search(r'id="moderation-link".*?data-count="(\d+)"', page, re.S)
    return int(found.group(1)) if found else None


def test_the_moderation_link_and_its_count(client, post, jan, ola, piotr, marek, admin):
    run(services.flag_post, jan, post.id, "spam")
    run(services.flag_post, ola, post.id, "spam")
    for user, expected in ((jan, None), (piotr, 2), (admin, 2), (marek, 0)):
        login(client, user)
        assert moderation_link(client.get("/").get_data(as_text=True)) == expected, user
    client.post("/logout")
    assert moderation_link(client.get("/").get_data(as_text=True)) is None


def test_the_queue_page(client, post, jan, ola, piotr, marek):
    run(services.flag_post, jan, post.id, "offensive", "Obraża")
    login(client, piotr)
    page = client.get("/moderation").get_data(as_text=True)
    assert "Kupcie auta!" in page and "Obraża" in page and "Jan" in page
    assert "needs-attention" not in page
    run(services.flag_post, ola, post.id, "spam")
    page = client.get("/moderation").get_data(as_text=True)
    assert "needs-attention" in page
    assert f"/moderation/posts/{post.id}/dismiss" in page
    assert f"/moderation/posts/{post.id}/hide" in page
    login(client, marek)
    assert "Kupcie auta!" not in client.get("/moderation").get_data(as_text=True)
    login(client, jan)
    assert client.get("/moderation").status_code == 403
    client.post("/logout")
    assert client.get("/moderation").status_code == 302


def test_the_queue_shows_a_hidden_posts_words_to_the_moderator(client, post, jan, piotr):
    from forum.moderation import services as moderation

    run(services.flag_post, jan, post.id, "spam")
    run(moderation.hide_post, piotr, post.id, "Reklama")
    login(client, piotr)
    page = client.get("/moderation").get_data(as_text=True)
    assert "Kupcie auta!" in page and "Reklama" in page


def test_dismissing_asks_first_then_does_it(client, post, jan, piotr):
    run(services.flag_post, jan, post.id, "spam")
    login(client, piotr)
    confirm = client.get(f"/moderation/posts/{post.id}/dismiss")
    assert confirm.status_code == 200 and 'name="note"' in confirm.get_data(as_text=True)
    assert get(Flag, 1).is_open  # asking changed nothing
    done = client.post(f"/moderation/posts/{post.id}/dismiss", data={"note": "W porządku"})
    assert done.status_code == 302 and done.location.endswith("/moderation")
    assert get(Flag, 1).outcome == "dismissed"
    assert client.get(f"/moderation/posts/{post.id}/dismiss").status_code == 409


def test_hiding_asks_first_then_does_it(client, post, jan, piotr):
    run(services.flag_post, jan, post.id, "spam")
    login(client, piotr)
    assert client.get(f"/moderation/posts/{post.id}/hide").status_code == 200
    refused = client.post(f"/moderation/posts/{post.id}/hide", data={"reason": ""})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.get_data(as_text=True)
    assert not get(Post, post.id).is_hidden
    done = client.post(f"/moderation/posts/{post.id}/hide", data={"reason": "Reklama"})
    assert done.status_code == 302
    assert get(Post, post.id).hidden_reason == "Reklama"
    assert get(Flag, 1).outcome == "hidden"
    assert count(Notification, Notification.kind == "flag_upheld") == 1


@pytest.mark.parametrize("action", ["dismiss", "hide"])
def test_others_may_not_resolve(client, post, jan, marek, action):
    run(services.flag_post, jan, post.id, "spam")
    for user in (marek, jan):
        login(client, user)
        assert client.get(f"/moderation/posts/{post.id}/{action}").status_code == 403
        sent = client.post(f"/moderation/posts/{post.id}/{action}", data={"reason": "Reklama"})
        assert sent.status_code == 403
    assert get(Flag, 1).is_open


def test_the_flagger_reads_the_outcome_in_the_inbox(client, post, jan, piotr):
    run(services.flag_post, jan, post.id, "spam")
    run(services.hide, piotr, post.id, "Reklama")
    login(client, jan)
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "wpis zgłoszony przez ciebie w wątku „Parking” został ukryty" in inbox
