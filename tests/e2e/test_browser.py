"""Live pages in a real browser (Debian's Chromium driven by Playwright) against a real server."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import wait_until
from tests.e2e.conftest import browser_api, call, logged_in

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000  # for anything that arrives over the socket
THREAD = "/threads/1"  # the demo's "Więcej zieleni na Zabłociu", opened by Anna
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")
JAN = ("jan@example.pl", "mieszkaniec-demo", "Jan Zieliński")


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def both_here(anna, jan) -> None:
    """Wait until each page's socket has joined the thread: each sees the other here."""
    expect(anna.locator("#presence")).to_contain_text(JAN[2], timeout=WAIT_MS)
    expect(jan.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)


def test_reply_appears_nested_under_its_post_without_reload(open_page):
    anna, jan = open_page(ANNA, THREAD), open_page(JAN, THREAD)
    both_here(anna, jan)
    anna.evaluate("window.notReloaded = true")
    body = unique("Posadźmy lipy")

    jan.locator("#post-1 > article .reply-box summary").click()
    jan.fill("#reply-to-1", body)
    jan.locator("#post-1 > article .reply-box button[type=submit]").click()

    reply = anna.locator("#post-1 > ol.replies > li.post", has_text=body)
    expect(reply).to_be_visible(timeout=WAIT_MS)
    expect(reply.locator(".author").first).to_have_text(JAN[2])
    expect(reply.locator(".reply-box summary")).to_be_visible()  # Anna may answer it
    expect(reply.locator(".post-actions a[href$='/edit']")).to_have_count(0)  # not hers
    expect(anna.locator("#live-region")).to_contain_text(JAN[2], timeout=WAIT_MS)
    expect(anna.locator(".meta .reply-count")).to_have_attribute("data-count", "4")
    assert anna.evaluate("window.notReloaded") is True

    # Jan's form was sent over the socket: no reload, the box is empty, his post has Edit.
    expect(jan.locator("#reply-to-1")).to_have_value("")
    mine = jan.locator("#post-1 > ol.replies > li.post", has_text=body)
    expect(mine.locator(".post-actions a[href$='/edit']")).to_have_count(1, timeout=WAIT_MS)


def test_composer_shows_the_servers_error_next_to_the_form(open_page):
    jan = open_page(JAN, THREAD)
    expect(jan.locator("#presence")).to_contain_text(JAN[2], timeout=WAIT_MS)
    jan.fill("#body", "   ")
    jan.locator("#reply-form button[type=submit]").click()
    expect(jan.locator("#body-error")).to_be_visible(timeout=WAIT_MS)
    expect(jan.locator("#body")).to_have_attribute("aria-invalid", "true")
    expect(jan.locator("#body")).to_have_attribute("aria-describedby", "body-error")
    assert jan.url.endswith(THREAD)  # no page was posted


def test_presence_and_typing(open_page):
    anna, jan = open_page(ANNA, THREAD), open_page(JAN, THREAD)
    both_here(anna, jan)
    expect(anna.locator("#typing")).to_be_empty()
    jan.locator("#body").press_sequentially("Myślę, że", delay=20)
    expect(anna.locator("#typing")).to_contain_text(JAN[2], timeout=WAIT_MS)
    expect(anna.locator("#typing")).to_be_visible()
    expect(jan.locator("#typing")).to_be_empty()  # nobody else writes


def test_a_full_room_names_the_first_people_and_counts_the_others(open_page):
    """The server lists the first names of a crowd and counts the rest (PRESENCE_NAMES): the
    page's line says so in its language."""
    anna = open_page(ANNA, THREAD)
    expect(anna.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)
    said = anna.evaluate(
        """async () => {
            const { presenceText } = await import("/static/js/presence.js");
            const users = [{ id: 1, display_name: "Anna" }, { id: 2, display_name: "Jan" }];
            return [
                presenceText({ users, others: 998, guests: 3 }),
                presenceText({ users: [], others: 0, guests: 1 }),
                presenceText({ users: [], others: 0, guests: 0 }),
            ];
        }"""
    )
    assert said == [
        "1003 osoby są tu teraz: Anna, Jan, 998 innych osób i 3 gości",
        "1 osoba jest tu teraz: 1 gość",
        "",
    ]


