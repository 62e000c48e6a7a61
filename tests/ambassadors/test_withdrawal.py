"""A withdrawn ambassador loses moderation at once: their open sockets, then every request."""

from forum.accounts import services as accounts
from forum.accounts.models import RoleGrant
from forum.ambassadors import services
from forum.discussion import services as discussion
from forum.extensions import db
from forum.realtime import events
from tests.ambassadors.conftest import CONTACT, MOTIVATION, zablocie_id
from tests.conftest import make_user, opening_of, room_by_slug, run


def test_an_approved_ambassador_moderates_until_withdrawn(app, api, connect, anna, jan):
    admin = make_user("Admin", role="admin")
    application = run(services.apply, anna, zablocie_id(), MOTIVATION, CONTACT)
    run(services.approve, admin, application.id)
    thread = run(
        discussion.create_thread, jan, room_by_slug("zablocie").id, "Ławki", "Więcej ławek!"
    )
    post_id = opening_of(thread.id).id
    api.login(anna)
    sock = connect(api)
    stream = f"area:{zablocie_id()}"
    assert sock.emit(events.JOIN, {"stream": stream})["stream"] == stream
    hidden = api.put(f"/api/v1/posts/{post_id}/hidden", json={"reason": "Próba"})
    assert hidden.status_code == 200  # the approval gave her moderation of the osiedle
    api.delete(f"/api/v1/posts/{post_id}/hidden")
    sock.get_received()

    def withdraw(actor):
        grant = db.session.scalars(db.select(RoleGrant).where(RoleGrant.user_id == anna.id)).one()
        accounts.withdraw_role(actor, grant, "Dziękujemy za pracę.")

    run(withdraw, admin)
    closed = sock.received_named(events.STREAM_CLOSED)
    assert closed == [{"stream": stream, "reason": "access_withdrawn"}]
    assert sock.emit(events.JOIN, {"stream": stream})["error"]["code"] == "forbidden"
    refused = api.put(f"/api/v1/posts/{post_id}/hidden", json={"reason": "Jeszcze raz"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    page = api.get(f"/api/v1/areas/{zablocie_id()}").get_json()["area"]
    assert page["ambassadors"] == [] and page["can_apply"] is True
