"""Accessibility in a real browser: axe-core's WCAG 2.0/2.1 A and AA rules on every page, and a
reply written with the keyboard alone.

axe-core is vendored in tests/e2e/vendor (see its README.txt); the forum never serves it.
To cover another page, add a line to PAGES.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import wait_until
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ForumServer, browser_api, call, http_client

pytestmark = pytest.mark.e2e

sync_api = browser_api()  # skips this module without Chromium or Playwright
expect = sync_api.expect

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
WAIT_MS = 10_000
PEOPLE = {  # who: (e-mail, password, display name), as in README.md
    "anna": ("anna@example.pl", "mieszkanka-demo", "Anna Nowak"),  # resident, XIII Podgórze
    "piotr": ("piotr@example.pl", "ambasador-demo", "Piotr Kowalski"),  # ambassador of XIII
    "admin": ("admin@example.pl", "admin-demo-123", "Koordynatorka BO"),
    "jan": ("jan@example.pl", "mieszkaniec-demo", "Jan Zieliński"),  # applied for Zabłocie
    "ewa": ("ewa@example.pl", "ekspertka-demo", "Ewa Wiśniewska"),  # expert of ZZM
    "tomasz": ("tomasz@example.pl", "mieszkaniec2-demo", "Tomasz Wójcik"),  # a draft's author
}
GUEST = None


@dataclass(frozen=True)
class Page:
    """One page to check: `path` may name {room} (XIII Podgórze's room), {zablocie} (its
    osiedle's room), {area} and {district} (XIII Podgórze), {osiedle} (Zabłocie), {city}
    (Kraków), {edited} (a post of Anna's with an edit history), {advert} (the demo's flagged
    post), {restricted} (a restricted room), {ambassador_role} and {confirm} (the link of a
    registration waiting for it);
    `who` is a key of PEOPLE or GUEST.

    lang: "en" arrives through the language switch (/lang/en?next=<path>).
    live: the forum's scripts run and the check waits until the socket has joined (the presence
          line shows); otherwise the scripts are blocked and axe sees the page as the server sent
          it, which is what a browser without JavaScript shows.
    fill, choose, submit: fill these fields, choose these options (by label) in these lists,
          then click `submit`; axe checks the page that comes back.
    status: the HTTP status expected of the page axe checks.
    """

    path: str
    who: str | None = GUEST
    lang: str = "pl"
    live: bool = False
    fill: dict[str, str] = field(default_factory=dict)
    choose: dict[str, str] = field(default_factory=dict)
    submit: str | None = None
    status: int = 200

    def __str__(self) -> str:
        parts = [self.path, self.who or "guest", self.lang]
        parts += ["live"] * self.live + ["submitted"] * bool(self.submit)
        return " ".join(parts)


ACCOUNT_FORM = "form.narrow button[type=submit]"  # log in, register
COMPOSER = "form.composer button[type=submit]"  # new thread, edit a post
REPLY_FORM = "#reply-form button[type=submit]"
REVIEW_FORM = "form.review-form button[type=submit]"
DECLINE_FORM = "form.decline-form button[type=submit]"
MINUTES_PREVIEW = "form.minutes-form button[formaction]"
MINUTES_SAVE = "form.minutes-form button[value=save]"
OUTCOME_FORM = "form.outcome-form button[type=submit]"
PAGES = [
    Page("/"),
    Page("/", lang="en"),
    Page("/", "anna"),
    Page("/", "admin", lang="en"),
    Page("/rooms/{room}"),
    Page("/rooms/{room}", live=True),
    Page("/rooms/{room}", "anna", live=True),
    Page("/rooms/{room}", "piotr", lang="en"),
    Page("/rooms/{room}", "admin"),
    Page("/rooms/{room}", "anna", submit=COMPOSER, status=422),
    Page("/threads/1"),
    Page("/threads/1", live=True),
    Page("/threads/1", "anna"),
    Page("/threads/1", "anna", live=True),
    Page("/threads/1", "anna", lang="en", live=True),
    Page("/threads/1", "piotr", live=True),
    Page("/threads/1", "admin"),
    Page("/threads/1", "admin", lang="en", live=True),
    Page("/threads/1", "anna", fill={"#body": " "}, submit=REPLY_FORM, status=422),
    Page("/login"),
    Page("/login", lang="en"),
    Page(
        "/login",
        fill={"#email": "anna@example.pl", "#password": "not-her-password"},
        submit=ACCOUNT_FORM,
        status=422,
    ),
    Page("/login", lang="en", fill={"#email": "nobody"}, submit=ACCOUNT_FORM, status=422),
    Page("/register"),
    Page("/register", submit=ACCOUNT_FORM, status=422),
    Page("/register", lang="en", submit=ACCOUNT_FORM, status=422),
    Page(  # "check your e-mail" (a new address; a known one gets the same page)
        "/register",
        fill={"#display_name": "Zofia", "#email": "zofia@example.pl", "#password": "długie hasło"},
        choose={"#home_area_id": "XIII Podgórze"},
        submit=ACCOUNT_FORM,
    ),
    Page(
        "/register",
        lang="en",
        fill={"#display_name": "Anna", "#email": "anna@example.pl", "#password": "długie hasło"},
        choose={"#home_area_id": "XIII Podgórze"},
        submit=ACCOUNT_FORM,
    ),
    Page("/register/confirm/{confirm}"),
    Page("/register/confirm/{confirm}", lang="en"),
    Page("/register/confirm/not-a-link", status=400),
    Page("/register/confirm/not-a-link", lang="en", status=400),
    Page("/users/1"),
    Page("/users/3", "anna"),  # the ambassador's profile, with a badge
    Page("/users/5", lang="en"),  # the admin's
    Page("/users/1", "anna"),  # her own: where she is logged in, log out everywhere
    Page("/users/1", "anna", lang="en"),
    Page("/notifications", "anna"),  # replies in her thread
    Page("/notifications", "anna", lang="en"),
    Page("/notifications", "piotr"),  # replies in his walk thread in Zabłocie
    Page("/posts/{edited}/history"),
    Page("/posts/{edited}/history", "anna", lang="en"),
    Page("/posts/{edited}/edit", "anna"),
    Page("/posts/{edited}/edit", "anna", lang="en"),
    Page("/posts/{edited}/edit", "anna", fill={"#body": " "}, submit=COMPOSER, status=422),
    Page("/posts/{edited}/edit", "piotr", status=403),  # not his post: the form is refused too
    # Area pages, applying to be an ambassador, the admins' review, bios ({district}: XIII
    # Podgórze, {osiedle}: Zabłocie; the demo's application 1 is Jan's, pending).
    Page("/areas/{district}"),
    Page("/areas/{osiedle}", lang="en"),
    Page("/areas/{osiedle}", "anna"),
    Page("/areas/{district}", "piotr", lang="en"),
    Page("/areas/{osiedle}/apply", "anna"),
    Page(
        "/areas/{osiedle}/apply",
        "anna",
        lang="en",
        fill={"#motivation": "Krótko.", "#contact": "x"},
        submit=COMPOSER,
        status=422,
    ),
    Page("/admin/applications", "admin"),
    Page("/admin/applications", "admin", lang="en"),
    Page("/admin/applications?page=2", "admin"),  # past the last: a link to the first
    Page(
        "/admin/applications",
        "admin",
        fill={"#reject-1-message": "x"},
        submit="form[action$='/reject'] button[type=submit]",
        status=422,
    ),
    Page("/users/2", "jan"),  # his pending application
    Page("/users/2", "jan", lang="en"),
    Page("/applications/1/withdraw", "jan"),
    Page("/areas/{osiedle}/apply", "jan"),  # his application waits: a note, not the form
    Page("/users/1", "anna", fill={"#bio": "x" * 501}, submit=COMPOSER, status=422),
    # The admin area (issue 8).
    Page("/admin/areas", "admin"),
    Page("/admin/areas/1", "admin"),
    Page("/admin/areas/1", "admin", lang="en"),
    Page(
        "/admin/areas/1",
        "admin",
        fill={"#room-name": "x"},
        submit="#new-room-heading ~ form button",
        status=422,
    ),
    Page("/admin/rooms/{restricted}", "admin"),
    Page("/admin/rooms/{restricted}?q=a", "admin", lang="en"),
    Page("/admin/rooms/{restricted}/archive", "admin"),
    Page("/admin/rooms/{restricted}/members/3/remove", "admin"),
    Page("/admin/units", "admin"),
    Page("/admin/units", "admin", lang="en", submit="#new-unit-heading ~ form button", status=422),
    Page("/admin/units/1", "admin"),
    Page("/admin/users", "admin"),
    Page("/admin/users?q=a", "admin", lang="en"),
    Page("/admin/users/1", "admin"),
    Page("/admin/users/1", "admin", lang="en"),
    Page("/admin/users/5", "admin"),
    Page("/admin/users/1/suspend?duration=7&reason=Spam", "admin"),
    Page("/admin/users/3/roles/{ambassador_role}/withdraw", "admin"),
    Page("/admin/suspensions", "admin"),
    Page("/admin/audit", "admin"),
    Page("/admin/audit", "admin", lang="en"),
    Page("/rooms/{restricted}", "admin", live=True),
    Page("/admin/areas", "anna", status=403),
    # Flags: the form under a post (Jan's reply), the queue and its confirmation pages.
    Page("/posts/2/flag", "anna"),
    Page("/posts/2/flag", "anna", lang="en"),
    Page("/posts/2/flag", "anna", submit=COMPOSER, status=422),
    Page("/moderation", "piotr"),
    Page("/moderation", "admin", lang="en"),
    Page("/moderation?page=2", "piotr"),  # past the last: a link to the first
    Page("/moderation/posts/{advert}/hide", "piotr"),
    Page("/moderation/posts/{advert}/hide", "piotr", submit=COMPOSER, status=422),
    Page("/moderation/posts/{advert}/dismiss", "piotr", lang="en"),
    # Moderation (demo: thread 3 in Zabłocie is locked, its post 8 hidden; Jan is user 2).
    Page("/threads/3"),
    Page("/threads/3", "anna", lang="en"),
    Page("/threads/3", "piotr", live=True),
    Page("/threads/1", "piotr", lang="en"),
    Page("/rooms/{room}/moderation-log"),
    Page("/rooms/{zablocie}/moderation-log", lang="en"),
    Page("/areas/{area}/moderation-log"),
    Page("/areas/{city}/moderation-log", "admin", lang="en"),
    Page("/posts/2/hide", "piotr"),
    Page("/posts/2/hide", "piotr", lang="en", submit=COMPOSER, status=422),
    Page("/threads/1/lock", "piotr"),
    Page("/threads/1/move", "piotr", lang="en"),
    Page("/threads/1/move", "piotr", submit=COMPOSER, status=422),
    Page("/rooms/{room}/mutes/new?user_id=2", "piotr"),
    Page("/rooms/{room}/mutes/new?user_id=2", "piotr", lang="en", submit=COMPOSER, status=422),
    Page("/rooms/{room}/mutes", "piotr"),
    Page("/rooms/{room}/mutes?page=2", "piotr", lang="en"),
    Page("/posts/{edited}/delete", "anna"),
    Page("/posts/{edited}/delete", "anna", lang="en"),
    Page(  # muted: then the mutes page lists Jan with a "lift" button
        "/rooms/{room}/mutes/new?user_id=2",
        "piotr",
        lang="en",
        fill={"#reason": "Spam in every thread"},
        submit=COMPOSER,
    ),
    # Proposal drafts (demo: draft 1 is thread 1 promoted by Piotr and filled in by Anna;
    # draft 2 is Tomasz's own, only named; thread 2 is Piotr's rules thread, not promoted).
    Page("/drafts"),
    Page("/drafts?status=draft", "anna", lang="en"),
    Page("/drafts/1"),
    Page("/drafts/1", "anna", lang="en"),
    Page("/drafts/2", "piotr"),
    Page("/drafts/new", "anna"),
    Page("/drafts/new", "anna", lang="en", submit=COMPOSER, status=422),
    Page("/drafts/1/edit", "anna"),
    Page("/drafts/1/edit", "anna", lang="en"),
    Page(
        "/drafts/1/edit",
        "anna",
        fill={"#cost_items-0-amount": "dużo"},
        submit=COMPOSER,
        status=422,
    ),
    Page("/threads/2/promote", "piotr"),
    Page("/threads/2/promote", "piotr", lang="en"),
    # Status moves and reviews (the demo's drafts: {draft} … {withdrawn} by status, {change}
    # the open change ZZM proposed on the draft in review, its author Anna's to decide).
    Page("/drafts/{in_review}/status"),
    Page("/drafts/{in_review}/status", "anna", lang="en"),
    Page("/drafts/{draft}/status/in_review", "admin"),
    Page("/drafts/{in_review}/status/withdrawn", "anna"),
    Page("/drafts/{ready}/status/revised", "piotr", lang="en"),
    Page("/drafts/{in_review}/reviews"),
    Page("/drafts/{in_review}/reviews", "anna"),
    Page("/drafts/{revised}/reviews", lang="en"),
    Page("/drafts/{withdrawn}/reviews", "anna", lang="en"),
    Page("/drafts/{in_review}/reviews/new", "ewa"),
    Page("/drafts/{in_review}/reviews/new", "ewa", lang="en", submit=REVIEW_FORM, status=422),
    Page("/proposed-changes/{change}"),
    Page("/proposed-changes/{change}", "anna", lang="en", submit=DECLINE_FORM, status=422),
    # A draft's history and co-authors ({history}: Tomasz's, written with Jan; Piotr, user 3, is
    # invited to it).
    Page("/drafts/{history}/revisions"),
    Page("/drafts/{history}/revisions", "anna", lang="en"),
    Page("/drafts/{history}/revisions/2"),
    Page("/drafts/{history}/compare?old=1&new=3"),
    Page("/drafts/{history}/compare?old=1&new=3", "jan", lang="en"),
    Page("/drafts/{history}/coauthors"),
    Page("/drafts/{history}/coauthors", "piotr"),
    Page("/drafts/{history}/coauthors", "tomasz", lang="en"),
    Page(
        "/drafts/{history}/coauthors",
        "jan",
        fill={"#email": "nikt@example.pl"},
        submit=COMPOSER,
        status=422,
    ),
    Page("/drafts/{history}/invitation/decline", "piotr"),
    Page("/drafts/{history}/coauthors/3/remove", "tomasz"),
    Page("/drafts/{history}/leave", "jan", lang="en"),
    # Expert units (demo: ZZM is unit 1; Anna's thread 1 is tagged for it, Ewa took it on and
    # marked her reply, post 3, as ZZM's official answer).
    Page("/units/1", "ewa"),
    Page("/units/1", "ewa", lang="en"),
    Page("/units/1", "admin"),
    Page("/units/1", "anna", status=403),
    Page("/", "ewa"),
    Page("/", "ewa", lang="en"),
    Page("/threads/1", "ewa", live=True),
    Page("/threads/1", "ewa", lang="en"),
    Page("/threads/1/units", "anna"),
    Page("/threads/1/units", "anna", lang="en"),
    Page("/posts/3/official", "ewa"),
    Page("/posts/3/official", "ewa", lang="en"),
    Page("/threads/1/official/1/remove", "ewa"),
    Page("/threads/1/official/1/remove", "ewa", lang="en"),
    Page("/no-such-page", status=404),
    Page("/threads/987654", "anna", lang="en", status=404),
    # Supports, the printable BO form, the export, the budget's lists (issue 9, part E; {supported}:
    # the demo's draft of Zabłocie, which Anna supports and the admin, from I, has not).
    Page("/drafts/{supported}/supports"),
    Page("/drafts/{supported}/supports", "anna"),
    Page("/drafts/{supported}/supports", "admin", lang="en"),
    Page("/drafts/{supported}/support/withdraw", "anna"),
    Page("/drafts/{supported}/print"),
    Page("/drafts/{supported}/print", "anna", lang="en"),
    Page("/drafts/export", "admin"),
    Page("/drafts/export", "admin", lang="en"),
    Page("/admin/budget", "admin"),
    Page(
        "/admin/budget",
        "admin",
        lang="en",
        submit="#new-category-heading ~ form button",
        status=422,
    ),
    Page("/admin/budget/categories/1", "admin"),
    Page("/admin/budget/categories/1/archive", "admin", lang="en"),
    Page("/admin/budget/editions/1", "admin"),
    Page(
        "/admin/budget/editions/1",
        "admin",
        lang="en",
        fill={"#area-1": "dużo"},
        submit="#allocations-heading ~ form button",
        status=422,
    ),
    # The city workshop series (issue 10, part D; {series}: the demo's series, {idea}: Anna's
    # idea answering a need, {need}: the need the coordinator marked).
    Page("/workshops"),
    Page("/workshops", "admin", lang="en"),
    Page("/workshops/{series}"),
    Page("/workshops/{series}", "anna"),
    Page("/workshops/{series}", "admin", lang="en"),
    Page("/workshops/{series}?page=2", "anna"),  # past the last: a link to the first
    Page(
        "/workshops/{series}",
        "anna",
        fill={"#need-title": "x"},
        submit="form[action$='/stages/1/threads'] button[type=submit]",
        status=422,
    ),
    Page("/workshops/new", "admin"),
    Page("/workshops/new", "admin", lang="en", submit=COMPOSER, status=422),
    Page("/workshops/{series}/stages/1/mark", "admin"),
    Page("/workshops/{series}/stages/2/mark", "admin", lang="en"),
    Page("/workshop-items/{idea}/needs", "anna"),
    Page("/workshop-items/{idea}/needs", "anna", lang="en"),
    Page("/workshop-items/{need}/unmark", "admin"),
    Page("/threads/{need_thread}"),  # a need's thread links to the series
    Page("/meetings/{workshop}", "anna", lang="en"),  # a workshop's meeting, to its series
    # Meetings (issue 10, part A; {meeting}: the demo's upcoming meeting in XIII Podgórze, which
    # Piotr hosts, Anna is signed up for and ZZM, Ewa's unit, is invited to).
    Page("/meetings"),
    Page("/meetings?when=past", "anna", lang="en"),
    Page("/meetings?area_id={district}&when=past"),
    Page("/meetings/{meeting}"),
    Page("/meetings/{meeting}", "anna", lang="en"),
    Page("/meetings/{meeting}", "piotr"),
    Page("/meetings/{meeting}", "ewa", lang="en"),
    Page("/rooms/{room}/meetings/new", "piotr"),
    Page("/rooms/{room}/meetings/new", "piotr", lang="en", submit=COMPOSER, status=422),
    Page("/meetings/{meeting}/edit", "piotr", lang="en"),
    Page("/meetings/{meeting}/cancel", "piotr"),
    Page("/meetings/{meeting}/cancel", "piotr", lang="en", submit=COMPOSER, status=422),
    Page("/meetings/{meeting}/signup/withdraw", "anna"),
    # After a meeting (issue 10, part C; {past}: the demo's meeting that ended last week in XIII
    # Podgórze, with minutes, attendance and two outcomes, {past_outcome} the first).
    Page("/meetings/{past}"),
    Page("/meetings/{past}", "anna", lang="en"),
    Page("/meetings/{past}", "piotr"),
    Page("/meetings/{past}/minutes", "piotr"),
    Page("/meetings/{past}/minutes", "piotr", lang="en"),
    Page("/meetings/{past}/minutes", "piotr", submit=MINUTES_PREVIEW),
    Page(
        "/meetings/{past}/minutes",
        "piotr",
        lang="en",
        fill={"#source": " "},
        submit=MINUTES_SAVE,
        status=422,
    ),
    Page(
        "/meetings/{past}/minutes",
        "piotr",
        fill={"#outcome-address": "/rooms/1"},
        submit=OUTCOME_FORM,
        status=422,
    ),
    Page("/meetings/{past}/attendance", "piotr"),
    Page("/meetings/{past}/attendance", "piotr", lang="en"),
    Page("/meetings/{past}/outcomes/{past_outcome}/remove", "piotr"),
    # A meeting while it runs (issue 10, part B; {live_meeting}: the demo's meeting running in
    # Zabłocie, hosted by Piotr, on its second item, ZZM invited).
    Page("/meetings/{live_meeting}"),
    Page("/meetings/{live_meeting}", live=True),
    Page("/meetings/{live_meeting}", "anna", live=True),
    Page("/meetings/{live_meeting}", "piotr", lang="en", live=True),
    Page("/meetings/{live_meeting}", "piotr"),
    Page(
        "/meetings/{live_meeting}",
        "anna",
        lang="en",
        fill={"#question": " "},
        submit=".question-form button[type=submit]",
        status=422,
    ),
    Page("/rooms/{zablocie}"),
    Page("/rooms/{zablocie}", "anna", live=True),
]


def fill_and_submit(page, check: Page):
    """Fill the page's form as the check says, submit it, and return the answer's response."""
    for selector, value in check.fill.items():
        page.fill(selector, value)
    for selector, label in check.choose.items():
        page.select_option(selector, label=label)
    with page.expect_navigation() as navigation:
        page.click(check.submit)
    return navigation.value


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    forum = ForumServer(tmp_path_factory.mktemp("accessibility") / "forum.db")
    forum.start()
    yield forum
    forum.stop()


@pytest.fixture(scope="module")
def places(server) -> dict[str, int]:
    """The ids the paths of PAGES name: a district room, and a post of Anna's she has edited."""
    status, body = call(http_client(), "GET", server.url + "/api/v1/rooms")
    assert status == 200, body
    room = next(r["id"] for r in body["rooms"] if r["slug"] == "xiii-podgorze")
    areas = {r["slug"]: r["area_id"] for r in body["rooms"]}
    zablocie = next(r["id"] for r in body["rooms"] if r["slug"] == "zablocie")
    area = next(r["area_id"] for r in body["rooms"] if r["slug"] == "xiii-podgorze")
    city = next(r["area_id"] for r in body["rooms"] if r["track"] == "city")

    anna = http_client()
    email, password, _name = PEOPLE["anna"]
    status, body = call(
        anna, "POST", server.url + "/api/v1/session", {"email": email, "password": password}
    )
    assert status == 200, body
    status, body = call(
        anna,
        "POST",
        server.url + "/api/v1/threads/1/posts",
        {"body": "Skwer przy Lipowej: *klony*."},
    )
    assert status == 201, body
    edited = body["post"]["id"]
    status, body = call(
        anna,
        "PATCH",
        f"{server.url}/api/v1/posts/{edited}",
        {"body": "Poprawka: **lipy**, nie klony. Zob. [plan](https://example.org/plan)."},
    )
    assert status == 200, body
    return {
        "room": room,
        "zablocie": zablocie,
        "area": area,
        "city": city,
        "edited": edited,
        "confirm": registration_link(server),
        "district": areas["xiii-podgorze"],
        "osiedle": areas["zablocie"],
        **admin_places(server),
        **flag_places(server),
        **draft_places(server),
        **history_places(server),
        **supported_places(server),
        **workshop_places(server),
        **meeting_places(server),
        **meeting_after_places(server),
        **meeting_live_places(server),
    }


