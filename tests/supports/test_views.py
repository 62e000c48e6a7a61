"""The supports box, the support button and the withdrawal's confirmation page."""

from __future__ import annotations

from forum.drafts.models import Draft
from forum.supports.models import Support
from tests.conftest import count, make_user, update


def test_a_guest_sees_the_progress_and_a_login_link(client, district_draft):
    page = client.get(f"/drafts/{district_draft}/supports").get_data(as_text=True)
    assert "0 of 15 supporters from the district" in page
    assert 'max="15"' in page
    assert "Log in to support this draft." in page
    assert "Support this draft</button>" not in page


def test_a_resident_supports_and_is_sent_back(client, auth, district_draft):
    ola = make_user("Ola")
    auth.login(ola)
    back = f"/drafts/{district_draft}/supports"
    answer = client.post(f"/drafts/{district_draft}/support", data={"next": back})
    assert answer.status_code == 302 and answer.headers["Location"] == back
    page = client.get(back).get_data(as_text=True)
    assert "1 of 15 supporters from the district" in page
    assert "You support this draft." in page
    assert "Withdraw my support" in page


def test_an_outsider_is_told_their_support_is_counted_apart(client, auth, district_draft):
    auth.login(make_user("Kuba", home="I"))
    page = client.get(f"/drafts/{district_draft}/supports").get_data(as_text=True)
    assert "your support will be shown, not counted" in page
    client.post(f"/drafts/{district_draft}/support")
    page = client.get(f"/drafts/{district_draft}/supports").get_data(as_text=True)
    assert "it does not count toward the list BO requires" in page  # the flash
    assert "0 of 15 supporters" in page
    assert "Also supported by 1 person from elsewhere" in page


def test_supporting_twice_is_a_clear_conflict(client, auth, district_draft):
    auth.login(make_user("Ola"))
    client.post(f"/drafts/{district_draft}/support")
    answer = client.post(f"/drafts/{district_draft}/support")
    assert answer.status_code == 409
    assert "You support this draft already." in answer.get_data(as_text=True)
    assert count(Support) == 1


def test_an_off_site_next_is_not_followed(client, auth, district_draft):
    auth.login(make_user("Ola"))
    answer = client.post(
        f"/drafts/{district_draft}/support", data={"next": "https://evil.example/"}
    )
    assert answer.headers["Location"] == "/"


def test_withdrawing_asks_first_then_withdraws(client, auth, district_draft):
    auth.login(make_user("Ola"))
    client.post(f"/drafts/{district_draft}/support")
    confirm = client.get(f"/drafts/{district_draft}/support/withdraw")
    assert confirm.status_code == 200
    assert "Withdraw your support" in confirm.get_data(as_text=True)
    assert count(Support) == 1
    answer = client.post(f"/drafts/{district_draft}/support/withdraw")
    assert answer.status_code == 302
    assert count(Support) == 0


def test_nothing_to_withdraw_is_a_404(client, auth, district_draft):
    auth.login(make_user("Ola"))
    assert client.get(f"/drafts/{district_draft}/support/withdraw").status_code == 404
    assert client.post(f"/drafts/{district_draft}/support/withdraw").status_code == 404


def test_a_guest_posting_is_sent_to_log_in(client, district_draft):
    answer = client.post(f"/drafts/{district_draft}/support")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert count(Support) == 0


def test_a_withdrawn_draft_shows_no_button(client, auth, district_draft):
    update(Draft, district_draft, status="withdrawn")
    auth.login(make_user("Ola"))
    page = client.get(f"/drafts/{district_draft}/supports").get_data(as_text=True)
    assert "it takes no supports" in page
    assert client.post(f"/drafts/{district_draft}/support").status_code == 409


def test_a_city_wide_draft_needs_no_list(client, city_draft):
    page = client.get(f"/drafts/{city_draft}/supports").get_data(as_text=True)
    assert "needs no list of supporters" in page


def test_an_unknown_draft_is_a_404(client):
    assert client.get("/drafts/987654/supports").status_code == 404
