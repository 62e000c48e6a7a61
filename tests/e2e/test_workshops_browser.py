"""The workshop series in a real browser against a real server: a resident adds a need and an
idea answering it from the series page (without JavaScript too), another resident watching the
page sees them arrive without a reload, and the pipeline shows the demo's draft with ZZM's
review."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")
JAN = ("jan@example.pl", "mieszkaniec-demo", "Jan Zieliński")
ADMIN = ("admin@example.pl", "admin-demo-123", "Koordynatorka BO")


def demo_series(server) -> dict:
    status, body = call(http_client(), "GET", server.url + "/api/v1/workshops")
    assert status == 200, body
    return body["series"][0]


def test_needs_and_ideas_arrive_live_and_the_pipeline_shows_the_review(open_page, forum_server):
    series = demo_series(forum_server)
    path = f"/workshops/{series['id']}"
    jan = open_page(JAN, path)
    page = jan.locator("#workshop-series")
    expect(page).to_have_attribute("data-state", "live", timeout=WAIT_MS)
    jan.evaluate("window.notReloaded = true")
    # The demo's idea became a draft in review, which ZZM reviewed.
    drafts = jan.locator("#pipeline-lists")
    expect(drafts).to_contain_text("Drzewa przy piaskownicach")
    expect(drafts).to_contain_text("ZZM: Pozytywna")

    # Anna adds a need from the page, with JavaScript off: a plain form.
    anna = open_page(ANNA, path, javascript=False)
    anna.fill("#need-title", "Zacienione przystanki")
    anna.fill("#need-body", "Na przystankach latem nie ma gdzie się schować przed słońcem.")
    anna.locator("form[action$='/stages/1/threads'] button[type=submit]").click()
    anna.wait_for_url("**/threads/*")
    need = jan.locator("#needs-list .thread-line", has_text="Zacienione przystanki")
    expect(need).to_have_count(1, timeout=WAIT_MS)
    expect(need).to_contain_text("Żaden pomysł nie odpowiada jeszcze na tę potrzebę")

    # Her idea answering it arrives under the need.
    anna.goto(forum_server.url + path)
    anna.fill("#idea-title", "Wiaty z zielonymi dachami")
    anna.fill("#idea-body", "Wiaty przystankowe z roślinami na dachu dają cień i chłód.")
    anna.get_by_label("Zacienione przystanki").check()
    anna.locator("form[action$='/stages/2/threads'] button[type=submit]").click()
    anna.wait_for_url("**/threads/*")
    expect(need).to_contain_text("Wiaty z zielonymi dachami", timeout=WAIT_MS)

    # The coordinator marks a thread of the first workshop's room through the API.
    admin = http_client()
    call(
        admin,
        "POST",
        forum_server.url + "/api/v1/session",
        {"email": ADMIN[0], "password": ADMIN[1]},
    )
    room = series["stages"][0]["meeting"]["room"]["id"]
    status, body = call(
        admin,
        "POST",
        f"{forum_server.url}/api/v1/rooms/{room}/threads",
        {"title": "Toalety w parkach", "body": "W wielu parkach brakuje toalet."},
    )
    assert status == 201, body
    status, body = call(
        admin,
        "POST",
        f"{forum_server.url}/api/v1/workshops/{series['id']}/stages/1/items",
        {"thread_id": body["thread"]["id"]},
    )
    assert status == 201, body
    expect(jan.locator("#needs-list")).to_contain_text("Toalety w parkach", timeout=WAIT_MS)
    assert jan.evaluate("window.notReloaded") is True