def admin_places(server) -> dict[str, int]:
    """The demo's restricted room and the ambassador's role, with one change in the audit log."""
    admin = http_client()
    email, password, _name = PEOPLE["admin"]
    call(admin, "POST", server.url + "/api/v1/session", {"email": email, "password": password})
    status, body = call(admin, "GET", server.url + "/api/v1/admin/areas")
    assert status == 200, body
    restricted = next(
        room["id"]
        for area in body["areas"]
        for room in area["rooms"]
        if room["slug"] == "koordynacja-ambasadorow"
    )
    status, body = call(admin, "GET", server.url + "/api/v1/admin/users/3")
    assert status == 200, body
    role = body["user"]["roles"][0]["id"]
    status, body = call(
        admin, "POST", server.url + "/api/v1/admin/units", {"code": "ZIM", "name": "Inwestycje"}
    )
    assert status == 201, body
    return {"restricted": restricted, "ambassador_role": role}


def flag_places(server) -> dict[str, int]:
    """The demo's post that two residents flagged."""
    piotr = http_client()
    email, password, _name = PEOPLE["piotr"]
    call(piotr, "POST", server.url + "/api/v1/session", {"email": email, "password": password})
    status, body = call(piotr, "GET", server.url + "/api/v1/flags")
    assert status == 200, body
    return {"advert": body["posts"][0]["post"]["id"]}


