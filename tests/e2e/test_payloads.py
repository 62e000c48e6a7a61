"""Hostile text from outside through every field users write, in a real browser.

The payloads are other people's, kept as published under tests/data/: the Big List of Naughty
Strings (blns/), BRS-KB's XSS payloads (brs-kb/) and the inputs of bleach's own XSS test cases
(bleach/data/). Post bodies (new ones, and edited ones with their history), thread titles and
display names (with the notifications that name them) get them through the API, as a client
would, while a page is open — the live path, where the page's scripts insert what arrives — and
again on reload, in the pages the server renders.

A page fails the test when anything a payload carries runs or takes over: `alert`, `confirm`,
`prompt` or `print` called (hooked in every frame before any of the page's scripts), a dialog or a
popup opened, an error logged, a frame or a navigation elsewhere, or an element or attribute that
can run script in what users wrote. Payloads the server refuses (422) count as handled, but most
must reach the pages, and they must show there literally: escaped, not stripped away.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import unicodedata
import uuid
import zipfile
from pathlib import Path

import pytest

from config import Config
from forum.accounts import services as accounts
from forum.areas.models import Area
from forum.discussion import services as discussion
from forum.errors import ValidationError
from forum.extensions import db
from forum.moderation.reasons import REASON_MAX_LENGTH, REASON_MIN_LENGTH
from forum.transactions import transaction
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ForumServer,
    browser_api,
    call,
    forum_app,
    http_client,
    logged_in,
)

# Each test sends hundreds of payloads, a request each or a few to a request: about 20 s alone,
# minutes while another `make test` shares the two cores (the hide reasons' ~1,200 requests went
# past the suite's 120 s). A hang is still caught by each request's 10 s and each wait's WAIT_MS.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

sync_api = browser_api()  # fails under CI without Chromium; skips elsewhere
expect = sync_api.expect

DATA = Path(__file__).resolve().parents[1] / "data"
WAIT_MS = 30_000  # for what is still in flight after the last request: live events, a page
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")
JAN = "jan@example.pl"
PIOTR = "piotr@example.pl"  # the ambassador of XIII, Anna's and Jan's district
# Hide reasons: the small lists whole and this many of the XSS collection.
HIDDEN_XSS = 150
PASSWORD = "zielone-ławki-nad-Wisłą"
LINK = re.compile(r"/register/confirm/(\S+)")  # in the registration message

PER_POST = 15  # at most, in one post body (within its length limit), a blank line between them
FENCED = 50  # payloads also sent alone in a code block: shown there character for character
TITLES_FROM_XSS = 100  # thread titles: the naughty strings, bleach's vectors and this many XSS
NAMES_FROM_XSS = 500  # display names: likewise
INBOX_PAGES = 5  # of the newest notifications (20 a page)
LIVE_NAMES = 8  # payload-named people who log in and reply while the pages are open
MIN_REACHED = 0.8  # of the payloads within a field's length limits must reach the pages

# Run before any script of every page and frame: the calls payloads make to show they ran.
HOOKS = """
(() => {
  const calls = [];
  Object.defineProperty(window, "__payloadCalls", { value: calls });
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = function (...args) {
      const call = `${name}(${args.map(String).join(", ")}) at ${location.href}`;
      calls.push(call);
      try {
        if (window.top !== window) window.top.__payloadCalls.push(call);
      } catch (error) {}  // a cross-origin frame: its own list is read through page.frames
    };
  }
})();
"""

# Whatever in the page could run script that the page did not bring itself.
ACTIVE_CONTENT = """
() => {
  const found = [];
  const ownScripts = `${location.origin}/static/`;
  for (const script of document.scripts) {
    if (!script.src.startsWith(ownScripts)) found.push(`script: ${script.outerHTML.slice(0, 160)}`);
  }
  const runnable = "script, iframe, frame, frameset, object, embed, applet, base, meta, link, "
    + "style, svg, math, form, input, button, textarea, select, img, image, video, audio, source, "
    + "picture, template, noscript, portal, marquee";
  for (const body of document.querySelectorAll(".post-body")) {
    for (const element of body.querySelectorAll(runnable)) {
      found.push(`<${element.localName}> in a post: ${element.outerHTML.slice(0, 160)}`);
    }
    for (const element of body.querySelectorAll("[style]")) {
      found.push(`style attribute in a post: ${element.outerHTML.slice(0, 160)}`);
    }
  }
  const urls = ["href", "src", "action", "formaction", "xlink:href", "data", "poster"];
  for (const element of document.querySelectorAll("*")) {
    for (const { name, value } of element.attributes) {
      const scheme = value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) {
        found.push(`${name} attribute: ${element.outerHTML.slice(0, 160)}`);
      } else if (urls.includes(name) && /^(javascript|vbscript|data):/.test(scheme)) {
        found.push(`${name}=${value.slice(0, 80)}`);
      }
    }
  }
  return found;
}
"""


# --- the payloads ---------------------------------------------------------------------------


def naughty_strings() -> list[str]:
    return json.loads((DATA / "blns" / "blns.json").read_text(encoding="utf-8"))


def xss_payloads() -> list[str]:
    """The literal `payload=` of every `PayloadEntry(...)` in BRS-KB's payload modules, read from
    the wheel as published: parsed, never imported."""
    found = []
    with zipfile.ZipFile(next((DATA / "brs-kb").glob("brs_kb-*.whl"))) as wheel:
        for name in sorted(wheel.namelist()):
            if not (name.startswith("brs_kb/payloads/") and name.endswith(".py")):
                continue
            for node in ast.walk(ast.parse(wheel.read(name))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PayloadEntry":
                    found += [
                        keyword.value.value
                        for keyword in node.keywords
                        if keyword.arg == "payload"
                        and isinstance(keyword.value, ast.Constant)
                        and isinstance(keyword.value.value, str)
                    ]
    return found


def bleach_vectors() -> list[str]:
    """The inputs of bleach's XSS test cases: each file is the input, a line "--", the output."""
    folder = DATA / "bleach" / "data"
    tests = sorted(folder.glob("*.test"))
    return [path.read_text(encoding="utf-8").split("\n--\n")[0] for path in tests]


