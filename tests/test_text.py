"""Text people write (forum/text.py): titles, bodies, display names and hide reasons are stored
NFC and refused, with a field error naming the problem, when they hold control characters, bidi
controls, lone surrogates or nothing visible; display names may not pass for staff.

Each table runs through every way the field is written: the form, the API, the socket."""

import time
import unicodedata

import pytest
from flask import render_template_string
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from forum import text
from forum.accounts.models import PendingRegistration, User
from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.errors import ValidationError
from forum.extensions import db
from forum.realtime import events
from tests.api.conftest import ApiClient
from tests.conftest import (
    PASSWORD,
    app_context,
    count,
    district,
    get,
    make_user,
    opening_of,
    room_of,
    run,
)
from tests.sockets import CheckedSocket

DECOMPOSED = "Krako\u0301w"  # o + COMBINING ACUTE ACCENT, as some keyboards and macOS send it
COMPOSED = "Kraków"
assert DECOMPOSED != COMPOSED and unicodedata.normalize("NFC", DECOMPOSED) == COMPOSED

# Only invisible: each is refused wherever text is written.
INVISIBLE_ONLY = [
    "\u200b\u200b\u200b\u200b",  # ZERO WIDTH SPACE (the audit's title and body)
    "\u200c\u200d\u2060\ufeff",  # joiners, WORD JOINER, BOM
    "\u3164\u3164\u3164",  # HANGUL FILLER
    "\u115f\u1160\uffa0",  # Hangul choseong/jungseong and halfwidth fillers
    "\u2800\u2800\u2800",  # BRAILLE PATTERN BLANK
    "\ufe0f\ufe0e\U000e0100",  # variation selectors
    "\U000e0041\U000e0042\U000e007f",  # tag characters
    "\u180e\u00ad\u034f",  # MONGOLIAN VOWEL SEPARATOR, SOFT HYPHEN, COMBINING GRAPHEME JOINER
    "\u200b \u3000 \u2800",  # invisibles between spaces
]
# Refused in every field, with the code point named in the message.
FORBIDDEN_EVERYWHERE = [
    ("Park\x00przy Lipowej", "U+0000"),  # NUL (the audit's)
    ("Park \u202eywokez", "U+202E"),  # RIGHT-TO-LEFT OVERRIDE (the audit's)
    ("\u202aPark\u202c", "U+202A"),
    ("Park \u2066Lipowa\u2069", "U+2066"),  # isolates
    ("Park\x07dzwonek", "U+0007"),
    ("Park\x1bpowrót", "U+001B"),
    ("Park\x7fusuń", "U+007F"),
    ("Park\x85dalej", "U+0085"),  # C1: NEXT LINE
    ("Park\x9bdalej", "U+009B"),
]
# Refused in titles, names and reasons; a body may keep them.
FORBIDDEN_IN_A_LINE = [
    ("Park\u200eprzy Lipowej", "U+200E"),  # LEFT-TO-RIGHT MARK
    ("Park\u200f", "U+200F"),  # RIGHT-TO-LEFT MARK
    ("Park\u061c", "U+061C"),  # ARABIC LETTER MARK
    ("Park\nprzy Lipowej", None),
    ("Park\tprzy Lipowej", None),
    ("Park\u2028przy Lipowej", None),  # LINE SEPARATOR
]
# Accepted one-line values: what is stored.
ACCEPTED_LINES = [
    (DECOMPOSED + " Podgórze", COMPOSED + " Podgórze"),
    ("  Ławka przy Wiśle  ", "Ławka przy Wiśle"),
    ("Rodzina 👨\u200d👩\u200d👧 w parku", "Rodzina 👨\u200d👩\u200d👧 w parku"),  # ZWJ sequence
    ("Serce ❤\ufe0f dla parku", "Serce ❤\ufe0f dla parku"),  # VARIATION SELECTOR-16
    ("Kawiarnia \u05e9\u05dc\u05d5\u05dd", "Kawiarnia \u05e9\u05dc\u05d5\u05dd"),  # Hebrew
    ("Ścieżka ＃1", "Ścieżka ＃1"),  # compatibility forms stay as written (NFC, not NFKC)
]
ACCEPTED_BODIES = [
    (DECOMPOSED, COMPOSED),
    ("Pierwsza linia\r\ndruga\rtrzecia", "Pierwsza linia\ndruga\ntrzecia"),
    ("Lista:\n\n\t- punkt", "Lista:\n\n\t- punkt"),
    (
        "Cytat: \u200f\u05e9\u05dc\u05d5\u05dd\u200f, 2024",
        "Cytat: \u200f\u05e9\u05dc\u05d5\u05dd\u200f, 2024",
    ),
    ("\u200bWidać mnie", "\u200bWidać mnie"),
]
REFUSED_LINES = (
    [(value, None) for value in INVISIBLE_ONLY] + FORBIDDEN_EVERYWHERE + FORBIDDEN_IN_A_LINE
)
REFUSED_BODIES = [(value, None) for value in INVISIBLE_ONLY] + FORBIDDEN_EVERYWHERE

