"""The forum under its Content-Security-Policy in a real browser: every page of PAGES (people
and guests, scripts on) and the live flow break no rule, and another site cannot frame a page.

A violation is caught twice: by a `securitypolicyviolation` listener in the page, and in the
server's log, where the report endpoint writes each report Chromium sends it. A canary (an image
from another origin, added at the end of each check) proves both paths work before "none" counts.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
import uuid
from urllib.parse import urlencode

import pytest

from tests.conftest import wait_until
from tests.e2e import test_accessibility as accessibility
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ForumServer, browser_api, free_port
from tests.e2e.test_accessibility import (
    GUEST,
    PAGES,
    PEOPLE,
    REPLY_FORM,
    WAIT_MS,
    Page,
    fill_and_submit,
    wait_until_live,
)

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

# The fixtures of the accessibility walk: the ids PAGES names, and each person's login.
places = accessibility.places
sessions = accessibility.sessions

WALK = PAGES + [
    # The workshop pages for admins, moderators and an idea's author, as a guest sees them.
    Page("/workshops/new"),
    Page("/workshops/{series}?page=2"),
    Page("/workshops/{series}/stages/1/mark"),
    Page("/workshops/{series}/stages/2/mark"),
    Page("/workshop-items/{idea}/needs"),
    Page("/workshop-items/{need}/unmark"),
    Page("/meetings/{workshop}"),
    Page("/users/3"),
    Page("/threads/987654", status=404),
    # Pages only people see, as a guest sees them: the login form they are sent to.
    Page("/notifications"),
    Page("/posts/{edited}/edit"),
    # Staff pages and one's own forms (as a guest: the login form), the public logs, a
    # restricted room (as missing as any other).
    Page("/admin/applications"),
    Page("/admin/applications?page=2"),
    Page("/admin/areas"),
    Page("/admin/areas/1"),
    Page("/admin/audit"),
    Page("/admin/rooms/{restricted}"),
    Page("/admin/rooms/{restricted}/archive"),
    Page("/admin/rooms/{restricted}/members/3/remove"),
    Page("/admin/rooms/{restricted}?q=a"),
    Page("/admin/suspensions"),
    Page("/admin/units"),
    Page("/admin/units/1"),
    Page("/admin/users"),
    Page("/admin/users/1"),
    Page("/admin/users/1/suspend?duration=7&reason=Spam"),
    Page("/admin/users/3/roles/{ambassador_role}/withdraw"),
    Page("/admin/users/5"),
    Page("/admin/users?q=a"),
    Page("/applications/1/withdraw"),
    Page("/areas/{city}/moderation-log"),
    Page("/areas/{osiedle}/apply"),
    Page("/moderation"),
    Page("/moderation?page=2"),
    Page("/moderation/posts/{advert}/dismiss"),
    Page("/moderation/posts/{advert}/hide"),
    Page("/posts/2/flag"),
    Page("/posts/2/hide"),
    Page("/posts/{edited}/delete"),
    Page("/rooms/{restricted}", status=404),
    Page("/rooms/{room}/mutes"),
    Page("/rooms/{room}/mutes?page=2"),
    Page("/rooms/{room}/mutes/new?user_id=2"),
    Page("/threads/1/lock"),
    Page("/threads/1/move"),
    Page("/meetings/{meeting}/edit"),
    Page("/meetings/{meeting}/signup/withdraw"),
    Page("/meetings?when=past"),
    Page("/meetings/{meeting}/cancel"),
    Page("/rooms/{room}/meetings/new"),
    # A draft's co-author pages, as a guest: nothing to decline or leave; the login form.
    Page("/drafts/{history}/invitation/decline", status=404),
    Page("/drafts/{history}/leave", status=404),
    Page("/drafts/{history}/coauthors/3/remove"),
    Page("/users/2"),
    # Drafts: anyone reads them; starting, editing and promoting send a guest to log in.
    Page("/drafts?status=draft"),
    Page("/drafts/2"),
    Page("/drafts/new"),
    Page("/drafts/1/edit"),
    Page("/threads/2/promote"),
    Page("/drafts/{draft}/status/in_review"),
    Page("/drafts/{in_review}/status/withdrawn"),
    Page("/drafts/{ready}/status/revised"),
    Page("/drafts/{in_review}/reviews/new"),
    Page("/drafts/{withdrawn}/reviews"),
    Page("/drafts/{supported}/support/withdraw"),
    Page("/drafts/export"),
    Page("/admin/budget"),
    Page("/admin/budget/categories/1"),
    Page("/admin/budget/categories/1/archive"),
    Page("/admin/budget/editions/1"),
    # Expert units' pages, as a guest: the login form (the queue), the form (tagging), missing.
    Page("/units/1"),
    Page("/threads/1/units"),
    Page("/posts/3/official"),
    Page("/threads/1/official/1/remove"),
    # The host's pages after a meeting, as a guest: the login form.
    Page("/meetings/{past}/minutes"),
    Page("/meetings/{past}/attendance"),
    Page("/meetings/{past}/outcomes/{past_outcome}/remove"),
]
REPORT_SECONDS = 10

LISTEN = """
window.__cspBlocked = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolation({
    document: event.documentURI, directive: event.effectiveDirective,
    blocked: event.blockedURI, sample: event.sample,
  });
  window.__cspBlocked.push(event.blockedURI);
});
"""


class ServerLog:
    """The CSP violations the report endpoint logged, read from the forum's console file."""

    def __init__(self, server: ForumServer):
        self.console = server.console

    def violations(self) -> list[str]:
        lines = self.console.read_text(errors="replace").splitlines()
        return [line for line in lines if "CSP violation" in line]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    forum = ForumServer(tmp_path_factory.mktemp("csp") / "forum.db")
    forum.start()
    forum.log = ServerLog(forum)
    yield forum
    forum.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, sessions, server):
    """new_page(who): a page of its own browser context that records CSP violations; after
    the test, every page proves with a canary that a violation would have been seen, then the
    test fails on any other violation, in a page or in the server's log."""
    pages, seen, errors = [], [], []
    reported_before = len(server.log.violations())

    def new_page(who: str | None):
        context = browser.new_context(locale="pl-PL", storage_state=sessions[who])
        context.set_default_timeout(WAIT_MS)
        context.expose_function("cspViolation", lambda violation: seen.append(violation))
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        pages.append(page)
        return page

    yield new_page
    try:
        canaries = [release_canary(page, server) for page in pages]
        wait_until(
            lambda: all(any(c in line for line in server.log.violations()) for c in canaries),
            seconds=REPORT_SECONDS,
            what="the canaries' reports at the report endpoint",
        )
        assert all(any(c in v["blocked"] for v in seen) for c in canaries), seen
        in_pages = [v for v in seen if not any(c in v["blocked"] for c in canaries)]
        reported = [
            line
            for line in server.log.violations()[reported_before:]
            if not any(c in line for c in canaries)
        ]
        assert not in_pages, f"violations seen in the page: {in_pages}"
        assert not reported, f"violations reported to the server: {reported}"
        assert not errors, f"JavaScript errors: {errors}"
    finally:
        for page in pages:
            page.context.close()


