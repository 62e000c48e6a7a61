"""Reviews through their services: who may review, what a review holds, the changes it proposes
and the authors accepting or declining them, each published and told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.drafts.models import Draft, DraftRevision
from forum.errors import DomainError
from forum.extensions import db
from forum.notifications.models import Notification
from forum.reviews import services
from forum.reviews.models import ProposedChange, Review
from tests.conftest import app_context, count, get, make_user, run, update
from tests.reviews.conftest import SHORT, events_of, make_draft, unit_id

REVIEW = {
    "opinion": "needs_changes",
    "checklist": {"site_city_owned": True, "within_cost_cap": True, "within_competence": None},
    "cost_remarks": "Drzewa kosztują więcej.",
    "body": "Teren jest miejski; proszę urealnić koszty.",
}


@pytest.fixture
def anna(app):
    return make_user("Anna")


@pytest.fixture
def ewa(app):
    return make_user("Ewa", role="expert", scope="ZZM")


@pytest.fixture
def draft_id(anna):
    return make_draft(anna, status="in_review")


def review(expert, draft_id: int, **overrides) -> Review:
    return run(services.add_review, expert, draft_id, **(REVIEW | overrides))


def refused(service, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        run(service, *args, **kwargs)
    return error.value


def test_an_expert_of_a_tagged_unit_reviews_the_current_revision(ewa, draft_id):
    made = review(ewa, draft_id, changes=[("title", "Zielony skwer"), ("locations", ["Lipowa 5"])])
    stored = get(Review, made.id)
    assert (stored.draft_id, stored.unit_id, stored.revision_number) == (
        draft_id,
        unit_id("ZZM"),
        1,
    )
    assert (stored.opinion, stored.author_id) == ("needs_changes", ewa.id)
    assert (stored.site_city_owned, stored.within_cost_cap) == (True, True)
    assert (stored.deliverable_in_year, stored.within_competence) == (None, None)
    assert stored.body == REVIEW["body"] and stored.cost_remarks == REVIEW["cost_remarks"]
    with app_context():
        changes = db.session.scalars(
            select(ProposedChange).where(ProposedChange.review_id == made.id)
        ).all()
        assert [(c.field, c.value, c.status) for c in changes] == [
            ("title", "Zielony skwer", "open"),
            ("locations", ["Lipowa 5"], "open"),
        ]


def test_a_review_is_published_on_the_draft_and_the_unit_and_told_to_the_authors(app, ewa):
    anna, marek = make_user("Anna"), make_user("Marek")
    draft_id = make_draft(anna, status="in_review", coauthors=(marek,))
    made = review(ewa, draft_id)
    assert events_of("draft", draft_id)[-1] == ("review_added", made.id)
    assert events_of("unit", unit_id("ZZM"))[-1] == ("review_added", made.id)
    with app_context():
        told = db.session.execute(
            select(Notification.user_id, Notification.kind, Notification.unit_id)
        ).all()
    assert sorted(told) == sorted(
        [(anna.id, "review_added", unit_id("ZZM")), (marek.id, "review_added", unit_id("ZZM"))]
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("resident", "not_reviewer"),
        ("author", "not_reviewer"),
        ("other unit", "not_reviewer"),
        ("ambassador", "not_reviewer"),
        ("admin", "not_reviewer"),
    ],
)
def test_only_an_expert_of_a_tagged_unit_reviews(anna, draft_id, who, code):
    asker = {
        "resident": lambda: make_user("Jan"),
        "author": lambda: anna,
        "other unit": lambda: make_user("Adam", role="expert", scope="ZDMK"),
        "ambassador": lambda: make_user("Piotr", role="ambassador", scope="XIII"),
        "admin": lambda: make_user("Koordynatorka", role="admin"),
    }[who]()
    assert refused(services.add_review, asker, draft_id, **REVIEW).code == code
    assert count(Review) == 0


@pytest.mark.parametrize("status", ["draft", "revised", "ready", "withdrawn"])
def test_reviews_are_written_only_in_review(anna, ewa, status):
    draft_id = make_draft(anna, status=status)
    assert refused(services.add_review, ewa, draft_id, **REVIEW).code == "not_in_review"


def test_a_unit_reviews_each_revision_once(ewa, draft_id):
    review(ewa, draft_id)
    colleague = make_user("Ala", role="expert", scope="ZZM")
    error = refused(services.add_review, colleague, draft_id, **REVIEW)
    assert (error.status, error.code) == (409, "already_reviewed")
    update(Draft, draft_id, version=2)
    assert review(colleague, draft_id).revision_number == 2


def test_an_expert_of_two_tagged_units_names_the_one_reviewing(anna):
    from forum.accounts.models import RoleGrant
    from forum.transactions import transaction

    expert = make_user("Ewa", role="expert", scope="ZZM")
    with app_context(), transaction():
        db.session.add(RoleGrant(user_id=expert.id, role="expert", unit_id=unit_id("ZDMK")))
    draft_id = make_draft(anna, status="in_review", units=("ZZM", "ZDMK"))
    error = refused(services.add_review, expert, draft_id, **REVIEW)
    assert (error.status, list(error.fields)) == (422, ["unit_id"])
    assert refused(services.add_review, expert, draft_id, unit_id=unit_id("WE"), **REVIEW).code == (
        "not_reviewer"
    )
    assert review(expert, draft_id, unit_id=unit_id("ZDMK")).unit_id == unit_id("ZDMK")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opinion": "great"}, "opinion"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"cost_remarks": "x" * 5_001}, "cost_remarks"),
        ({"body": "a\u202eb"}, "body"),
        ({"checklist": {"site_city_owned": "yes"}}, "checklist.site_city_owned"),
        ({"checklist": {"beautiful": True}}, "checklist.beautiful"),
        ({"changes": [("colour", "green")]}, "changes.colour"),
        ({"changes": [("title", "A"), ("title", "B")]}, "changes.title"),
        ({"changes": [("title", "x" * 201)]}, "changes.title"),
        ({"changes": [("title", "Skwer przy Lipowej")]}, "changes.title"),
        ({"changes": [("cost_items", [{"item": "Drzewa", "amount": 0}])]}, "changes.cost_items"),
        ({"changes": [("deliverable_in_year", "tak")]}, "changes.deliverable_in_year"),
        ({"changes": [("category_id", 999)]}, "changes.category_id"),
        ({"changes": [("short_description", SHORT)]}, "changes.short_description"),
    ],
)
def test_a_wrong_review_names_each_wrong_field_and_stores_nothing(ewa, draft_id, overrides, field):
    error = refused(services.add_review, ewa, draft_id, **(REVIEW | overrides))
    assert error.status == 422 and field in error.fields
    assert count(Review) == 0 and count(ProposedChange) == 0


# --- the authors decide ----------------------------------------------------------------------


@pytest.fixture
def change_id(ewa, draft_id):
    made = review(ewa, draft_id, changes=[("title", "Zielony skwer przy Lipowej")])
    with app_context():
        return db.session.scalar(
            select(ProposedChange.id).where(ProposedChange.review_id == made.id)
        )


def test_accepting_a_change_applies_it_as_a_new_revision(anna, ewa, draft_id, change_id):
    run(services.accept_change, anna, change_id)
    draft = get(Draft, draft_id)
    assert (draft.title, draft.version) == ("Zielony skwer przy Lipowej", 2)
    change = get(ProposedChange, change_id)
    assert (change.status, change.decided_by_id, change.revision_number) == ("accepted", anna.id, 2)
    assert change.decided_at is not None
    with app_context():
        revision = db.session.scalars(
            select(DraftRevision).where(
                DraftRevision.draft_id == draft_id, DraftRevision.number == 2
            )
        ).one()
        assert revision.content["title"] == "Zielony skwer przy Lipowej"
        assert revision.author_id == anna.id and "ZZM" in revision.note
        told = db.session.execute(
            select(Notification.user_id, Notification.kind).where(Notification.user_id == ewa.id)
        ).all()
    assert told == [(ewa.id, "change_accepted")]
    names = [name for name, _subject in events_of("draft", draft_id)]
    assert names[-2:] == ["draft_updated", "review_added"]
    assert events_of("unit", unit_id("ZZM"))[-1][0] == "review_added"


def test_a_coauthor_decides_too(app, ewa):
    anna, marek = make_user("Anna"), make_user("Marek")
    draft_id = make_draft(anna, status="in_review", coauthors=(marek,))
    made = review(ewa, draft_id, changes=[("beneficiaries", "Wszyscy mieszkańcy.")])
    run(services.accept_change, marek, _first_change(made.id))
    assert get(Draft, draft_id).beneficiaries == "Wszyscy mieszkańcy."


def _first_change(review_id: int) -> int:
    with app_context():
        return db.session.scalar(
            select(ProposedChange.id).where(ProposedChange.review_id == review_id)
        )


def test_declining_a_change_keeps_the_draft_and_the_reason(anna, ewa, draft_id, change_id):
    run(services.decline_change, anna, change_id, "  Tytuł ma zostać krótki. ")
    draft = get(Draft, draft_id)
    assert (draft.title, draft.version) == ("Skwer przy Lipowej", 1)
    change = get(ProposedChange, change_id)
    assert (change.status, change.decline_reason) == ("declined", "Tytuł ma zostać krótki.")
    assert change.revision_number is None
    with app_context():
        told = db.session.execute(
            select(Notification.kind, Notification.message).where(Notification.user_id == ewa.id)
        ).all()
    assert told == [("change_declined", "Tytuł ma zostać krótki.")]
    assert events_of("draft", draft_id)[-1][0] == "review_added"


@pytest.mark.parametrize("reason", ["", "  ", "ok", "x" * 501])
def test_declining_needs_a_reason(anna, change_id, reason):
    error = refused(services.decline_change, anna, change_id, reason)
    assert (error.status, list(error.fields)) == (422, ["reason"])
    assert get(ProposedChange, change_id).status == "open"


@pytest.mark.parametrize("decide", ["accept", "decline"])
def test_only_the_authors_decide(app, change_id, ewa, decide):
    for asker in (make_user("Jan"), ewa, make_user("Koordynatorka", role="admin")):
        if decide == "accept":
            error = refused(services.accept_change, asker, change_id)
        else:
            error = refused(services.decline_change, asker, change_id, "Bo nie.")
        assert error.code == "not_draft_author"
    assert get(ProposedChange, change_id).status == "open"


def test_a_change_is_decided_once(anna, draft_id, change_id):
    run(services.decline_change, anna, change_id, "Bo nie.")
    assert refused(services.accept_change, anna, change_id).code == "change_decided"
    assert refused(services.decline_change, anna, change_id, "Znowu.").code == "change_decided"
    assert get(Draft, draft_id).version == 1


def test_a_ready_draft_takes_no_decisions(anna, draft_id, change_id):
    update(Draft, draft_id, status="ready")
    assert refused(services.accept_change, anna, change_id).code == "draft_closed"


def test_an_unknown_change_is_not_found(anna):
    assert refused(services.accept_change, anna, 424242).code == "not_found"


def test_a_change_over_the_cost_cap_is_refused_and_changes_nothing(anna, ewa, draft_id):
    made = review(ewa, draft_id, changes=[("cost_items", [{"item": "Park", "amount": 5_000_000}])])
    change_id = _first_change(made.id)
    error = refused(services.accept_change, anna, change_id)
    assert (error.status, error.code) == (422, "over_cost_cap")
    assert get(ProposedChange, change_id).status == "open"
    assert get(Draft, draft_id).version == 1


def test_a_change_on_an_edited_field_still_applies_and_the_review_names_its_revision(
    anna, draft_id, change_id
):
    from forum.drafts.services import save

    run(lambda user: save(db.session.get(Draft, draft_id), user, {"title": "Skwer"}, 1), anna)
    run(services.accept_change, anna, change_id)
    assert get(Draft, draft_id).title == "Zielony skwer przy Lipowej"
    assert get(ProposedChange, change_id).revision_number == 3


def test_of_two_decisions_racing_on_one_change_one_wins(anna, draft_id, change_id, monkeypatch):
    from forum.drafts import services as drafts

    apply = drafts.new_revision

    def meanwhile(*args, **kwargs):
        db.session.execute(
            ProposedChange.__table__.update()
            .where(ProposedChange.__table__.c.id == change_id)
            .values(status="declined")
        )
        return apply(*args, **kwargs)

    monkeypatch.setattr(services, "new_revision", meanwhile)
    assert refused(services.accept_change, anna, change_id).code == "change_decided"
    assert get(Draft, draft_id).version == 1
    assert get(ProposedChange, change_id).status == "open"
