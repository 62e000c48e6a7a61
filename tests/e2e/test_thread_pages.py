"""A long thread read in slices, in a real browser against a real server whose slices hold two
replies (THREAD_SLICE_POSTS=2), so the demo's first thread has two: Jan's reply with Ewa's answer
under it, then Piotr's.

Without JavaScript and by keyboard: "show more" and back; a link to a post lands on its slice.
Live: a new top-level reply appears on the last slice only (a notice elsewhere), a nested one
where its parent is, an edit of a post elsewhere changes nothing. axe-core finds nothing on them.
"""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import ForumServer, browser_api, call, logged_in

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

from tests.e2e.test_accessibility import describe, run_axe  # noqa: E402

WAIT_MS = 10_000
THREAD = "/threads/1"
ANNA = ("anna@example.pl", "mieszkanka-demo", "Anna Nowak")
JAN = ("jan@example.pl", "mieszkaniec-demo", "Jan Zieliński")


@pytest.fixture
def forum_server(tmp_path):
    """The forum with slices of two replies (open_page uses this server)."""
    server = ForumServer(tmp_path / "forum.db", THREAD_SLICE_POSTS="2")
    server.start()
    yield server
    server.stop()


def slices(server) -> list[list[int]]:
    """The ids of the top-level replies on each slice of thread 1, from the API."""
    found = []
    page, pages = 1, 1
    while page <= pages:
        url = f"{server.url}/api/v1{THREAD}?page={page}"
        status, body = call(logged_in(server, "anna@example.pl"), "GET", url)
        assert status == 200, body
        pages = body["slice"]["pages"]
        found.append([reply["id"] for reply in body["post"]["replies"]])
        page += 1
    return found


def no_violations(page) -> None:
    violations = run_axe(page)["violations"]
    assert not violations, describe(violations)


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def page_without_scripts(browser, forum_server):
    """Anna's page with the forum's scripts blocked (as without JavaScript), where axe-core can
    still be evaluated."""
    context = browser.new_context(locale="pl-PL")
    context.set_default_timeout(WAIT_MS)
    context.route("**/static/js/**", lambda route: route.abort())
    context.route("**/static/vendor/**", lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{forum_server.url}/login?next={THREAD}")
    page.fill("#email", ANNA[0])
    page.fill("#password", ANNA[1])
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(f"{forum_server.url}{THREAD}")
    yield page
    context.close()


def test_slices_without_javascript_by_keyboard(page_without_scripts, forum_server):
    (first, *_), (second, *_) = slices(forum_server)
    anna = page_without_scripts
    expect(anna.locator(f"#post-{first}")).to_be_visible()
    expect(anna.locator(f"#post-{second}")).to_have_count(0)
    expect(anna.locator(".slice-nav a[rel=prev]")).to_have_count(0)
    no_violations(anna)

    anna.locator(".slice-nav a[rel=next]").focus()
    anna.keyboard.press("Enter")
    anna.wait_for_url(f"**{THREAD}?page=2")
    expect(anna.locator(f"#post-{second}")).to_be_visible()
    expect(anna.locator("#post-1")).to_be_visible()  # the opening post is on every slice
    expect(anna.locator(f"#post-{first}")).to_have_count(0)
    expect(anna.locator(".slice-nav a[rel=next]")).to_have_count(0)  # the last slice
    no_violations(anna)

    anna.locator(".slice-nav a[rel=prev]").first.focus()
    anna.keyboard.press("Enter")
    anna.wait_for_url(f"**{THREAD}")
    expect(anna.locator(f"#post-{first}")).to_be_visible()

    anna.goto(f"{forum_server.url}/posts/{second}")
    assert anna.url.endswith(f"{THREAD}?page=2#post-{second}"), anna.url
    expect(anna.locator(f"#post-{second}")).to_be_visible()


def test_live_updates_on_a_slice(open_page, forum_server):
    first = slices(forum_server)[0][0]  # Jan's reply, on the first slice
    anna = open_page(ANNA, THREAD)  # the first slice
    jan = open_page(JAN, f"{THREAD}?page=2")  # the last
    for page, name in ((anna, JAN[2]), (jan, ANNA[2])):
        expect(page.locator("#presence")).to_contain_text(name, timeout=WAIT_MS)
    count = int(anna.locator(".meta .reply-count").get_attribute("data-count"))

    # A new top-level reply: on the last slice it appears, on the first a notice links to it.
    body = unique("Na koniec wątku")
    jan.fill("#body", body)
    jan.locator("#reply-form button[type=submit]").click()
    expect(jan.locator("#post-1 > ol.replies > li.post", has_text=body)).to_be_visible(
        timeout=WAIT_MS
    )
    notice = anna.locator("#newer-replies")
    expect(notice).to_be_visible(timeout=WAIT_MS)
    expect(anna.locator(".post", has_text=body)).to_have_count(0)
    expect(anna.locator(".meta .reply-count")).to_have_attribute("data-count", str(count + 1))
    no_violations(anna)
    link = notice.locator("a")
    new_id = jan.locator("#post-1 > ol.replies > li.post", has_text=body).get_attribute("id")
    assert link.get_attribute("href").endswith(f"/posts/{new_id.removeprefix('post-')}")

    # A reply under a post of the first slice: Anna sees it there, Jan's page stays as it is.
    answer = unique("Pod odpowiedzią Jana")
    anna.locator(f"#post-{first} > article .reply-box summary").click()
    anna.fill(f"#reply-to-{first}", answer)
    anna.locator(f"#post-{first} > article .reply-box button[type=submit]").click()
    expect(anna.locator(f"#post-{first} > ol.replies > li.post", has_text=answer)).to_be_visible(
        timeout=WAIT_MS
    )
    expect(jan.locator(".meta .reply-count")).to_have_attribute(
        "data-count", str(count + 2), timeout=WAIT_MS
    )
    expect(jan.locator(".post", has_text=answer)).to_have_count(0)

    # Jan edits his post on the first slice: Anna sees the edit, Jan's last slice ignores it.
    edited = unique("Poprawione przez Jana")
    status, body_json = call(
        logged_in(forum_server, "jan@example.pl"),
        "PATCH",
        f"{forum_server.url}/api/v1/posts/{first}",
        {"body": edited},
    )
    assert status == 200, body_json
    expect(anna.locator(f"#post-{first} > article .post-body")).to_contain_text(
        edited, timeout=WAIT_MS
    )
    expect(jan.locator(f"#post-{first}")).to_have_count(0)
    no_violations(jan)

    # Following the notice's link lands on the slice that holds the new reply (the third now:
    # Anna's answer made the first top-level reply larger than a slice, it reads on in the next).
    link.click()
    anna.wait_for_url(f"**{THREAD}?page=3#{new_id}")
    expect(anna.locator(f"#{new_id}")).to_be_visible()