# Display names that pass for staff (badge words, titles, unit codes and names), however spelled.
IMPERSONATING_NAMES = [
    "Koordynatorka BO",  # the audit's: the admin badge in Polish
    "Koordynator BO",
    "Coordinator",
    "Ambasador",
    "Ambasadorka XIII Podgórze",
    "Ambassador",
    "Ekspert ZZM",
    "\u0415k\u0455\u0440\u0435rt ZZ\u041c",  # "Ekspert ZZM" with Cyrillic Е, ѕ, р, е, М
    "Ekspertka",
    "Εxpert",  # Greek capital epsilon
    "𝐄𝐤𝐬𝐩𝐞𝐫𝐭",  # mathematical bold
    "ＥＫＳＰＥＲＴ",  # fullwidth
    "E k s p e r t",
    "Eks\u200bpert",  # zero-width space inside
    "3kspert",
    "Administrator",
    "Adm1n",
    "admin",
    "Moderatorka",
    "Urząd Miasta",
    "Urzad Miasta Krakowa",
    "Wspólne Projekty",
    "wspolne_projekty",
    "ZZM",
    "Z.Z.M.",
    "Ewa z MOPS",
    "Zarząd Zieleni Miejskiej",
    "Wydział Edukacji",
]
ACCEPTED_NAMES = [
    ("Anna", "Anna"),
    ("Weronika", "Weronika"),  # starts with the unit code WE
    ("Zisek", "Zisek"),  # starts with ZIS
    ("Ewa Wiśniewska", "Ewa Wiśniewska"),
    ("Grzegorz Brzęczyszczykiewicz", "Grzegorz Brzęczyszczykiewicz"),
    ("Łukasz Nowak", "Łukasz Nowak"),
    (DECOMPOSED + "wianka", COMPOSED + "wianka"),
    ("Bożena 🌻", "Bożena 🌻"),
    ("Mieszkanka Podgórza", "Mieszkanka Podgórza"),
]


def expected_problem(app, value: str, *, multiline: bool = False) -> str:
    """The message the forum gives for a refused value, in the default locale (Polish)."""
    with app.test_request_context("/"):
        cleaned, problem = text.clean(value, multiline=multiline)
    assert problem is not None, f"{value!r} should be refused"
    return problem


def check_named(problem: str, code_point: str | None) -> None:
    if code_point:
        assert code_point in problem


# --- forum/text.py itself ------------------------------------------------------------------


def test_refused_values_get_a_message_naming_the_problem(app):
    for value, code_point in REFUSED_LINES:
        check_named(expected_problem(app, value), code_point)
    for value, code_point in REFUSED_BODIES:
        check_named(expected_problem(app, value, multiline=True), code_point)


