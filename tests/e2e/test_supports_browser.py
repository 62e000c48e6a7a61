"""In a real browser: supporting the demo's draft and taking it back without JavaScript, and
the printable BO form as print media and as a PDF."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORDS, browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect


def demo_draft(server) -> int:
    status, body = call(http_client(), "GET", server.url + "/api/v1/drafts")
    assert status == 200, body
    return next(d["id"] for d in body["drafts"] if d["title"].startswith("Stoły do gry"))


def test_withdraw_and_support_again_without_javascript(open_page, forum_server):
    draft_id = demo_draft(forum_server)
    anna = ("anna@example.pl", DEMO_PASSWORDS["anna@example.pl"])
    page = open_page(anna, f"/drafts/{draft_id}/supports", javascript=False)
    progress = page.locator("#supports progress")
    expect(progress).to_have_attribute("value", "4")
    page.click("#supports a[href*='/support/withdraw']")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{forum_server.url}/drafts/{draft_id}/supports")
    expect(progress).to_have_attribute("value", "3")
    page.click("#supports button[type=submit]")
    expect(progress).to_have_attribute("value", "4")
    expect(page.locator("#supports a[href*='/support/withdraw']")).to_be_visible()


def test_the_printable_form_prints_without_the_sites_frame(browser, forum_server):
    draft_id = demo_draft(forum_server)
    context = browser.new_context(locale="pl-PL")
    try:
        page = context.new_page()
        page.goto(f"{forum_server.url}/drafts/{draft_id}/print")
        expect(page.locator(".site-header")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator(".print-actions")).to_be_hidden()
        expect(page.locator(".bo-form h1")).to_be_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        context.close()
