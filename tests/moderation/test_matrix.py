"""Who may moderate, over every route: the HTML forms and the API. An ambassador of I Stare
Miasto cannot act in XIII Podgórze, nor can a resident or a guest; an ambassador of XIII can, in
XIII and in its osiedle Zabłocie."""

import pytest

from forum.discussion import services
from forum.moderation import services as moderation
from forum.moderation.models import ModerationEntry
from tests.conftest import PASSWORD, count, make_user, room_by_slug, room_of, run

ACTIONS = ["hide", "restore", "lock", "pin", "move", "mute"]


@pytest.fixture
def scene(app):
    """A thread with a reply in XIII's main room and one in Zabłocie; a hidden reply in each."""
    anna, jan = make_user("Anna"), make_user("Jan")
    admin = make_user("Admin", role="admin")
    made = {"anna": anna, "jan": jan}
    for place, room in [("XIII", room_of("XIII")), ("zablocie", room_by_slug("zablocie"))]:
        thread = run(services.create_thread, anna, room.id, f"Wątek {place}", "Treść")
        reply = run(services.create_reply, jan, thread.id, "Odpowiedź")
        hidden = run(services.create_reply, jan, thread.id, "Do przywrócenia")
        run(moderation.hide_post, admin, hidden.id, "Wcześniej ukryty")
        made[place] = {"thread": thread, "reply": reply, "hidden": hidden, "room": room}
    return made


def destination(_place: str = ""):
    return room_by_slug("plaszow")


def form_request(action, target, jan):
    """(method, url, data) of the HTML form that does the action."""
    thread, reply, hidden = target["thread"], target["reply"], target["hidden"]
    return {
        "hide": ("POST", f"/posts/{reply.id}/hide", {"reason": "Powód"}),
        "restore": ("POST", f"/posts/{hidden.id}/restore", {}),
        "lock": ("POST", f"/threads/{thread.id}/lock", {"reason": ""}),
        "pin": ("POST", f"/threads/{thread.id}/pin", {}),
        "move": ("POST", f"/threads/{thread.id}/move", {"room_id": destination("").id}),
        "mute": (
            "POST",
            f"/rooms/{target['room'].id}/mutes/new",
            {"user_id": jan.id, "minutes": "60", "reason": "Powód"},
        ),
    }[action]


def api_request(action, target, jan):
    thread, reply, hidden = target["thread"], target["reply"], target["hidden"]
    return {
        "hide": ("PUT", f"/api/v1/posts/{reply.id}/hidden", {"reason": "Powód"}),
        "restore": ("DELETE", f"/api/v1/posts/{hidden.id}/hidden", None),
        "lock": ("PUT", f"/api/v1/threads/{thread.id}/lock", {}),
        "pin": ("PUT", f"/api/v1/threads/{thread.id}/pin", {}),
        "move": ("POST", f"/api/v1/threads/{thread.id}/move", {"room_id": destination("").id}),
        "mute": (
            "POST",
            f"/api/v1/rooms/{target['room'].id}/mutes",
            {"user_id": jan.id, "minutes": 60, "reason": "Powód"},
        ),
    }[action]


def confirmation_url(action, target, jan):
    thread, reply = target["thread"], target["reply"]
    return {
        "hide": f"/posts/{reply.id}/hide",
        "lock": f"/threads/{thread.id}/lock",
        "move": f"/threads/{thread.id}/move",
        "mute": f"/rooms/{target['room'].id}/mutes/new?user_id={jan.id}",
    }.get(action)


def client_as(app, api, who):
    client = api if api is not None else app.test_client()
    user = {
        "guest": None,
        "resident": make_user("Mieszkanka"),
        "amb1": make_user("Ewa", role="ambassador", scope="I"),
        "amb13": make_user("Piotr", role="ambassador", scope="XIII"),
    }[who]
    if user is not None:
        if api is not None:
            api.login(user)
        else:
            client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def send(client, method, url, data, json=False):
    if json:
        return (
            client.open(url, method=method, json=data)
            if data is not None
            else client.open(url, method=method)
        )
    return client.open(url, method=method, data=data)


REFUSED = [("guest", (302, 401)), ("resident", (403,)), ("amb1", (403,))]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("who", "statuses"), REFUSED)
@pytest.mark.parametrize("place", ["XIII", "zablocie"])
def test_forms_refuse_those_who_do_not_moderate_here(app, scene, action, who, statuses, place):
    client = client_as(app, None, who)
    before = count(ModerationEntry)
    url = confirmation_url(action, scene[place], scene["jan"])
    if url:
        assert client.get(url).status_code in statuses
    method, url, data = form_request(action, scene[place], scene["jan"])
    assert send(client, method, url, data).status_code in statuses
    assert count(ModerationEntry) == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("who", "statuses"), REFUSED)
@pytest.mark.parametrize("place", ["XIII", "zablocie"])
def test_the_api_refuses_those_who_do_not_moderate_here(app, scene, action, who, statuses, place):
    from tests.moderation.conftest import ApiClient

    api = client_as(app, ApiClient(app, app.response_class, use_cookies=True), who)
    before = count(ModerationEntry)
    method, url, data = api_request(action, scene[place], scene["jan"])
    answer = send(api, method, url, data, json=True)
    assert answer.status_code in statuses
    expected = "not_authenticated" if who == "guest" else "forbidden"
    assert answer.get_json()["error"]["code"] == expected
    assert count(ModerationEntry) == before


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("place", ["XIII", "zablocie"])
@pytest.mark.parametrize("route", ["form", "api"])
def test_the_districts_ambassador_may_here_and_in_its_osiedle(app, scene, action, place, route):
    from tests.moderation.conftest import ApiClient

    api = ApiClient(app, app.response_class, use_cookies=True) if route == "api" else None
    client = client_as(app, api, "amb13")
    before = count(ModerationEntry)
    if route == "form":
        url = confirmation_url(action, scene[place], scene["jan"])
        if url:
            assert client.get(url).status_code == 200
        method, url, data = form_request(action, scene[place], scene["jan"])
        assert send(client, method, url, data).status_code == 302
    else:
        method, url, data = api_request(action, scene[place], scene["jan"])
        assert send(client, method, url, data, json=True).status_code in (200, 201)
    assert count(ModerationEntry) == before + 1