def draft_places(server) -> dict[str, int]:
    """The demo's first draft at each status, and an open proposed change (ZZM's, on a draft in
    review by Anna: {in_review} is that draft)."""
    client, found, reviewed = http_client(), {}, {}
    for draft_id in range(1, 40):
        status, body = call(client, "GET", f"{server.url}/api/v1/drafts/{draft_id}/status")
        if status != 200:
            continue
        found.setdefault(body["status"], draft_id)
        if body["status"] == "in_review" and "change" not in reviewed:
            status, body = call(client, "GET", f"{server.url}/api/v1/drafts/{draft_id}/reviews")
            assert status == 200, body
            for change in (c for r in body["reviews"] for c in r["changes"]):
                if change["status"] == "open":
                    reviewed = {"in_review": draft_id, "change": change["id"]}
                    break
    return found | reviewed


def history_places(server) -> dict[str, int]:
    """The demo's draft with a history, found through Piotr's invitation to it."""
    piotr = http_client()
    email, password, _name = PEOPLE["piotr"]
    call(piotr, "POST", server.url + "/api/v1/session", {"email": email, "password": password})
    status, body = call(piotr, "GET", server.url + "/api/v1/notifications")
    assert status == 200, body
    invited = next(n for n in body["notifications"] if n["kind"] == "coauthor_invited")
    return {"history": invited["draft"]["id"]}