def distinct(items) -> list[str]:
    return list(dict.fromkeys(items))


def spread(items: list[str], count: int) -> list[str]:
    """`count` items evenly spaced through the list (all of them when it is shorter)."""
    if len(items) <= count:
        return items
    return [items[i * len(items) // count] for i in range(count)]


def within(items: list[str], low: int, high: int) -> list[str]:
    """The items a field's length limits allow (trimmed, as the server counts)."""
    return [item for item in items if low <= len(item.strip()) <= high]


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def bodies(items: list[str]) -> list[list[str]]:
    """The items in groups of at most PER_POST whose post body (blank lines between them) keeps
    within BODY_MAX_LENGTH: fewer requests and pages than one post each."""
    groups, group = [], []
    for item in items:
        if group and (
            len(group) == PER_POST
            or len("\n\n".join([*group, item]).strip()) > Config.BODY_MAX_LENGTH
        ):
            groups.append(group)
            group = []
        group.append(item)
    return groups + [group] if group else groups


def as_parsed(text: str) -> str:
    """Text as an HTML parser gives it back: line ends made LF, NUL made U+FFFD."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


@pytest.fixture(scope="module")
def payloads():
    naughty, bleach, xss = distinct(naughty_strings()), bleach_vectors(), distinct(xss_payloads())
    # The loaders must find the lists, or every test below would pass on nothing.
    assert len(naughty) >= 450 and len(bleach) >= 20 and len(xss) >= 4000
    # Every field gets the small lists whole and a sample of the large one.
    small = distinct(naughty + bleach)
    return {"small": small, "xss": xss, "all": distinct(small + xss)}


# --- the server, the browser and watched pages ------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # One slice holds a whole thread here, so every payload is checked on one page, live and on
    # reload; reading a thread in slices is tested in test_thread_pages.py.
    server = ForumServer(
        tmp_path_factory.mktemp("payloads") / "forum.db", THREAD_SLICE_POSTS="100000"
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A logged-in page with the hooks in place, recording everything a payload could make it do."""

    def __init__(self, page, server: ForumServer):
        self.page = page
        self.server = server
        self.opened = {page.url.split("#")[0]}
        self.events: list[str] = []
        self.errors: list[str] = []  # reported last: what the events above explain
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))
        page.on("popup", lambda popup: self.events.append(f"popup: {popup.url}"))
        page.on("frameattached", lambda frame: self.events.append("a frame was attached"))
        page.on("framenavigated", self._navigated)

    def _dialog(self, dialog) -> None:
        self.events.append(f"{dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _navigated(self, frame) -> None:
        if frame != self.page.main_frame:
            self.events.append(f"a frame went to {frame.url}")
        elif frame.url.split("#")[0] not in self.opened:
            self.events.append(f"the page went to {frame.url}")

    def goto(self, path: str) -> None:
        self.opened.add(self.server.url + path)
        self.page.goto(self.server.url + path)

    def wait_for(self, condition: str, arg, what: str) -> None:
        """Wait for a condition in the page; when it never comes, say first what the payloads did
        (a page they took over never gets there)."""
        try:
            self.page.wait_for_function(condition, arg=arg, timeout=WAIT_MS)
        except sync_api.TimeoutError:
            self.check(f"waiting for {what}")
            raise

    def check(self, where: str) -> None:
        """Fail if anything ran or took over so far (timers payloads set with no delay included)."""
        self.page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")
        problems = []
        for frame in self.page.frames:
            problems += frame.evaluate("() => window.__payloadCalls ?? []")
        problems += self.events + self.page.evaluate(ACTIVE_CONTENT) + self.errors
        assert not problems, f"{where}: {len(problems)} problems, first: {problems[:15]}"


@pytest.fixture
def open_watched(browser, server):
    """open_watched(path): Anna's page at path, logged in, hooked and watched."""
    contexts = []

    def open_watched(path: str) -> Watched:
        context = browser.new_context(locale="pl-PL")
        context.set_default_timeout(WAIT_MS)
        context.add_init_script(HOOKS)
        contexts.append(context)
        page = context.new_page()
        email, password, _name = ANNA
        page.goto(f"{server.url}/login?next={path}")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(f"{server.url}{path}")
        return Watched(page, server)

    yield open_watched
    for context in contexts:
        context.close()


def joined(watched: Watched) -> None:
    """Wait until the page's socket follows its stream: Anna sees herself here."""
    expect(watched.page.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)


# --- writing through the API ------------------------------------------------------------------


def write(opener, method: str, url: str, field: str, groups: list[list[str]], extra=None):
    """Send each group of payloads as one value of `field` (a blank line between them); a group
    the server refuses is sent again one payload at a time. Returns ([(answer, payloads)], refused
    payloads). Any answer but 2xx or 422 fails: odd input gets a clear answer, never a 500."""
    accepted, refused = [], []
    pending = list(groups)
    while pending:
        group = pending.pop(0)
        status, answer = call(opener, method, url, {field: "\n\n".join(group)} | (extra or {}))
        if status in (200, 201):
            accepted.append((answer, group))
        elif status == 422 and len(group) > 1:
            pending[:0] = [[payload] for payload in group]
        elif status == 422:
            refused += group
        else:
            pytest.fail(f"{method} {url} with {group!r:.300}: {status} {answer}")
    return accepted, refused


def reached(count: int, attempted: int, field: str) -> None:
    share = count / attempted
    print(f"{field}: {count} of {attempted} payloads reached the pages ({share:.0%})")
    assert share >= MIN_REACHED, f"only {count} of {attempted} {field} reached the pages"


def new_thread(opener, server: ForumServer, room_id: int, title: str) -> dict:
    status, answer = call(
        opener,
        "POST",
        f"{server.url}/api/v1/rooms/{room_id}/threads",
        {"title": title, "body": "Tu piszą ładunki z zewnątrz."},
    )
    assert status == 201, answer
    return answer


def home_room(server: ForumServer) -> int:
    """The room of the demo's thread 1 (XIII Podgórze, Anna's and Jan's district)."""
    status, answer = call(http_client(), "GET", f"{server.url}/api/v1/threads/1")
    assert status == 200
    return answer["thread"]["room_id"]


def post_ids(watched: Watched) -> set[int]:
    ids = watched.page.evaluate("() => [...document.querySelectorAll('li.post')].map((l) => l.id)")
    return {int(id.removeprefix("post-")) for id in ids}


def wait_for_posts(watched: Watched, ids: set[int]) -> None:
    watched.wait_for(
        "(ids) => ids.every((id) => document.getElementById(`post-${id}`))",
        sorted(ids),
        f"{len(ids)} posts",
    )


# --- the tests --------------------------------------------------------------------------------


def test_post_bodies_run_nothing_live_or_on_reload(server, open_watched, payloads):
    anna, jan = logged_in(server, ANNA[0]), logged_in(server, JAN)
    thread = new_thread(anna, server, home_room(server), "Ładunki w treści postów")["thread"]
    watched = open_watched(f"/threads/{thread['id']}")
    joined(watched)

    everything = within(payloads["all"], 0, Config.BODY_MAX_LENGTH)
    fenced = spread(
        [
            p
            for p in everything
            if p.strip() and unicodedata.is_normalized("NFC", p) and not set("`\t\r\n\0") & set(p)
        ],
        FENCED,
    )
    url = f"{server.url}/api/v1/threads/{thread['id']}/posts"
    accepted, refused = write(jan, "POST", url, "body", bodies(everything))
    in_code, _refused = write(jan, "POST", url, "body", [[f"```\n{p}\n```"] for p in fenced])
    ids = {answer["post"]["id"] for answer, _group in accepted + in_code}

    wait_for_posts(watched, ids)  # inserted live by the page's script
    watched.check("posts arriving live")

    watched.page.reload()
    watched.check("the thread page rendered by the server")
    shown = post_ids(watched)
    reached(
        sum(len(group) for answer, group in accepted if answer["post"]["id"] in shown),
        len(everything),
        "post bodies",
    )
    assert len(refused) + sum(len(group) for _answer, group in accepted) == len(everything)

    # Escaped, not stripped: in a code block each payload shows character for character.
    assert len(in_code) >= MIN_REACHED * len(fenced)
    codes = watched.page.evaluate(
        """(ids) => ids.map((id) => document.querySelector(`#post-${id} pre code`)?.textContent)""",
        [answer["post"]["id"] for answer, _source in in_code],
    )
    for (_answer, (source,)), code in zip(in_code, codes, strict=True):
        assert code == source.removeprefix("```\n").removesuffix("```"), source


def test_edited_bodies_and_the_edit_history_run_nothing(server, open_watched, payloads):
    jan = logged_in(server, JAN)
    thread = new_thread(jan, server, home_room(server), "Ładunki w poprawkach")["thread"]
    url = f"{server.url}/api/v1/threads/{thread['id']}/posts"
    status, answer = call(jan, "POST", url, {"body": "Pierwsza wersja."})
    assert status == 201
    post_id = answer["post"]["id"]
    watched = open_watched(f"/threads/{thread['id']}")
    joined(watched)

    everything = within(payloads["all"], 0, Config.BODY_MAX_LENGTH)
    url = f"{server.url}/api/v1/posts/{post_id}"
    edits, refused = write(jan, "PATCH", url, "body", bodies(everything))
    last = f"Ostatnia wersja {uuid.uuid4().hex[:8]}"
    assert call(jan, "PATCH", url, {"body": last})[0] == 200

    watched.wait_for(  # every edit before it was shown live
        "([id, text]) => document.getElementById(`post-${id}`)?.textContent.includes(text)",
        [post_id, last],
        "the last edit",
    )
    watched.check("edits arriving live")

    watched.goto(f"/posts/{post_id}/history")
    watched.check("the edit history")
    # A version for every edit that changed the text (an edit that changes nothing keeps none).
    sources = ["Pierwsza wersja.", *(answer["post"]["body_source"] for answer, _ in edits), last]
    versions = 1 + sum(older != newer for older, newer in itertools.pairwise(sources))
    expect(watched.page.locator("section.revision")).to_have_count(versions)
    reached(sum(len(group) for _answer, group in edits), len(everything), "edited bodies")
    assert len(refused) + sum(len(group) for _answer, group in edits) == len(everything)


def test_moderators_hide_reasons_run_nothing_live_or_on_reload(server, open_watched, payloads):
    """A hidden post shows its moderator's reason in its place, to every reader."""
    jan, piotr = logged_in(server, JAN), logged_in(server, PIOTR)
    thread = new_thread(jan, server, home_room(server), "Ładunki w powodach ukrycia")["thread"]
    reasons = within(
        distinct(payloads["small"] + spread(payloads["xss"], HIDDEN_XSS)),
        REASON_MIN_LENGTH,
        REASON_MAX_LENGTH,
    )
    url = f"{server.url}/api/v1/threads/{thread['id']}/posts"
    post_ids_ = []
    for number in range(len(reasons)):
        status, answer = call(jan, "POST", url, {"body": f"Post do ukrycia nr {number}."})
        assert status == 201, answer
        post_ids_.append(answer["post"]["id"])
    watched = open_watched(f"/threads/{thread['id']}")
    joined(watched)

    hidden = {}
    for post_id, reason in zip(post_ids_, reasons, strict=True):
        status, answer = call(
            piotr, "PUT", f"{server.url}/api/v1/posts/{post_id}/hidden", {"reason": reason}
        )
        if status == 200:
            hidden[post_id] = answer["post"]["hidden_reason"]
        elif status != 422:
            pytest.fail(f"hiding with {reason!r:.300}: {status} {answer}")
    note = "(ids) => ids.every((id) => document.querySelector(`#post-${id} .hidden-note`))"
    watched.wait_for(note, sorted(hidden), f"{len(hidden)} hidden notes")
    watched.check("hidden notes arriving live")

    watched.page.reload()
    watched.check("the thread page with hidden posts, rendered by the server")
    notes = watched.page.evaluate(
        "(ids) => ids.map((id) => document.querySelector(`#post-${id} .hidden-note`)?.textContent)",
        sorted(hidden),
    )
    shown_literally = sum(
        as_parsed(hidden[post_id]) in (text or "")
        for post_id, text in zip(sorted(hidden), notes, strict=True)
    )
    reached(shown_literally, len(reasons), "hide reasons")


def test_thread_titles_run_nothing_in_the_room_live_or_on_reload(server, open_watched, payloads):
    jan = logged_in(server, JAN)
    status, rooms = call(jan, "GET", f"{server.url}/api/v1/rooms")
    assert status == 200
    room_id = next(  # a room of its own: its pages list only these threads
        room["id"]
        for room in rooms["rooms"]
        if room["thread_count"] == 0 and room["can_create_thread"]
    )
    low, high = 3, Config.TITLE_MAX_LENGTH
    titles = within(payloads["small"], low, high) + spread(
        within(payloads["xss"], low, high), TITLES_FROM_XSS
    )
    titles = distinct(titles)
    watched = open_watched(f"/rooms/{room_id}")
    joined(watched)

    url = f"{server.url}/api/v1/rooms/{room_id}/threads"
    accepted, refused = write(
        jan, "POST", url, "title", [[t] for t in titles], extra={"body": "Ładunek w tytule."}
    )
    stored = {answer["thread"]["id"]: answer["thread"]["title"] for answer, _title in accepted}

    lines = "li.thread-line[data-thread-id]"
    read_titles = f"""() => Object.fromEntries([...document.querySelectorAll("{lines}")].map(
        (line) => [line.dataset.threadId, line.querySelector(".thread-title").textContent]))"""
    watched.wait_for(
        f"(n) => document.querySelectorAll('{lines}').length >= n", len(stored), "the titles"
    )
    watched.check("titles arriving live in the room's list")
    live = {int(id): title for id, title in watched.page.evaluate(read_titles).items()}
    assert live == stored  # set as text by the page's script: exactly what the server stored

    shown = {}
    pages = -(-len(stored) // Config.THREADS_PER_PAGE)
    for number in range(1, pages + 1):
        watched.goto(f"/rooms/{room_id}?page={number}")
        watched.check(f"page {number} of the room rendered by the server")
        shown |= {int(id): title for id, title in watched.page.evaluate(read_titles).items()}
    assert shown == {id: as_parsed(title) for id, title in stored.items()}
    reached(len(shown), len(titles), "thread titles")
    assert len(refused) + len(accepted) == len(titles)

    # Escaped, not stripped: titles that look like markup are kept as they were written.
    markup = [(answer["thread"]["title"], given) for answer, (given,) in accepted if "<" in given]
    changed = [(t, g) for t, g in markup if t != unicodedata.normalize("NFC", g.strip())]
    assert len(changed) <= 0.1 * len(markup), changed[:5]

    watched.goto(f"/threads/{next(iter(stored))}")  # the title as the thread's heading
    watched.check("a thread page with a payload title")


def register_with_replies(server: ForumServer, names: list[str], thread_id: int, parent_id: int):
    """Register one person per name through the registration services, link from the e-mail and
    all (their rules apply), each replying to the post: the pages are the point here, not the
    registration form. Returns ([(stored name, name given, e-mail)], refused names)."""
    people, refused = [], []
    with forum_app(server) as app:
        outbox = app.extensions["mail_outbox"]  # keeps the last 100 messages: batches of 50
        for batch in chunks(names, 50):
            given = {}
            with app.test_request_context(), transaction():
                home = db.session.scalars(
                    db.select(Area.id).where(Area.kind == "district", Area.number == "XIII")
                ).one()
                for name in batch:
                    email = f"osoba-{uuid.uuid4().hex[:12]}@example.pl"
                    try:
                        accounts.register(name, email, PASSWORD, str(home))
                    except ValidationError:
                        refused.append(name)
                    else:
                        given[email] = name
            links = {message.to: LINK.search(message.body).group(1) for message in outbox}
            with app.test_request_context(), transaction():
                for email, name in given.items():
                    user = accounts.finish_registration(links[email])
                    discussion.create_reply(
                        accounts.load_user(user.id), thread_id, "Dzień dobry, jestem tu.", parent_id
                    )
                    people.append((user.display_name, name, email))
    return people, refused


def test_display_names_run_nothing_in_threads_and_the_inbox(server, open_watched, payloads):
    anna = logged_in(server, ANNA[0])
    title = next(p for p in payloads["xss"] if "<script" in p and len(p) <= 100)
    started = new_thread(anna, server, home_room(server), title)  # named in every notification
    thread_id, opening_id = started["thread"]["id"], started["post"]["id"]
    low, high = accounts.NAME_MIN_LENGTH, accounts.NAME_MAX_LENGTH
    names = distinct(
        within(payloads["small"], low, high)
        + spread(within(payloads["xss"], low, high), NAMES_FROM_XSS)
    )
    people, refused = register_with_replies(server, names, thread_id, opening_id)
    assert len(people) + len(refused) == len(names)

    # Live: a few of them log in and reply while Anna's thread page and inbox are open.
    thread_page = open_watched(f"/threads/{thread_id}")
    inbox = open_watched("/notifications")
    joined(thread_page)
    unread = inbox.page.locator("#notifications-link .unread-count")
    before = int(unread.get_attribute("data-count"))
    markup = [person for person in people if "<" in person[1]]
    changed = [(n, g) for n, g, _email in markup if n != unicodedata.normalize("NFC", g.strip())]
    assert len(changed) <= 0.1 * len(markup), changed[:5]  # escaped later, not stripped now
    live_ids = set()
    for _name, _given, email in spread(markup, LIVE_NAMES):
        opener = http_client()
        status, _answer = call(
            opener, "POST", f"{server.url}/api/v1/session", {"email": email, "password": PASSWORD}
        )
        assert status == 200
        status, answer = call(
            opener,
            "POST",
            f"{server.url}/api/v1/threads/{thread_id}/posts",
            {"body": "Piszę na żywo.", "parent_id": opening_id},
        )
        assert status == 201, answer
        live_ids.add(answer["post"]["id"])
    wait_for_posts(thread_page, live_ids)
    inbox.wait_for(
        "(n) => document.querySelector('#notifications-link .unread-count').dataset.count == n",
        before + len(live_ids),
        "the unread count",
    )
    thread_page.check("names arriving live in the thread")
    inbox.check("notifications arriving live")
    read_names = "() => [...document.querySelectorAll('a.author')].map((a) => a.textContent)"
    live_names = set(thread_page.page.evaluate(read_names))
    assert {name for name, _given, _email in spread(markup, LIVE_NAMES)} <= live_names

    thread_page.page.reload()
    thread_page.check("the thread page rendered by the server")
    shown = set(thread_page.page.evaluate(read_names))
    on_page = [name for name, _given, _email in people if as_parsed(name) in shown]
    reached(len(on_page), len(names), "display names")

    # The inbox names the newest repliers, each as written.
    newest = [name for name, _given, _email in reversed(people)][: INBOX_PAGES * 20 - len(live_ids)]
    text = ""
    for number in range(1, INBOX_PAGES + 1):
        inbox.goto(f"/notifications?page={number}")
        inbox.check(f"page {number} of the inbox")
        text += inbox.page.locator("ol.notifications").text_content()
    missing = [name for name in newest if as_parsed(name) not in text]
    assert not missing, f"{len(missing)} names missing from the inbox, e.g. {missing[:5]}"
    assert as_parsed(started["thread"]["title"]) in text


def test_the_hooks_catch_a_payload_that_runs(server, open_watched):
    """The watch itself: a page where script does run must fail the check."""
    watched = open_watched("/")
    watched.page.evaluate(
        "() => { alert(1); document.body.insertAdjacentHTML('beforeend', "
        "'<img src=x onerror=confirm(2)>'); }"
    )
    with pytest.raises(AssertionError, match=r"alert\(1\)"):
        watched.check("a page where a payload ran")