def test_without_javascript_the_form_still_replies_and_live_pages_see_it(open_page):
    anna = open_page(ANNA, THREAD)
    expect(anna.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)
    jan = open_page(JAN, THREAD, javascript=False)
    body = unique("Bez JavaScriptu też działa")

    jan.locator("#post-2 > article .reply-box summary").click()
    jan.fill("#reply-to-2", body)
    jan.locator("#post-2 > article .reply-box button[type=submit]").click()

    jan.wait_for_url("**/threads/1#post-*")
    expect(jan.locator("#post-2 > ol.replies > li.post", has_text=body)).to_be_visible()
    expect(anna.locator("#post-2 > ol.replies > li.post", has_text=body)).to_be_visible(
        timeout=WAIT_MS
    )


def test_a_page_catches_up_on_what_it_missed_while_disconnected(open_page, forum_server):
    jan = open_page(JAN, THREAD)
    anna = open_page(ANNA, path="/")
    # Anna's socket cannot connect: neither the websocket the page tries first (it gets bytes
    # that are no engine.io packet: an error, as a proxy's answer would be) nor long-polling.
    offline = True
    anna.route_web_socket(
        "**/socket.io/**",
        lambda ws: ws.send("not engine.io") if offline else ws.connect_to_server(),
    )
    anna.route("**/socket.io/**", lambda route: route.abort())
    anna.goto(forum_server.url + THREAD)
    body = unique("Napisane, gdy Anna była offline")
    jan.fill("#body", body)
    jan.locator("#reply-form button[type=submit]").click()
    expect(jan.locator("#post-1 > ol.replies > li.post", has_text=body)).to_be_visible(
        timeout=WAIT_MS
    )
    expect(anna.locator(".post", has_text=body)).to_have_count(0)

    offline = False  # the client's next reconnection attempt gets through
    anna.unroute("**/socket.io/**")
    expect(anna.locator("#post-1 > ol.replies > li.post", has_text=body)).to_be_visible(
        timeout=15_000
    )


def test_room_page_shows_new_threads_below_pinned_ones_and_counts_replies(open_page, forum_server):
    anna = open_page(ANNA, THREAD)
    room = anna.locator(".breadcrumbs a").nth(1).get_attribute("href")  # XIII Podgórze
    anna.goto(forum_server.url + room)
    expect(anna.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)
    jan = open_page(JAN, path=room)
    title = unique("Ławki przy Wiśle")
    jan.fill("#title", title)
    jan.fill("#body", "Więcej ławek na bulwarach.")
    jan.locator("form.composer button[type=submit]").click()
    jan.wait_for_url("**/threads/*")

    lines = anna.locator("ol.threads > li.thread-line")
    expect(lines.nth(1)).to_contain_text(title, timeout=WAIT_MS)
    expect(lines.nth(0)).to_have_class("thread-line pinned")
    expect(anna.locator("#live-region")).to_contain_text(title, timeout=WAIT_MS)

    jan.goto(forum_server.url + THREAD)
    jan.fill("#body", unique("Zgoda"))
    jan.locator("#reply-form button[type=submit]").click()
    zablocie = anna.locator("li.thread-line", has_text="Więcej zieleni na Zabłociu")
    expect(zablocie.locator(".reply-count")).to_have_attribute("data-count", "4", timeout=WAIT_MS)


