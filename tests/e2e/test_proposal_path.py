"""The whole path from a discussion to a budget proposal, in a real browser against a real
server, each person in their own browser: Anna starts a thread and asks ZZM to look at it; Ewa,
ZZM's expert, answers officially; Piotr, the ambassador, promotes it; Anna fills in BO's fields
and sends it for review; Ewa reviews it and proposes a change; Anna accepts it; the draft is
revised, Piotr marks it ready, and it prints in the BO form's layout."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import browser_api, podgorze_room

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")  # resident of XIII Podgórze
PIOTR = ("piotr@example.pl", "ambasador-demo", "Piotr Kowalski")  # its ambassador
EWA = ("ewa@example.pl", "ekspertka-demo", "Ewa Wiśniewska")  # an expert of ZZM

SHORT = (
    "Łąka kwietna zamiast trawnika na skarpie przy bulwarze: mniej koszenia, więcej owadów "
    "i cienia dla spacerowiczów."
)


def confirm(page, note: str = "") -> None:
    """Submit the confirmation page of a status move, with a note if given."""
    if note:
        page.fill("#message", note)
    page.locator("form.confirm button[type=submit]").click()


def test_a_discussion_becomes_a_reviewed_ready_printable_proposal(open_page, forum_server):
    # The discussion: Anna starts a thread in her district's room.
    anna = open_page(ANNA, f"/rooms/{podgorze_room(forum_server)}")
    anna.fill("#title", "Łąka kwietna na skarpie bulwaru")
    anna.fill("#body", "Skarpa przy bulwarze jest koszona co tydzień. Może łąka kwietna?")
    anna.locator("form.composer button[type=submit]").click()
    anna.wait_for_url(re.compile(r".*/threads/\d+$"))
    thread = anna.url.removeprefix(forum_server.url)

    # She asks ZZM to look at it.
    anna.goto(f"{forum_server.url}{thread}/units")
    anna.get_by_label("ZZM: Zarząd Zieleni Miejskiej").check()
    anna.get_by_role("button", name="Zapisz jednostki").click()
    anna.wait_for_url(f"**{thread}")
    expect(anna.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)

    # Ewa finds it in ZZM's queue, answers in the thread and marks it ZZM's official answer.
    ewa = open_page(EWA, "/units/1")
    ewa.locator(".queue-item", has_text="Łąka kwietna na skarpie bulwaru").get_by_role(
        "link", name="Łąka kwietna na skarpie bulwaru"
    ).click()
    ewa.wait_for_url(f"**{thread}")
    ewa.fill("#body", "ZZM: skarpa jest miejska, łąkę kwietną można tu założyć.")
    ewa.locator("#reply-form button[type=submit]").click()
    reply = ewa.locator(".post", has_text="łąkę kwietną można tu założyć").last
    expect(reply).to_be_visible(timeout=WAIT_MS)
    ewa.reload()
    reply.get_by_role("button", name="Oznacz jako oficjalną odpowiedź ZZM").click()
    ewa.wait_for_url(f"**{thread}")
    official = anna.locator("#thread-units .official-answer")
    expect(official).to_contain_text("łąkę kwietną można tu założyć", timeout=WAIT_MS)

    # Piotr promotes the thread, citing its opening post and Ewa's answer.
    piotr = open_page(PIOTR, f"{thread}/promote")
    for post in piotr.locator("input[name=source_post_ids]").all():
        post.check()
    piotr.locator("form.composer button[type=submit]").click()
    piotr.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft = piotr.url.removeprefix(forum_server.url)
    expect(piotr.locator(".cited-posts")).to_contain_text("łąkę kwietną można tu założyć")
    expect(piotr.locator(".draft-units")).to_contain_text("ZZM")
    # Anna's thread shows the draft live.
    expect(anna.locator(f'#draft-banner a[href="{draft}"]')).to_be_visible(timeout=WAIT_MS)

    # Anna, its first author, fills in what BO requires.
    anna.goto(f"{forum_server.url}{draft}/edit")
    anna.fill("#short_description", SHORT)
    anna.select_option("#category_id", label="Zieleń")
    anna.fill("#locations", "Skarpa bulwaru Podgórskiego przy Kładce Bernatka")
    anna.fill("#justification", "Mniej koszenia, więcej owadów, chłodniej latem.")
    anna.fill("#beneficiaries", "Spacerowicze, rowerzyści i sąsiedzi bulwaru.")
    anna.fill("#cost_items-0-item", "Przygotowanie gruntu i wysiew")
    anna.fill("#cost_items-0-amount", "45000")
    anna.fill("#cost_items-1-item", "Tablica informacyjna")
    anna.fill("#cost_items-1-amount", "3000")
    anna.check("input[name=deliverable_in_year][value=yes]")
    anna.locator("form.draft-form button[type=submit]").click()
    anna.wait_for_url(f"**{draft}")
    expect(anna.locator("#missing-heading")).to_have_count(0)

    # She sends it for review.
    anna.locator(f'a.button[href="{draft}/status/in_review"]').click()
    confirm(anna, "Prosimy ZZM o opinię.")
    anna.wait_for_url(f"**{draft}*")
    expect(anna.locator("#draft-status")).to_contain_text("w ocenie")

    # Ewa reviews it for ZZM and proposes a shorter title.
    ewa.goto(f"{forum_server.url}{draft}/reviews/new")
    ewa.check("input[name=opinion][value=needs_changes]")
    for point in ("site_city_owned", "within_cost_cap", "deliverable_in_year", "within_competence"):
        ewa.check(f"input[name={point}][value=yes]")
    ewa.fill("#body", "Dobry pomysł. Proponujemy krótszy tytuł.")
    ewa.select_option("#change_0-field", value="title")
    ewa.fill("#change_0-value", "Łąka kwietna na bulwarze")
    ewa.get_by_role("button", name="Opublikuj ocenę").click()
    ewa.wait_for_url(f"**{draft}/reviews#review-*")
    expect(ewa.locator(".review")).to_contain_text("Łąka kwietna na bulwarze")

    # Anna sees the review and accepts the change: a new revision with the new title.
    anna.goto(f"{forum_server.url}{draft}")
    reviews = anna.locator("#reviews")
    expect(reviews).to_contain_text("Dobry pomysł. Proponujemy krótszy tytuł.")
    reviews.get_by_role("button", name="Przyjmij: utwórz nową wersję").click()
    anna.wait_for_url(f"**{draft}*")
    expect(anna.locator("#draft-heading")).to_have_text("Łąka kwietna na bulwarze")

    # Revised by Anna, then marked ready by Piotr.
    anna.locator(f'a.button[href="{draft}/status/revised"]').click()
    confirm(anna)
    anna.wait_for_url(f"**{draft}*")
    piotr.goto(f"{forum_server.url}{draft}")
    piotr.locator(f'a.button[href="{draft}/status/ready"]').click()
    confirm(piotr, "Gotowe do złożenia.")
    piotr.wait_for_url(f"**{draft}*")
    expect(piotr.locator("#draft-status")).to_contain_text("gotowy do złożenia")
    expect(piotr.locator(f'a[href="{draft}/edit"]')).to_have_count(0)

    # The printable page: BO's form, complete, in its layout; it prints as a PDF.
    piotr.locator(".print-link a").click()
    piotr.wait_for_url(f"**{draft}/print")
    form = piotr.locator(".bo-form")
    expect(form.locator("#bo-title")).to_be_visible()
    expect(form).to_contain_text("Łąka kwietna na bulwarze")
    expect(form).to_contain_text(SHORT)
    expect(form).to_contain_text("48 000")
    expect(form.locator(".bo-missing")).to_have_count(0)
    piotr.emulate_media(media="print")
    expect(piotr.locator("header.site-header")).to_be_hidden()
    assert piotr.pdf(format="A4")[:4] == b"%PDF"
