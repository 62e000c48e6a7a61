"""Flags live: each area's moderators follow its stream, and only they may."""

from forum.flags import services
from forum.realtime import events
from tests.conftest import PASSWORD, district, run


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def city_id(app) -> int:
    from sqlalchemy import select

    from forum.areas.models import Area
    from forum.extensions import db
    from tests.conftest import app_context

    with app_context():
        return db.session.scalar(select(Area.id).where(Area.kind == "city"))


def test_the_districts_ambassador_gets_a_flag_raised_in_an_osiedle(
    app, connect, post, jan, piotr, admin
):
    stream = f"area:{district('XIII').id}"
    sock = connect(logged_in(app, piotr))
    assert sock.emit(events.JOIN, {"stream": stream, "after": 0})["stream"] == stream
    city = f"area:{city_id(app)}"
    admins = connect(logged_in(app, admin))
    assert admins.emit(events.JOIN, {"stream": city})["stream"] == city
    flag = run(services.flag_post, jan, post.id, "offensive", "Obraża")
    [raised] = sock.received_named(events.FLAG_RAISED)
    assert raised["stream"] == stream and raised["seq"] == 1
    assert raised["flag"]["id"] == flag.id and raised["flag"]["post_id"] == post.id
    assert raised["flag"]["text"] == "Obraża" and raised["flag"]["flagger"]["id"] == jan.id
    assert admins.received_named(events.FLAG_RAISED)[0]["stream"] == city
    run(services.dismiss, piotr, post.id, "")
    [resolved] = sock.received_named(events.FLAG_RESOLVED)
    assert resolved["flag"]["outcome"] == "dismissed" and resolved["seq"] == 2


def test_a_late_joiner_catches_up(app, connect, post, jan, piotr):
    stream = f"area:{district('XIII').id}"
    run(services.flag_post, jan, post.id, "spam")
    sock = connect(logged_in(app, piotr))
    ack = sock.emit(events.JOIN, {"stream": stream, "after": 0})
    assert [e["name"] for e in ack["events"]] == ["flag_raised"]
    assert ack["events"][0]["data"]["flag"]["flagger"]["id"] == jan.id


def test_others_may_not_follow_the_districts_stream(app, connect, post, jan, marek):
    stream = f"area:{district('XIII').id}"
    for user in (marek, jan):
        sock = connect(logged_in(app, user))
        assert sock.emit(events.JOIN, {"stream": stream})["error"]["code"] == "forbidden"
    guest = connect(app.test_client())
    assert guest.emit(events.JOIN, {"stream": stream})["error"]["code"] == "not_authenticated"
    # Nor the city's, which an ambassador of one district does not moderate.
    sock = connect(logged_in(app, marek))
    refused = sock.emit(events.JOIN, {"stream": f"area:{city_id(app)}"})
    assert refused["error"]["code"] == "forbidden"