def supported_places(server) -> dict[str, int]:
    """The demo's draft of Zabłocie, with supports."""
    status, body = call(http_client(), "GET", server.url + "/api/v1/drafts?per_page=100")
    assert status == 200, body
    drafts = body["drafts"]
    return {"supported": next(d["id"] for d in drafts if d["title"].startswith("Stoły do gry"))}


def workshop_places(server) -> dict[str, int]:
    """The demo's workshop series, Anna's idea that answers a need, the need the coordinator
    marked (not its author)."""
    client = http_client()
    status, body = call(client, "GET", server.url + "/api/v1/workshops")
    assert status == 200, body
    series = body["series"][0]["id"]
    status, body = call(client, "GET", f"{server.url}/api/v1/workshops/{series}")
    assert status == 200, body
    idea = next(i["id"] for i in body["ideas"] if i["answers"] and i["author"]["id"] == 1)
    need = next(n for n in body["needs"] if n["marked_by"]["id"] != n["author"]["id"])
    return {
        "series": series,
        "idea": idea,
        "need": need["id"],
        "need_thread": need["thread"]["id"],
        "workshop": body["series"]["stages"][0]["meeting"]["id"],
    }


def meeting_places(server) -> dict[str, int]:
    """The demo's upcoming meeting in XIII Podgórze."""
    status, body = call(http_client(), "GET", server.url + "/api/v1/meetings?per_page=100")
    assert status == 200, body
    return {"meeting": next(m["id"] for m in body["meetings"] if m["title"].startswith("Zieleń w"))}


