"""What a live page shows once it has joined its stream, or once somebody starts writing, takes
nobody's place: nothing moves under the reader's pointer. (A click whose press lands on a link
and whose release lands on what moved into its place clicks nothing.) Chromium's layout-shift
entries, the Layout Instability API, say what moved and from where."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORDS, browser_api, podgorze_room

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

WAIT_MS = 10_000  # for anything that arrives over the socket
THREAD = "/threads/1"  # the demo's "Więcej zieleni na Zabłociu"
ANNA = ("anna@example.pl", DEMO_PASSWORDS["anna@example.pl"], "Anna Nowak")
JAN = ("jan@example.pl", DEMO_PASSWORDS["jan@example.pl"], "Jan Zieliński")

# Run before the page's own scripts, on every page the browser opens from then on.
RECORD_SHIFTS = """
window.layoutShifts = [];
const describe = (node) =>
  node ? `${node.nodeName.toLowerCase()}#${node.id}.${node.className}` : "?";
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    window.layoutShifts.push(entry.sources.map((source) =>
      `${describe(source.node)}: y ${source.previousRect.y} → ${source.currentRect.y}, ` +
      `height ${source.previousRect.height} → ${source.currentRect.height}`));
  }
}).observe({ type: "layout-shift", buffered: true });
"""

# The entries of the frames painted so far reach the observer in a task after the next frame.
SHIFTS_SO_FAR = """async () => {
  await new Promise((done) =>
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done))));
  return window.layoutShifts;
}"""


def recording_shifts(open_page, person, path: str):
    """person's page at path, logged in, with every layout shift since it began loading kept."""
    page = open_page(person, "/")
    page.add_init_script(RECORD_SHIFTS)
    page.goto(page.url.rstrip("/") + path)
    assert page.evaluate("Array.isArray(window.layoutShifts)")
    return page


def test_a_room_page_moves_nothing_once_it_has_joined(open_page, forum_server):
    # The district's room lists its meetings, with the link to schedule one, below who is here.
    page = recording_shifts(open_page, ANNA, f"/rooms/{podgorze_room(forum_server)}")
    expect(page.locator("#upcoming-meetings")).to_be_visible()
    expect(page.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)
    assert page.evaluate(SHIFTS_SO_FAR) == []


def test_a_thread_moves_nothing_once_somebody_starts_writing(open_page):
    anna = recording_shifts(open_page, ANNA, THREAD)
    jan = open_page(JAN, THREAD)
    expect(anna.locator("#presence")).to_contain_text(JAN[2], timeout=WAIT_MS)
    expect(jan.locator("#presence")).to_contain_text(ANNA[2], timeout=WAIT_MS)
    anna.locator("#body").scroll_into_view_if_needed()  # her reply form, below who writes
    jan.locator("#body").press_sequentially("Myślę, że", delay=20)
    expect(anna.locator("#typing")).to_contain_text(JAN[2], timeout=WAIT_MS)
    assert anna.evaluate(SHIFTS_SO_FAR) == []
