"""Discussion through the browser's forms, with CSRF on as in production."""

import re
from html.parser import HTMLParser

import pytest

from forum.discussion import services
from forum.discussion.models import Post, Thread
from forum.mail import OUTBOX
from tests.conftest import (
    PASSWORD,
    count,
    district,
    make_user,
    opening_of,
    room_of,
    run,
    update,
)

TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    match = TOKEN.search(client.get(url).text)
    return match.group(1) or match.group(2)


def post_form(client, page_url: str, action: str, **data):
    """Submit a form the way a browser does: read the page first for its CSRF token."""
    return client.post(action, data=data | {"csrf_token": csrf_token(client, page_url)})


def register(client, name: str) -> None:
    """Log out whoever is in, then register a new resident of XIII Podgórze through the
    e-mailed link (logged in)."""
    if 'action="/logout"' in client.get("/").text:
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = post_form(
        client,
        "/register",
        "/register",
        display_name=name,
        email=f"{name.lower()}@example.pl",
        password="bezpieczne hasło",
        home_area_id=str(district("XIII").id),
    )
    assert response.status_code == 200
    message = client.application.extensions[OUTBOX][-1]
    link = re.search(r"http://localhost(/register/confirm/\S+)", message.body).group(1)
    assert post_form(client, link, link).status_code == 302


class PostNesting(HTMLParser):
    """Maps each post's id to the id of the post it is rendered under."""

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []
        self.parent_of: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            post_id = dict(attrs).get("id")
            if post_id and post_id.startswith("post-"):
                enclosing = [p for p in self.stack if p]
                self.parent_of[post_id] = enclosing[-1] if enclosing else None
            self.stack.append(post_id if post_id and post_id.startswith("post-") else None)

    def handle_endtag(self, tag):
        if tag == "li" and self.stack:
            self.stack.pop()


def nesting(html: str) -> dict[str, str | None]:
    parser = PostNesting()
    parser.feed(html)
    return parser.parent_of


def test_residents_discuss_in_podgorze_with_nested_replies(csrf_app, client):
    room = room_of("XIII")
    assert room.name == "XIII Podgórze"
    register(client, "Anna")
    response = post_form(
        client,
        f"/rooms/{room.id}",
        f"/rooms/{room.id}/threads",
        title="Ławki na Zabłociu",
        body="Potrzebujemy **ławek**.",
    )
    assert response.status_code == 302
    thread_url = response.headers["Location"]

    register(client, "Jan")
    first = post_form(client, thread_url, thread_url + "/replies", body="Zgadzam się.")
    first_id = first.headers["Location"].split("#post-")[1]

    register(client, "Ola")
    second = post_form(
        client, thread_url, thread_url + "/replies", body="A gdzie dokładnie?", parent_id=first_id
    )
    second_id = second.headers["Location"].split("#post-")[1]

    page = client.get(thread_url).text
    parents = nesting(page)
    opening_id = str(opening_of(int(thread_url.rsplit("/", 1)[1])).id)
    assert parents[f"post-{opening_id}"] is None
    assert parents[f"post-{first_id}"] == f"post-{opening_id}"
    assert parents[f"post-{second_id}"] == f"post-{first_id}"
    assert "<strong>ławek</strong>" in page


def test_script_and_event_handlers_never_reach_the_page(client, auth):
    user = make_user("Mallory")
    auth.login(user)
    body = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) ok"
    response = client.post(
        f"/rooms/{room_of('XIII').id}/threads", data={"title": "Test", "body": body}
    )
    page = client.get(response.headers["Location"]).text
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page


def test_links_in_posts_are_nofollow_ugc_noopener(client, auth):
    auth.login(make_user("Anna"))
    response = client.post(
        f"/rooms/{room_of('XIII').id}/threads",
        data={"title": "Linki", "body": "Zobacz https://www.krakow.pl"},
    )
    page = client.get(response.headers["Location"]).text
    assert 'href="https://www.krakow.pl" rel="nofollow ugc noopener"' in page


def test_form_without_csrf_token_is_refused_and_writes_nothing(csrf_app, client):
    user = make_user("Anna")
    post_form(client, "/login", "/login", email=user.email, password=PASSWORD)
    room_id = room_of("XIII").id
    response = client.post(f"/rooms/{room_id}/threads", data={"title": "Tytuł", "body": "Treść"})
    assert response.status_code == 400
    assert count(Thread) == 0


