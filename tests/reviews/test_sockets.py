"""Status moves and reviews live: on the draft's stream, the units' queues and the people's own
streams (each payload checked against its declared shape by the test socket)."""

from sqlalchemy import select

from forum.drafts import status
from forum.extensions import db
from forum.realtime import events
from forum.reviews import services
from forum.reviews.models import ProposedChange
from tests.conftest import PASSWORD, app_context, make_user, run
from tests.reviews.conftest import make_draft, unit_id


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def test_a_move_and_a_review_arrive_on_the_draft_the_unit_and_the_authors_streams(app, connect):
    anna, marek = make_user("Anna"), make_user("Marek")
    ewa = make_user("Ewa", role="expert", scope="ZZM")
    draft_id = make_draft(anna, coauthors=(marek,))
    page = connect(app.test_client())
    assert page.emit(events.JOIN, {"stream": f"draft:{draft_id}"})["stream"] == f"draft:{draft_id}"
    queue = connect(logged_in(app, ewa))
    unit = f"unit:{unit_id('ZZM')}"
    assert queue.emit(events.JOIN, {"stream": unit})["stream"] == unit
    inbox = connect(logged_in(app, marek))
    assert inbox.emit(events.JOIN, {"stream": f"user:{marek.id}"})["stream"] == f"user:{marek.id}"

    run(status.move, anna, draft_id, "in_review", "Prosimy.")
    [moved] = page.received_named(events.DRAFT_UPDATED)
    assert (moved["draft"]["id"], moved["draft"]["status"]) == (draft_id, "in_review")
    assert queue.received_named(events.DRAFT_UPDATED)[0]["draft"]["status"] == "in_review"
    [told] = inbox.received_named(events.NOTIFICATION)
    assert told["notification"]["kind"] == "draft_in_review"
    assert told["notification"]["draft"]["id"] == draft_id

    review = run(
        services.add_review,
        ewa,
        draft_id,
        opinion="needs_changes",
        body="Proszę poprawić tytuł.",
        changes=[("title", "Zielony skwer")],
    )
    [added] = page.received_named(events.REVIEW_ADDED)
    assert added["review"]["id"] == review.id
    assert added["review"]["changes"][0]["status"] == "open"
    assert queue.received_named(events.REVIEW_ADDED)[0]["review"]["unit"]["code"] == "ZZM"
    assert inbox.received_named(events.NOTIFICATION)[-1]["notification"]["kind"] == "review_added"


def test_a_decision_on_a_change_arrives_with_the_new_revision(app, connect):
    anna = make_user("Anna")
    ewa = make_user("Ewa", role="expert", scope="ZZM")
    draft_id = make_draft(anna, status="in_review")
    review = run(
        services.add_review,
        ewa,
        draft_id,
        opinion="needs_changes",
        body="Tytuł.",
        changes=[("title", "Zielony skwer")],
    )
    page = connect(app.test_client())
    page.emit(events.JOIN, {"stream": f"draft:{draft_id}"})
    expert = connect(logged_in(app, ewa))
    expert.emit(events.JOIN, {"stream": f"user:{ewa.id}"})
    with app_context():
        change_id = db.session.scalar(
            select(ProposedChange.id).where(ProposedChange.review_id == review.id)
        )
    run(services.accept_change, anna, change_id)
    updated, decided = page.received_named(events.DRAFT_UPDATED, events.REVIEW_ADDED)
    assert (updated["draft"]["title"], updated["draft"]["version"]) == ("Zielony skwer", 2)
    assert decided["review"]["changes"][0]["status"] == "accepted"
    assert decided["review"]["changes"][0]["revision_number"] == 2
    [told] = expert.received_named(events.NOTIFICATION)
    assert told["notification"]["kind"] == "change_accepted"