def meeting_after_places(server) -> dict[str, int]:
    """The demo's past meeting with published minutes, and its first outcome."""
    client = http_client()
    status, body = call(client, "GET", server.url + "/api/v1/meetings?when=past&per_page=100")
    assert status == 200, body
    past = next(m["id"] for m in body["meetings"] if m["has_minutes"])
    status, record = call(client, "GET", f"{server.url}/api/v1/meetings/{past}/record")
    assert status == 200, record
    return {"past": past, "past_outcome": record["outcomes"][0]["id"]}


def meeting_live_places(server) -> dict[str, int]:
    """The demo's meeting running now, from the banner on its room's page (Zabłocie)."""
    status, body = call(http_client(), "GET", server.url + "/api/v1/rooms")
    assert status == 200, body
    room = next(r["id"] for r in body["rooms"] if r["slug"] == "zablocie")
    page = http_client().open(f"{server.url}/rooms/{room}", timeout=10).read().decode()
    banner = page.split('id="meeting-banner"', 1)[1]
    return {"live_meeting": int(re.search(r'href="/meetings/(\d+)"', banner).group(1))}


def registration_link(server) -> str:
    """Register a newcomer through the form; the token of the link the console shows."""
    newcomer, email = http_client(), "nowa@example.pl"
    form = newcomer.open(server.url + "/register", timeout=10).read().decode()
    district = re.search(r'<option value="(\d+)">XIII Podgórze</option>', form).group(1)
    data = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1],
        "display_name": "Nowa",
        "email": email,
        "password": "długie hasło 123",
        "home_area_id": district,
    }
    with newcomer.open(server.url + "/register", urlencode(data).encode(), timeout=10) as sent:
        assert sent.status == 200
    link = wait_until(lambda: server.registration_link(email), what="the link in the console")
    return link.rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sessions(browser, server) -> dict:
    """Each person's logged-in browser state (cookies), logged in once through the API."""
    states = {GUEST: None}
    for who, (email, password, _name) in PEOPLE.items():
        context = browser.new_context()
        response = context.request.post(
            server.url + "/api/v1/session",
            data=json.dumps({"email": email, "password": password}),
            headers={"Content-Type": "application/json"},
        )
        assert response.status == 200, response.text()
        states[who] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def new_page(browser, sessions):
    """new_page(who, scripts=True): a page in a browser context of its own."""
    contexts, errors = [], []

    def new_page(who: str | None, scripts: bool = True):
        context = browser.new_context(locale="pl-PL", storage_state=sessions[who])
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        if not scripts:  # the forum's own scripts; axe is evaluated in the page, not fetched
            context.route("**/static/js/**", lambda route: route.abort())
            context.route("**/static/vendor/**", lambda route: route.abort())
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(error))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def wait_until_live(page, who: str | None) -> None:
    """The socket has connected and joined: the presence line shows who is here (a guest
    counts among the guests; a person is named)."""
    presence = page.locator("#presence")
    expect(presence).not_to_be_empty(timeout=WAIT_MS)
    if who is not GUEST:
        expect(presence).to_contain_text(PEOPLE[who][2], timeout=WAIT_MS)