def release_canary(page, server) -> str:
    """Load an image from another origin (which img-src refuses) and wait until the page's
    listener saw it; the canary's name, to find its report."""
    canary = f"csp-canary-{uuid.uuid4().hex}"
    url = f"http://localhost:{server.port}/{canary}.png"  # localhost: not the page's origin
    page.evaluate("url => { const img = new Image(); img.src = url; }", url)
    page.wait_for_function(
        "canary => window.__cspBlocked.some((blocked) => blocked.includes(canary))", arg=canary
    )
    return canary


def test_every_path_of_pages_is_walked_as_a_guest_too():
    assert {p.path for p in WALK if p.who is GUEST} == {p.path for p in PAGES}


@pytest.mark.parametrize("check", WALK, ids=str)
def test_page_breaks_no_rule_of_the_policy(check: Page, server, places, new_page):
    page = new_page(check.who)
    path = check.path.format(**places)
    if check.lang == "pl":
        url = server.url + path
    else:
        url = f"{server.url}/lang/{check.lang}?{urlencode({'next': path})}"
    response = page.goto(url)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    if check.submit == REPLY_FORM:  # the composer's script sends it over the socket
        wait_until_live(page, check.who)
        for selector, value in check.fill.items():
            page.fill(selector, value)
        page.click(check.submit)
        expect(page.locator("#reply-form [aria-invalid=true]")).to_have_count(1)
        return
    if check.submit:
        response = fill_and_submit(page, check)
    assert response.status == check.status, f"{check}: HTTP {response.status}"
    if check.live:
        wait_until_live(page, check.who)