def test_accepted_values_are_stored_nfc_and_trimmed(app):
    with app.test_request_context("/"):
        for value, stored in ACCEPTED_LINES:
            assert text.clean(value) == (stored, None), value
        for value, stored in ACCEPTED_BODIES + ACCEPTED_LINES:
            assert text.clean(value, multiline=True) == (stored, None), value


def test_a_lone_surrogate_is_refused_everywhere(app):
    """Half of a UTF-16 pair cannot be stored or sent as UTF-8: refused before it gets there."""
    for value in ("\ud800", "Park \udfff", "\udc00\udbff"):
        assert "U+D" in expected_problem(app, value)
        assert "U+D" in expected_problem(app, value, multiline=True)


def test_messages_are_polish_by_default_and_english_on_request(app):
    with app.test_request_context("/"):
        assert text.clean("Park\u202e")[1] == "Usuń znak sterujący kierunkiem tekstu U+202E."
        assert text.clean("\u200b\u200b")[1] == (
            "Wpisz coś widocznego: są tu same niewidoczne znaki."
        )
        with force_locale("en"):
            assert text.clean("Park\x00")[1] == "Remove the control character U+0000."
            assert text.clean("\u200b\u200b")[1] == (
                "Write something visible: this has only invisible characters."
            )


@pytest.mark.parametrize("name", IMPERSONATING_NAMES)
def test_staff_titles_and_badge_words_are_found_however_spelled(name):
    assert text.impersonates(name) is not None


@pytest.mark.parametrize(("name", "_stored"), ACCEPTED_NAMES)
def test_ordinary_names_are_not_taken_for_staff(name, _stored):
    assert text.impersonates(name) is None


def test_the_badge_labels_the_pages_show_are_staff_words(app):
    """The words come from the badges: if a label changes, the list must follow."""
    macro = '{% from "macros/people.html" import badge_label %}{{ badge_label(role) }}'
    for locale in ("pl", "en"):
        with app.test_request_context("/"), force_locale(locale):
            for role in ("ambassador", "expert", "admin"):
                label = render_template_string(macro, role=role)
                assert text.impersonates(label) is not None, (locale, role, label)


