"""Tag → the unit's queue, live → claim → the expert's reply → official answer, live at the
top of the thread, in a real browser against a real server."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")
EWA = ("ewa@example.pl", "ekspertka-demo", "Ewa Wiśniewska")  # an expert of ZZM
ZZM_QUEUE = "/units/1"  # ZZM is the first unit seeded


def annas_new_thread(server) -> int:
    anna = http_client()
    call(anna, "POST", server.url + "/api/v1/session", {"email": ANNA[0], "password": ANNA[1]})
    status, body = call(anna, "GET", server.url + "/api/v1/rooms")
    assert status == 200, body
    room = next(r["id"] for r in body["rooms"] if r["slug"] == "xiii-podgorze")
    status, body = call(
        anna,
        "POST",
        f"{server.url}/api/v1/rooms/{room}/threads",
        {"title": "Łąka kwietna przy Wiśle", "body": "Zamiast trawnika: łąka kwietna?"},
    )
    assert status == 201, body
    return body["thread"]["id"]


def test_a_thread_reaches_the_units_queue_live_and_gets_its_official_answer(
    open_page, forum_server
):
    thread_id = annas_new_thread(forum_server)
    ewa = open_page(EWA, ZZM_QUEUE)
    queue = ewa.locator("[data-unit-queue]")
    expect(queue).to_have_attribute("data-state", "live")
    ewa.evaluate("window.notReloaded = true")
    item = ewa.locator(".queue-item", has_text="Łąka kwietna przy Wiśle")
    expect(item).to_have_count(0)

    # Anna asks ZZM through the tagging form.
    anna = open_page(ANNA, f"/threads/{thread_id}/units")
    anna.get_by_label("ZZM: Zarząd Zieleni Miejskiej").check()
    anna.get_by_role("button", name="Zapisz jednostki").click()
    anna.wait_for_url(f"**/threads/{thread_id}")
    expect(anna.locator("#thread-units .tag-unit")).to_have_text(["ZZM"])

    # It arrives in ZZM's queue without a reload; Ewa takes it on.
    expect(item).to_have_count(1, timeout=WAIT_MS)
    assert ewa.evaluate("window.notReloaded") is True
    item.get_by_role("button", name="Zajmę się tym").click()
    ewa.wait_for_url(f"**{ZZM_QUEUE}")
    expect(item).to_contain_text("Zajmuje się: Ewa Wiśniewska")

    # Anna follows her thread live; Ewa answers and marks her reply as ZZM's answer.
    expect(anna.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)
    ewa.goto(f"{forum_server.url}/threads/{thread_id}")
    ewa.fill("#body", "ZZM: teren jest miejski, łąka kwietna jest możliwa.")
    ewa.locator("#reply-form button[type=submit]").click()  # sent over the socket
    reply = ewa.locator(".post", has_text="łąka kwietna jest możliwa").last
    expect(reply).to_be_visible()
    ewa.reload()  # the page as the server renders it: the expert's tools under the reply
    expect(reply.locator(".tag-expert-answer")).to_contain_text("ZZM")
    reply.get_by_role("button", name="Oznacz jako oficjalną odpowiedź ZZM").click()
    ewa.wait_for_url(f"**/threads/{thread_id}")
    expect(ewa.locator(".official-answer")).to_contain_text("łąka kwietna jest możliwa")

    answer = anna.locator("#thread-units .official-answer")
    expect(answer).to_contain_text("łąka kwietna jest możliwa", timeout=WAIT_MS)
    expect(answer).to_contain_text("Oficjalna odpowiedź: Zarząd Zieleni Miejskiej")
    expect(anna.locator(".tag-official")).to_have_count(1)