def test_empty_title_shows_form_error_and_keeps_the_text(client, auth):
    auth.login(make_user("Anna"))
    response = client.post(
        f"/rooms/{room_of('XIII').id}/threads", data={"title": "", "body": "Mój długi tekst"}
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "Mój długi tekst" in response.text
    assert count(Thread) == 0


def test_guest_posting_is_sent_to_log_in(client):
    room_id = room_of("XIII").id
    response = client.post(
        f"/rooms/{room_id}/threads",
        data={"title": "Tytuł", "body": "x"},
        headers={"Referer": f"http://localhost/rooms/{room_id}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next=/rooms/{room_id}")


@pytest.fixture
def thread(app):
    return run(
        services.create_thread, make_user("Autorka"), room_of("XIII").id, "Wątek", "Początek"
    )


def test_reply_to_locked_thread_is_refused_with_message(client, auth, thread):
    update(Thread, thread.id, status="locked")
    auth.login(make_user("Jan"))
    response = client.post(f"/threads/{thread.id}/replies", data={"body": "Hej"})
    assert response.status_code == 409
    assert count(Post) == 1


def test_reply_with_empty_body_is_422(client, auth, thread):
    auth.login(make_user("Jan"))
    response = client.post(f"/threads/{thread.id}/replies", data={"body": "  "})
    assert response.status_code == 422
    assert count(Post) == 1


def test_edit_and_view_history(client, auth, thread):
    author = thread.author
    opening = opening_of(thread.id)
    auth.login(author)
    assert client.get(f"/posts/{opening.id}/edit").status_code == 200
    response = client.post(f"/posts/{opening.id}/edit", data={"body": "Poprawiony początek"})
    assert response.status_code == 302
    page = client.get(f"/threads/{thread.id}").text
    assert "Poprawiony początek" in page and f"/posts/{opening.id}/history" in page
    history = client.get(f"/posts/{opening.id}/history").text
    assert "Poprawiony początek" in history and "Początek" in history


def test_cannot_open_edit_form_of_someone_elses_post(client, auth, thread):
    opening = opening_of(thread.id)
    auth.login(make_user("Jan"))
    assert client.post(f"/posts/{opening.id}/edit", data={"body": "Moje"}).status_code == 403


def test_delete_leaves_tombstone_on_page(client, auth, thread):
    jan = make_user("Jan")
    reply = run(services.create_reply, jan, thread.id, "Do usunięcia")
    run(services.create_reply, thread.author, thread.id, "Odpowiedź zostaje", parent_id=reply.id)
    auth.login(jan)
    assert client.post(f"/posts/{reply.id}/delete").status_code == 302
    page = client.get(f"/threads/{thread.id}").text
    assert "Do usunięcia" not in page
    assert "Odpowiedź zostaje" in page
    assert 'class="tombstone"' in page


def test_unknown_thread_and_room_are_404(client):
    assert client.get("/threads/999999").status_code == 404
    assert client.get("/rooms/999999").status_code == 404


def test_room_page_is_paginated(client, app):
    author = make_user("Autorka")
    room_id = room_of("I").id
    for number in range(app.config["THREADS_PER_PAGE"] + 1):
        run(services.create_thread, author, room_id, f"Wątek numer {number}", "treść")
    first = client.get(f"/rooms/{room_id}").text
    second = client.get(f"/rooms/{room_id}?page=2").text
    assert "Wątek numer 0<" not in first and "Wątek numer 0<" in second
    assert 'rel="next"' in first


def test_ids_beyond_64_bits_are_404_not_a_crash(client):
    assert client.get(f"/threads/{2**64}").status_code == 404
    assert client.get(f"/posts/{2**70}/history").status_code == 404


@pytest.mark.parametrize("parent_id", ["99999999999999999999", "１", "-3", ""])
def test_a_reply_forms_odd_parent_id_is_no_crash(client, auth, thread, parent_id):
    """Not an id: the reply goes under the opening post, as when the field is left empty."""
    auth.login(make_user("Jan"))
    response = client.post(
        f"/threads/{thread.id}/replies", data={"body": "Hej", "parent_id": parent_id}
    )
    assert response.status_code == 302
    assert count(Post, Post.parent_id == opening_of(thread.id).id) == 1
