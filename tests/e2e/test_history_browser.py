"""A draft's co-authors and history in a real browser: invited by e-mail, the invitation
followed from the inbox and accepted, two revisions compared, and leaving without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import browser_api, call, logged_in

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

ANNA = ("anna@example.pl", "mieszkanka-demo")
TOMASZ = ("tomasz@example.pl", "mieszkaniec2-demo")  # the demo draft's first author


def demo_draft(server) -> int:
    """The demo's draft with a history: Piotr is invited to it."""
    status, body = call(
        logged_in(server, "piotr@example.pl"), "GET", server.url + "/api/v1/notifications"
    )
    assert status == 200, body
    return next(n for n in body["notifications"] if n["kind"] == "coauthor_invited")["draft"]["id"]


def test_an_invitation_accepted_from_the_inbox_then_left(open_page, forum_server):
    draft = demo_draft(forum_server)
    tomasz = open_page(TOMASZ, f"/drafts/{draft}/coauthors")
    tomasz.fill("#email", "anna@example.pl")
    tomasz.get_by_role("button", name="Wyślij zaproszenie").click()
    expect(tomasz.locator(".flashes")).to_contain_text("Anna Nowak ma zaproszenie")
    expect(tomasz.locator(".draft-authors")).to_contain_text("zaproszenie bez odpowiedzi")

    anna = open_page(ANNA, "/notifications")
    anna.get_by_role("link", name=re.compile("zaprasza Cię do współautorstwa")).click()
    anna.wait_for_url(f"**/drafts/{draft}/coauthors")
    anna.get_by_role("button", name="Przyjmij").click()
    expect(anna.locator(".flashes")).to_contain_text("Należysz teraz do autorów")

    # The history: the first and the third revision compared, chosen on the list.
    anna.goto(f"{forum_server.url}/drafts/{draft}/revisions")
    anna.get_by_label("Porównaj od wersji 1").check()
    anna.get_by_label("Porównaj do wersji 3").check()
    anna.get_by_role("button", name="Porównaj wybrane wersje").click()
    anna.wait_for_url(re.compile(r".*/compare\?.*"))
    expect(anna.locator("h1")).to_have_text("Porównanie wersji 1 i wersji 3")
    expect(anna.locator("#diff-title + .diff del")).to_contain_text("przy Wiśle")
    expect(anna.locator("#diff-title + .diff ins")).to_contain_text("zieleń na bulwarze")

    # Leaving asks first, and works without JavaScript.
    plain = open_page(ANNA, f"/drafts/{draft}/coauthors", javascript=False)
    plain.get_by_role("link", name="Odejdź z tego projektu").click()
    plain.get_by_role("button", name="Odejdź z projektu").click()
    expect(plain.locator(".flashes")).to_contain_text("Nie należysz już do autorów")
    expect(plain.locator(".draft-authors")).not_to_contain_text("Anna Nowak")