def run_axe(page) -> dict:
    # Evaluated, not added as a <script>: the pages' Content-Security-Policy refuses inline scripts.
    page.evaluate(AXE.read_text())
    return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)


def describe(violations: list[dict], nodes_shown: int = 3) -> str:
    """Each violation: rule id, impact, help, and its first few targets with their HTML."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({len(nodes)} element{'s' * (len(nodes) != 1)}; {violation['helpUrl']})"
        )
        for node in nodes[:nodes_shown]:
            # One selector per frame; a list of them where it goes through shadow roots.
            parts = [p if isinstance(p, str) else " >> ".join(p) for p in node["target"]]
            target = " >> ".join(parts)
            html = " ".join(node["html"].split())
            lines.append(f"    {target}: {html[:200]}")
        if len(nodes) > nodes_shown:
            lines.append(f"    … and {len(nodes) - nodes_shown} more")
    return "\n".join(lines)


@pytest.mark.parametrize("check", PAGES, ids=str)
def test_page_has_no_wcag_a_or_aa_violations(check: Page, server, places, new_page):
    page = new_page(check.who, scripts=check.live)
    path = check.path.format(**places)
    if check.lang == "pl":
        url = server.url + path
    else:  # through the language switch in the footer
        url = f"{server.url}/lang/{check.lang}?{urlencode({'next': path})}"
    response = page.goto(url)
    if check.submit:
        assert response.status == 200, f"{path}: HTTP {response.status} before submitting"
        response = fill_and_submit(page, check)
    assert response.status == check.status, f"{check}: HTTP {response.status}, not {check.status}"
    assert page.locator("html").get_attribute("lang") == check.lang
    if check.live:
        wait_until_live(page, check.who)

    results = run_axe(page)

    assert results["passes"], "axe checked nothing: was it injected?"
    violations = results["violations"]
    if violations:
        summary = f"{check}: {len(violations)} WCAG A/AA rule(s) fail"
        pytest.fail(f"{summary}\n{describe(violations)}", pytrace=False)


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
    text: (el.textContent || "").trim().slice(0, 40),
    outline: style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0
      ? "none" : `${style.outlineStyle} ${style.outlineWidth}`,
    shadow: style.boxShadow,
  };
}"""