def test_a_whole_body_is_checked_quickly(app):
    """The check runs on the source before rendering: linear, even on the longest body."""
    limit = app.config["BODY_MAX_LENGTH"]
    bodies = ["\u200b" * limit, "[" * limit, "a\u0301" * (limit // 2), "x" * (limit - 1) + "\x00"]
    with app.test_request_context("/"):
        for body in bodies:
            started = time.perf_counter()
            text.clean(body, multiline=True)
            assert time.perf_counter() - started < 0.05, f"{body[:10]!r}…"


# --- thread titles and bodies: services, forms, API, socket --------------------------------


@pytest.fixture
def anna_in(app, anna):
    """A browser-like client logged in as Anna."""
    client = app.test_client()
    assert (
        client.post("/login", data={"email": anna.email, "password": PASSWORD}).status_code == 302
    )
    return client


@pytest.fixture
def anna_api(app, anna):
    api = ApiClient(app, app.response_class, use_cookies=True)
    api.login(anna)
    return api


def posts_and_threads() -> tuple[int, int]:
    return count(Thread), count(Post)


def new_thread_url() -> str:
    return f"/rooms/{room_of('XIII').id}/threads"


def test_thread_form_refuses_bad_titles_and_bodies(app, anna_in):
    before = posts_and_threads()
    attempts = [(title, "Treść", expected_problem(app, title)) for title, _ in REFUSED_LINES]
    attempts += [
        ("Park", body, expected_problem(app, body, multiline=True)) for body, _ in REFUSED_BODIES
    ]
    for title, body, message in attempts:
        response = anna_in.post(new_thread_url(), data={"title": title, "body": body})
        assert response.status_code == 422, (title, body)
        assert str(escape(message)) in response.text, (title, body)
    assert posts_and_threads() == before


def test_thread_form_stores_titles_and_bodies_nfc(app, anna_in):
    for title, stored in ACCEPTED_LINES:
        response = anna_in.post(new_thread_url(), data={"title": title, "body": DECOMPOSED})
        assert response.status_code == 302, title
        with app_context():
            thread = db.session.scalars(select(Thread).order_by(Thread.id.desc())).first()
            assert thread.title == stored
        assert opening_of(thread.id).body_source == COMPOSED


def test_api_refuses_bad_titles_with_a_field_error(app, anna_api):
    before = posts_and_threads()
    for title, code_point in REFUSED_LINES:
        response = anna_api.post(
            f"/api/v1{new_thread_url()}",
            json={"title": title, "body": "Treść"},
        )
        assert response.status_code == 422, title
        fields = response.get_json()["error"]["fields"]
        assert fields == {"title": expected_problem(app, title)}, title
        check_named(fields["title"], code_point)
    assert posts_and_threads() == before


def test_api_refuses_bad_bodies_in_threads_replies_and_edits(app, anna_api, thread):
    before = posts_and_threads()
    opening = opening_of(thread.id)
    for body, code_point in REFUSED_BODIES:
        message = expected_problem(app, body, multiline=True)
        check_named(message, code_point)
        attempts = [
            anna_api.post(f"/api/v1{new_thread_url()}", json={"title": "Park", "body": body}),
            anna_api.post(f"/api/v1/threads/{thread.id}/posts", json={"body": body}),
            anna_api.patch(f"/api/v1/posts/{opening.id}", json={"body": body}),
        ]
        for response in attempts:
            assert response.status_code == 422, (body, response.request.path)
            assert response.get_json()["error"]["fields"] == {"body": message}
    assert posts_and_threads() == before
    assert get(Post, opening.id).body_source == opening.body_source


def test_api_stores_bodies_nfc_in_threads_replies_and_edits(app, anna_api, thread):
    opening = opening_of(thread.id)
    for body, stored in ACCEPTED_BODIES:
        created = anna_api.post(
            f"/api/v1{new_thread_url()}", json={"title": DECOMPOSED, "body": body}
        )
        assert created.status_code == 201, body
        assert created.get_json()["thread"]["title"] == COMPOSED
        assert opening_of(created.get_json()["thread"]["id"]).body_source == stored
        reply = anna_api.post(f"/api/v1/threads/{thread.id}/posts", json={"body": body})
        assert get(Post, reply.get_json()["post"]["id"]).body_source == stored
        anna_api.patch(f"/api/v1/posts/{opening.id}", json={"body": "Inna treść"})
        assert anna_api.patch(f"/api/v1/posts/{opening.id}", json={"body": body}).status_code == 200
        assert get(Post, opening.id).body_source == stored


def test_reply_and_edit_forms_refuse_bad_bodies(app, anna_in, thread):
    before = posts_and_threads()
    opening = opening_of(thread.id)
    for body, _ in REFUSED_BODIES:
        message = str(escape(expected_problem(app, body, multiline=True)))
        reply = anna_in.post(f"/threads/{thread.id}/replies", data={"body": body})
        edit = anna_in.post(f"/posts/{opening.id}/edit", data={"body": body})
        for response in (reply, edit):
            assert response.status_code == 422, (body, response.request.path)
            assert message in response.text, (body, response.request.path)
    assert posts_and_threads() == before
    assert get(Post, opening.id).body_source == opening.body_source


def test_reply_form_stores_a_decomposed_body_composed_and_crlf_as_lf(app, anna_in, thread):
    response = anna_in.post(
        f"/threads/{thread.id}/replies", data={"body": f"{DECOMPOSED}\r\nPodgórze"}
    )
    assert response.status_code == 302
    with app_context():
        reply = db.session.scalars(select(Post).where(Post.parent_id.is_not(None))).one()
        assert reply.body_source == f"{COMPOSED}\nPodgórze"


@pytest.fixture
def anna_socket(app, anna_in):
    sock = CheckedSocket(app, anna_in)
    yield sock
    if sock.is_connected():
        sock.disconnect()


def test_socket_reply_refuses_bad_bodies_with_an_error_ack(app, anna_socket, thread):
    before = posts_and_threads()
    for body, _ in REFUSED_BODIES:
        ack = anna_socket.emit(events.POST_REPLY, {"thread_id": thread.id, "body": body})
        assert ack["error"]["code"] == "invalid", body
        assert ack["error"]["fields"] == {"body": expected_problem(app, body, multiline=True)}
    # The payload's parsing may answer a lone surrogate first, in its own words.
    assert "error" in anna_socket.emit(
        events.POST_REPLY, {"thread_id": thread.id, "body": "\ud800"}
    )
    assert posts_and_threads() == before


def test_socket_reply_stores_bodies_nfc(app, anna_socket, thread):
    for body, stored in ACCEPTED_BODIES:
        ack = anna_socket.emit(events.POST_REPLY, {"thread_id": thread.id, "body": body})
        assert get(Post, ack["post_id"]).body_source == stored


def test_services_refuse_lone_surrogates_in_titles_and_bodies(anna):
    room_id = room_of("XIII").id
    for value in ("Tytuł \ud800", "\udc00"):
        for title, body in ((value, "Treść"), ("Park", value)):
            with pytest.raises(ValidationError) as refused:
                run(services.create_thread, anna, room_id, title, body)
            assert "U+D" in next(iter(refused.value.fields.values()))
    assert posts_and_threads() == (0, 0)


# --- hide reasons --------------------------------------------------------------------------


@pytest.fixture
def ambassador_api(app):
    client = ApiClient(app, app.response_class, use_cookies=True)
    client.login(make_user("Amb", role="ambassador", scope="XIII"))
    return client


def test_hiding_refuses_bad_reasons_and_stores_good_ones_nfc(app, ambassador_api, thread):
    url = f"/api/v1/posts/{opening_of(thread.id).id}/hidden"
    for reason, _ in REFUSED_LINES:
        response = ambassador_api.put(url, json={"reason": reason})
        assert response.status_code == 422, reason
        assert response.get_json()["error"]["fields"] == {"reason": expected_problem(app, reason)}
        assert opening_of(thread.id).hidden_at is None
    for reason, stored in ACCEPTED_LINES:
        assert ambassador_api.put(url, json={"reason": reason}).status_code == 200, reason
        assert opening_of(thread.id).hidden_reason == stored
        assert ambassador_api.delete(url).status_code == 200


# --- display names -------------------------------------------------------------------------


def register_form(name: str) -> dict:
    return {
        "display_name": name,
        "email": "nowa@example.pl",
        "password": "długie hasło 123",
        "home_area_id": str(district("XIII").id),
    }


def test_registration_refuses_names_with_bad_characters(app, client):
    for name, _ in REFUSED_LINES:
        response = client.post("/register", data=register_form(name))
        assert response.status_code == 422, name
        assert str(escape(expected_problem(app, name))) in response.text, name
    assert count(User) == count(PendingRegistration) == 0


def test_registration_refuses_names_that_pass_for_staff(client):
    for name in IMPERSONATING_NAMES:
        response = client.post("/register", data=register_form(name))
        assert response.status_code == 422, name
        assert "odznaki zespołu forum" in response.text, name
    assert count(User) == count(PendingRegistration) == 0


def pending_name() -> str:
    """The name of the registration waiting for its e-mail link."""
    with app_context():
        return db.session.scalars(select(PendingRegistration.display_name)).one()


@pytest.mark.parametrize(("name", "stored"), ACCEPTED_NAMES + ACCEPTED_LINES[:2])
def test_registration_keeps_an_accepted_name_nfc(client, name, stored):
    response = client.post("/register", data=register_form(name))
    assert response.status_code == 200
    assert pending_name() == stored


def test_a_name_is_measured_after_normalising(client):
    """60 letters written decomposed are 120 code points, and still a name of 60."""
    assert client.post("/register", data=register_form("o\u0301" * 60)).status_code == 200
    assert pending_name() == "ó" * 60
