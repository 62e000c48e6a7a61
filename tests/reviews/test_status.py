"""The status machine through its service: every allowed and forbidden move by role, BO's
requirements on the way, and each move recorded, published and notified."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.drafts import status
from forum.drafts.models import STATUSES, Draft, DraftStatusChange
from forum.errors import DomainError
from forum.extensions import db
from forum.notifications.models import Notification
from forum.policy import DRAFT_MOVES
from forum.reviews.models import ProposedChange
from tests.conftest import GUEST, app_context, count, get, make_user, run, update
from tests.reviews.conftest import events_of, make_draft, open_change, unit_id

ROLES = ("guest", "resident", "author", "coauthor", "ambassador", "elsewhere", "expert", "admin")
OK, NAUTH, NMOVE, INVALID = "ok", "not_authenticated", "move_not_allowed", "invalid_move"

# Each move of the machine, and what each role gets: in ROLES' order.
MOVES = {
    ("draft", "in_review"): [NAUTH, NMOVE, OK, OK, OK, NMOVE, NMOVE, OK],
    ("in_review", "revised"): [NAUTH, NMOVE, OK, OK, OK, NMOVE, NMOVE, OK],
    ("revised", "in_review"): [NAUTH, NMOVE, OK, OK, OK, NMOVE, NMOVE, OK],
    ("revised", "ready"): [NAUTH, NMOVE, NMOVE, NMOVE, OK, NMOVE, NMOVE, OK],
    ("ready", "revised"): [NAUTH, NMOVE, NMOVE, NMOVE, OK, NMOVE, NMOVE, OK],
    ("draft", "withdrawn"): [NAUTH, NMOVE, OK, OK, NMOVE, NMOVE, NMOVE, OK],
    ("in_review", "withdrawn"): [NAUTH, NMOVE, OK, OK, NMOVE, NMOVE, NMOVE, OK],
    ("revised", "withdrawn"): [NAUTH, NMOVE, OK, OK, NMOVE, NMOVE, NMOVE, OK],
    ("ready", "withdrawn"): [NAUTH, NMOVE, OK, OK, NMOVE, NMOVE, NMOVE, OK],
    ("withdrawn", "draft"): [NAUTH, NMOVE, OK, OK, NMOVE, NMOVE, NMOVE, NMOVE],
}
NOT_MOVES = [(a, b) for a in STATUSES for b in STATUSES if (a, b) not in MOVES]


def test_the_table_here_is_the_policys():
    assert set(MOVES) == set(DRAFT_MOVES)
    assert len(NOT_MOVES) == 15


def person(role: str):
    """The asker of a role (the coauthor is added to the draft by make_draft)."""
    if role == "guest":
        return GUEST
    return {
        "resident": lambda: make_user("Zofia"),
        "author": lambda: None,
        "coauthor": lambda: make_user("Marek"),
        "ambassador": lambda: make_user("Piotr", role="ambassador", scope="XIII"),
        "elsewhere": lambda: make_user("Olga", role="ambassador", scope="I"),
        "expert": lambda: make_user("Ewa", role="expert", scope="ZZM"),
        "admin": lambda: make_user("Koordynatorka", role="admin"),
    }[role]()


def setup_move(start: str, role: str):
    """A complete draft tagged for ZZM at `start` (reviewed once past `draft`), and the asker."""
    author = make_user("Anna")
    asker = person(role) or author
    reviewer = make_user("Recenzentka", role="expert", scope="ZZM") if start != "draft" else None
    coauthors = (asker,) if role == "coauthor" else ()
    draft_id = make_draft(author, status=start, coauthors=coauthors, reviewer=reviewer)
    return draft_id, asker


def attempt(asker, draft_id: int, to: str, message: str = "") -> str:
    try:
        run(status.move, asker, draft_id, to, message)
    except DomainError as error:
        return error.code
    return OK


@pytest.mark.parametrize(
    ("start", "to", "role", "expected"),
    [
        (start, to, role, outcome)
        for (start, to), outcomes in MOVES.items()
        for role, outcome in zip(ROLES, outcomes, strict=True)
    ],
)
def test_each_move_by_each_role(app, start, to, role, expected):
    draft_id, asker = setup_move(start, role)
    moves_before = count(DraftStatusChange)
    assert attempt(asker, draft_id, to, "Bo tak.") == expected
    if expected == OK:
        assert get(Draft, draft_id).status == to
        with app_context():
            last = db.session.scalars(
                select(DraftStatusChange).order_by(DraftStatusChange.id.desc())
            ).first()
            assert (last.draft_id, last.from_status, last.to_status) == (draft_id, start, to)
            assert (last.actor_id, last.message) == (asker.id, "Bo tak.")
    else:
        assert get(Draft, draft_id).status == start
        assert count(DraftStatusChange) == moves_before


@pytest.mark.parametrize(("start", "to"), list(MOVES))
def test_an_invited_coauthor_who_has_not_accepted_moves_nothing(app, start, to):
    author, invited = make_user("Anna"), make_user("Marek")
    reviewer = make_user("Recenzentka", role="expert", scope="ZZM")
    draft_id = make_draft(author, status=start, invited=(invited,), reviewer=reviewer)
    assert attempt(invited, draft_id, to) == NMOVE
    assert get(Draft, draft_id).status == start


@pytest.mark.parametrize(("start", "to"), NOT_MOVES)
@pytest.mark.parametrize("role", ["author", "ambassador", "admin"])
def test_moves_that_do_not_exist_are_refused_to_everyone(app, start, to, role):
    draft_id, asker = setup_move(start, role)
    moves_before = count(DraftStatusChange)
    assert attempt(asker, draft_id, to) == INVALID
    assert get(Draft, draft_id).status == start
    assert count(DraftStatusChange) == moves_before


@pytest.mark.parametrize(("start", "to"), NOT_MOVES[:3])
def test_guests_are_asked_to_log_in_before_anything_else(app, start, to):
    draft_id, _asker = setup_move(start, "guest")
    assert attempt(GUEST, draft_id, to) == NAUTH


def test_a_suspended_author_moves_nothing(app):
    from datetime import timedelta

    from forum.accounts.models import User
    from forum.extensions import utcnow

    author = make_user("Anna")
    draft_id = make_draft(author)
    update(User, author.id, suspended_until=utcnow() + timedelta(days=1))
    assert attempt(author, draft_id, "in_review") == "suspended"


def test_an_unknown_status_or_draft_is_a_clear_error(app):
    author = make_user("Anna")
    draft_id = make_draft(author)
    with pytest.raises(DomainError) as refused:
        run(status.move, author, draft_id, "filed")
    assert (refused.value.status, list(refused.value.fields)) == (422, ["to"])
    assert attempt(author, 999_999, "in_review") == "not_found"


# --- BO's requirements -----------------------------------------------------------------------


def refusal(asker, draft_id: int, to: str) -> DomainError:
    with pytest.raises(DomainError) as refused:
        run(status.move, asker, draft_id, to)
    return refused.value


@pytest.mark.parametrize("role", ["author", "admin"])
def test_an_incomplete_draft_is_not_sent_for_review_and_says_what_is_missing(app, role):
    author = make_user("Anna")
    asker = person(role) or author
    draft_id = make_draft(author, complete=False)
    error = refusal(asker, draft_id, "in_review")
    assert (error.status, error.code) == (422, "draft_incomplete")
    assert {"short_description", "category_id", "cost_items", "deliverable_in_year"} <= set(
        error.fields
    )
    assert "title" not in error.fields
    assert get(Draft, draft_id).status == "draft"


def test_a_draft_tagged_for_no_unit_is_not_sent_for_review(app):
    author = make_user("Anna")
    draft_id = make_draft(author, units=())
    error = refusal(author, draft_id, "in_review")
    assert (error.status, error.code) == (409, "no_units")


def test_an_untagged_unit_does_not_count(app):
    from forum.extensions import utcnow
    from forum.units.models import UnitTag

    author = make_user("Anna")
    draft_id = make_draft(author)
    with app_context():
        tag_id = db.session.scalar(select(UnitTag.id).where(UnitTag.draft_id == draft_id))
    update(UnitTag, tag_id, removed_at=utcnow(), removed_by_id=author.id)
    assert refusal(author, draft_id, "in_review").code == "no_units"


def test_a_revised_draft_goes_back_to_review_only_if_still_complete(app):
    author = make_user("Anna")
    draft_id = make_draft(author, status="revised", reviewer=make_user("E", "expert", "ZZM"))
    update(Draft, draft_id, short_description="Za krótko.")
    error = refusal(author, draft_id, "in_review")
    assert (error.code, list(error.fields)) == ("draft_incomplete", ["short_description"])


def test_revised_needs_a_review(app):
    author = make_user("Anna")
    draft_id = make_draft(author, status="in_review")
    error = refusal(author, draft_id, "revised")
    assert (error.status, error.code) == (409, "not_reviewed")
    assert get(Draft, draft_id).status == "in_review"


def test_ready_needs_every_proposed_change_decided(app):
    author = make_user("Anna")
    expert = make_user("Ewa", role="expert", scope="ZZM")
    ambassador = make_user("Piotr", role="ambassador", scope="XIII")
    draft_id = make_draft(author, status="revised", reviewer=expert)
    change_id = open_change(draft_id, expert)
    error = refusal(ambassador, draft_id, "ready")
    assert (error.status, error.code) == (409, "open_changes")
    assert "1" in error.message
    update(ProposedChange, change_id, status="declined", decline_reason="Nie.")
    assert attempt(ambassador, draft_id, "ready") == OK


def test_ready_needs_a_complete_draft(app):
    author = make_user("Anna")
    ambassador = make_user("Piotr", role="ambassador", scope="XIII")
    draft_id = make_draft(author, status="revised", reviewer=make_user("E", "expert", "ZZM"))
    update(Draft, draft_id, deliverable_in_year=False)
    error = refusal(ambassador, draft_id, "ready")
    assert (error.code, list(error.fields)) == ("draft_incomplete", ["deliverable_in_year"])


def test_withdrawing_needs_nothing_and_reopening_gives_a_draft_to_work_on(app):
    author = make_user("Anna")
    draft_id = make_draft(author, complete=False, units=())
    assert attempt(author, draft_id, "withdrawn") == OK
    assert attempt(author, draft_id, "draft") == OK
    assert get(Draft, draft_id).is_editable


def test_the_message_is_cleaned_and_limited(app):
    author = make_user("Anna")
    draft_id = make_draft(author)
    with pytest.raises(DomainError) as refused:
        run(status.move, author, draft_id, "in_review", "x" * 1001)
    assert (refused.value.status, list(refused.value.fields)) == (422, ["message"])
    run(status.move, author, draft_id, "in_review", "  Gotowe do oceny.  ")
    with app_context():
        change = db.session.scalars(
            select(DraftStatusChange).where(DraftStatusChange.to_status == "in_review")
        ).one()
        assert change.message == "Gotowe do oceny."


# --- what a move tells whom ------------------------------------------------------------------


def notifications() -> list[tuple[int, str, int | None, str]]:
    with app_context():
        return sorted(
            db.session.execute(
                select(
                    Notification.user_id,
                    Notification.kind,
                    Notification.draft_id,
                    Notification.message,
                )
            ).tuples()
        )


def test_sent_for_review_the_coauthors_and_the_units_experts_are_told(app):
    author, coauthor = make_user("Anna"), make_user("Marek")
    zzm, zdmk = make_user("Ewa", "expert", "ZZM"), make_user("Adam", "expert", "ZDMK")
    elsewhere = make_user("Ola", "expert", "WE")
    draft_id = make_draft(author, coauthors=(coauthor,), units=("ZZM", "ZDMK"))
    run(status.move, author, draft_id, "in_review", "Prosimy o ocenę.")
    told = notifications()
    assert told == sorted(
        (user.id, "draft_in_review", draft_id, "Prosimy o ocenę.") for user in (coauthor, zzm, zdmk)
    )
    assert elsewhere.id not in {user_id for user_id, *_ in told}


@pytest.mark.parametrize(
    ("start", "to", "kind"),
    [
        ("in_review", "revised", "draft_revised"),
        ("revised", "ready", "draft_ready"),
        ("ready", "revised", "draft_revised"),
        ("ready", "withdrawn", "draft_withdrawn"),
        ("withdrawn", "draft", "draft_reopened"),
    ],
)
def test_every_move_tells_the_authors_but_not_the_mover(app, start, to, kind):
    author, coauthor = make_user("Anna"), make_user("Marek")
    expert = make_user("Ewa", "expert", "ZZM")
    mover = make_user("Koordynatorka", role="admin") if to in ("ready", "revised") else coauthor
    if start == "withdrawn":
        mover = coauthor
    draft_id = make_draft(author, status=start, coauthors=(coauthor,), reviewer=expert)
    run(status.move, mover, draft_id, to)
    expected = {(user.id, kind) for user in (author, coauthor) if user.id != mover.id}
    assert {(user_id, k) for user_id, k, *_ in notifications()} == expected


def test_a_move_is_published_on_the_drafts_thread_and_units_streams(app, thread):
    author = make_user("Anna")
    draft_id = make_draft(author, thread_id=thread.id, units=("ZZM", "ZDMK"))
    run(status.move, author, draft_id, "in_review")
    for kind, target in (
        ("draft", draft_id),
        ("thread", thread.id),
        ("unit", unit_id("ZZM")),
        ("unit", unit_id("ZDMK")),
    ):
        assert events_of(kind, target)[-1] == ("draft_updated", draft_id), kind


def test_a_refused_move_publishes_and_tells_nothing(app):
    author = make_user("Anna")
    draft_id = make_draft(author, complete=False)
    before = events_of("draft", draft_id)
    refusal(author, draft_id, "in_review")
    assert events_of("draft", draft_id) == before
    assert notifications() == []


# --- what the page offers --------------------------------------------------------------------


def test_the_moves_offered_are_the_askers_with_what_stands_in_their_way(app):
    author = make_user("Anna")
    ambassador = make_user("Piotr", role="ambassador", scope="XIII")
    draft_id = make_draft(author, complete=False)

    def offered(user):
        with app_context():
            from tests.conftest import actor

            draft = db.session.get(Draft, draft_id)
            return [
                (m.to, m.problem.code if m.problem else None)
                for m in status.moves_for(actor(user), draft)
            ]

    assert offered(author) == [("in_review", "draft_incomplete"), ("withdrawn", None)]
    assert offered(ambassador) == [("in_review", "draft_incomplete")]
    assert offered(GUEST) == []


def test_the_demo_has_a_draft_at_each_status_with_reviews(app):
    from forum.demo import seed_demo_data
    from forum.reviews.models import Review
    from forum.transactions import transaction

    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        statuses = set(db.session.scalars(select(Draft.status)))
        reviewed = set(
            db.session.scalars(select(Draft.status).join(Review, Review.draft_id == Draft.id))
        )
        decided = set(db.session.scalars(select(ProposedChange.status)))
    assert statuses == set(STATUSES)
    assert reviewed == {"in_review", "revised", "ready", "withdrawn"}
    assert decided == {"open", "accepted", "declined"}


def test_of_two_moves_racing_from_one_status_one_wins(app, monkeypatch):
    """The other move commits between this one's checks and its write: this one is refused."""
    author = make_user("Anna")
    draft_id = make_draft(author)
    checks = status.unmet

    def meanwhile(draft, to):
        db.session.execute(
            Draft.__table__.update()
            .where(Draft.__table__.c.id == draft.id)
            .values(status="withdrawn")
        )
        return checks(draft, to)

    monkeypatch.setattr(status, "unmet", meanwhile)
    error = refusal(author, draft_id, "in_review")
    assert (error.status, error.code) == (409, "status_changed")
    assert get(Draft, draft_id).status == "draft"  # the refused request kept nothing