def shows_focus(focused: dict) -> bool:
    return focused["outline"] not in ("none", "") or focused["shadow"] not in ("none", "")


def test_keyboard_alone_reaches_the_reply_form_and_sends_a_reply(server, new_page):
    page = new_page("anna")
    page.goto(server.url + "/threads/1")
    wait_until_live(page, "anna")

    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STYLE)
    assert "skip-link" in first["cls"], f"the first Tab stop is {first}, not the skip link"
    assert shows_focus(first), f"the skip link shows no focus: {first}"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0, "the skip link stays off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    passed, unseen = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused["id"] == "body":
            break
        passed.append(focused)
        if focused["tag"] in ("a", "button", "summary") and not shows_focus(focused):
            unseen.append(focused)
    else:
        pytest.fail(f"200 Tab presses after the skip link never reached #body: {passed[-5:]}")
    # Links and reply boxes on the way (Delete is a link to its confirmation page now); the
    # Send button's focus is checked below.
    assert {"a", "summary"} <= {f["tag"] for f in passed}, passed
    assert not unseen, f"focus is not visible on: {unseen}"
    assert shows_focus(page.evaluate(FOCUS_STYLE)), "the reply box shows no focus"

    body = f"Napisane samą klawiaturą {uuid.uuid4().hex[:8]}"
    page.keyboard.type(body)
    page.keyboard.press("Tab")
    send = page.evaluate(FOCUS_STYLE)
    assert send["tag"] == "button" and shows_focus(send), send
    page.keyboard.press("Space")

    expect(page.locator(".post-tree .post-body", has_text=body)).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#body")).to_have_value("")