def test_a_reply_to_annas_thread_raises_her_unread_count_live(open_page, forum_server):
    anna = open_page(ANNA, path="/")
    count = anna.locator("#notifications-link .unread-count")
    # The demo leaves her some unread news (replies, ZZM's answer, her drafts' moves and reviews).
    before = int(count.get_attribute("data-count"))
    assert before > 0
    anna.wait_for_function("() => window.io && document.readyState === 'complete'")
    jan = logged_in(forum_server, JAN[0])
    status, _body = call(
        jan, "POST", f"{forum_server.url}/api/v1/threads/1/posts", {"body": unique("Też tak myślę")}
    )
    assert status == 201
    expect(count).to_have_attribute("data-count", str(before + 1), timeout=WAIT_MS)
    expect(anna.locator("#live-region")).to_contain_text(JAN[2], timeout=WAIT_MS)
    anna.locator("#notifications-link").click()
    expect(anna.locator("ol.notifications > li.unread")).to_have_count(before + 1)


def test_logging_out_in_one_tab_ends_the_live_page_in_another(open_page):
    anna = open_page(ANNA, THREAD)
    jan = open_page(JAN, THREAD)
    both_here(anna, jan)
    other_tab = anna.context.new_page()
    other_tab.goto(anna.url.split("/threads")[0] + "/")
    other_tab.get_by_role("button", name="Wyloguj").click()
    expect(anna.locator("#session-status")).to_be_visible(timeout=WAIT_MS)
    expect(anna.locator("#session-status")).to_contain_text("Wylogowano")
    expect(jan.locator("#presence")).not_to_contain_text(ANNA[2], timeout=WAIT_MS)


def test_a_hidden_post_shows_its_reason_live_and_its_words_only_to_its_author(
    open_page, forum_server
):
    anna, jan = open_page(ANNA, THREAD), open_page(JAN, THREAD)
    both_here(anna, jan)
    words = "Dobry pomysł, ale czy ta działka należy do miasta?"  # Jan's post 2 in the demo
    expect(anna.locator("#post-2 > article .post-body")).to_contain_text(words)
    piotr = logged_in(forum_server, "piotr@example.pl")
    status, _body = call(
        piotr, "PUT", f"{forum_server.url}/api/v1/posts/2/hidden", {"reason": "Nie na temat"}
    )
    assert status == 200
    note = anna.locator("#post-2 > article .hidden-note")
    expect(note).to_contain_text("Nie na temat", timeout=WAIT_MS)
    expect(anna.locator("#post-2 > article")).not_to_contain_text(words)
    expect(jan.locator("#post-2 > article .hidden-own-note")).to_be_visible(timeout=WAIT_MS)
    expect(jan.locator("#post-2 > article .post-body")).to_contain_text(words)
    status, _body = call(piotr, "DELETE", f"{forum_server.url}/api/v1/posts/2/hidden")
    assert status == 200
    expect(anna.locator("#post-2 > article .post-body")).to_contain_text(words, timeout=WAIT_MS)
    expect(anna.locator("#post-2 > article .hidden-note")).to_have_count(0)


def test_a_newcomer_registers_with_the_link_the_console_shows(browser, forum_server):
    """As with `make run`: no mail server, so the message with the link is in the console."""
    context = browser.new_context(locale="pl-PL")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    email = f"{uuid.uuid4().hex[:8]}@example.pl"
    page.goto(forum_server.url + "/register")
    page.fill("#display_name", "Zofia Nowicka")
    page.fill("#email", email)
    page.fill("#password", "długie hasło 123")
    page.select_option("#home_area_id", label="XIII Podgórze")
    page.click("form.narrow button[type=submit]")
    expect(page.locator("main")).to_contain_text(f"Wysłaliśmy wiadomość na adres {email}")

    link = wait_until(lambda: forum_server.registration_link(email), what="the link")
    page.goto(forum_server.url + link)
    expect(page.locator("main")).to_contain_text("XIII Podgórze")
    page.click("form.narrow button[type=submit]")

    expect(page.locator(".flashes")).to_contain_text("Zofia Nowicka")
    expect(page.locator("form[action='/logout']")).to_have_count(1)
    page.goto(forum_server.url + link)  # the link worked once
    expect(page.locator("main")).to_contain_text("Ten link już nie działa")
    context.close()