def test_a_reply_typing_and_a_notification_arrive_live_under_the_policy(server, new_page):
    anna, piotr = new_page("anna"), new_page("piotr")
    with anna.expect_websocket() as socket:
        anna.goto(server.url + "/threads/1")
    assert "/socket.io/" in socket.value.url  # connect-src 'self' lets the socket upgrade
    piotr.goto(server.url + "/threads/1")
    wait_until_live(anna, "piotr")
    wait_until_live(piotr, "anna")
    unread = anna.locator("#notifications-link .unread-count")
    unread_before = int(unread.get_attribute("data-count"))

    piotr.locator("#body").press_sequentially("Proponuję", delay=20)
    expect(anna.locator("#typing")).to_contain_text(PEOPLE["piotr"][2])
    body = f"Nasadzenia wzdłuż Lipowej {uuid.uuid4().hex[:8]}"
    piotr.fill("#body", body)
    piotr.locator("#reply-form button[type=submit]").click()

    reply = anna.locator(".post-tree .post-body", has_text=body)
    expect(reply).to_be_visible()
    expect(unread).to_have_attribute("data-count", str(unread_before + 1))
    expect(anna.locator("#live-region")).to_contain_text(PEOPLE["piotr"][2])


# Another site's pages: /, framing the forum's thread page and a page of its own; /own, that page.
# It runs in a process of its own: this one has imported eventlet's websocket module (the fast
# path's tests), after which a threaded stdlib HTTP server here stops answering and shutting down.
FRAMER = """
import http.server, sys

port, target = int(sys.argv[1]), sys.argv[2]


class Framer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/own":
            body = "<!doctype html><title>own</title><p id=own>framed fine</p>"
        else:
            body = (
                "<!doctype html><title>framer</title>"
                '<iframe id="own" src="/own"></iframe>'
                f'<iframe id="forum" src="{target}"></iframe>'
            )
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Framer).serve_forever()
"""


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def other_site(server):
    """A second web server on another port of the same host: same site, another origin."""
    port = free_port()
    framer = subprocess.Popen([sys.executable, "-c", FRAMER, str(port), server.url + "/threads/1"])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(url + "/own"), seconds=20, what="the other site")
        yield url
    finally:
        framer.terminate()
        framer.wait(timeout=10)


def test_another_site_cannot_frame_a_thread_page(browser, sessions, server, other_site):
    context = browser.new_context(storage_state=sessions["anna"])  # logged in: buttons to click
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(other_site + "/")
        # Framing works on that site: its own page shows in the first frame…
        expect(page.frame_locator("#own").locator("#own")).to_have_text("framed fine")
        # …the forum's refusal reaches its report endpoint (Chromium names only the origin)…
        wait_until(
            lambda: any(
                "'frame-ancestors'" in line and server.url in line
                for line in server.log.violations()
            ),
            seconds=REPORT_SECONDS,
            what="the frame-ancestors report",
        )
        # …and the second frame shows nothing of the thread page.
        forum_frame = page.frame_locator("#forum")
        for forum_part in ("form", ".site-header", ".post-tree", "text=Wspólne Projekty"):
            expect(forum_frame.locator(forum_part)).to_have_count(0)
        assert all(not frame.url.startswith(server.url) for frame in page.frames)
    finally:
        context.close()
