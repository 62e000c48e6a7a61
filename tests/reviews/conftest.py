"""Drafts at any status, complete or not, tagged for units, with reviews: the status machine's
and the reviews' tests start from them."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.budget.models import Category
from forum.discussion.models import Thread
from forum.drafts.models import Draft, DraftAuthor
from forum.drafts.services import start_draft
from forum.extensions import db, utcnow
from forum.realtime.models import Stream, StreamEvent
from forum.reviews.models import ProposedChange, Review
from forum.transactions import transaction
from forum.units.models import UnitTag
from tests.api.conftest import api  # noqa: F401  (the client checked against the document)
from tests.conftest import actor, app_context, district

SHORT = "Skwer z drzewami i ławkami przy ul. Lipowej, w miejscu dzisiejszego parkingu na dziko."


def complete_content() -> dict:
    """Everything BO asks for, within XIII Podgórze's allocation."""
    with app_context():
        greenery = db.session.scalar(select(Category.id).where(Category.code == "greenery"))
    return {
        "title": "Skwer przy Lipowej",
        "short_description": SHORT,
        "category_id": greenery,
        "locations": ["ul. Lipowa 3"],
        "description": "Posadzimy dziesięć drzew i postawimy cztery ławki.",
        "justification": "Na Zabłociu brakuje zieleni i miejsc do odpoczynku.",
        "beneficiaries": "Mieszkańcy Zabłocia, dzieci z pobliskiej szkoły.",
        "cost_items": [{"item": "Drzewa", "amount": 80_000}, {"item": "Ławki", "amount": 20_000}],
        "deliverable_in_year": True,
    }


def unit_id(code: str) -> int:
    with app_context():
        return db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))


def make_draft(
    author,
    *,
    status: str = "draft",
    complete: bool = True,
    units: tuple[str, ...] = ("ZZM",),
    coauthors: tuple = (),
    invited: tuple = (),
    reviewer=None,
    area: str = "XIII",
    thread_id: int | None = None,
) -> int:
    """A draft by `author` at `status` (set directly, as a test's setup), tagged for `units`;
    with `reviewer`, ZZM's review of revision 1 (no proposed change)."""
    content = complete_content() if complete else {"title": "Skwer"}
    with app_context(), transaction():
        thread = db.session.get(Thread, thread_id) if thread_id is not None else None
        draft = start_draft(actor(author), area=district(area), content=content, thread=thread)
        draft = db.session.get(Draft, draft.id)
        for user in coauthors:
            draft.authors.append(DraftAuthor(user_id=user.id, accepted_at=utcnow()))
        for user in invited:
            draft.authors.append(DraftAuthor(user_id=user.id, invited_by_id=author.id))
        for code in units:
            unit = db.session.scalar(select(ExpertUnit).where(ExpertUnit.code == code))
            db.session.add(UnitTag(unit=unit, draft_id=draft.id, tagged_by_id=author.id))
        draft.status = status
        if reviewer is not None:
            db.session.add(
                Review(
                    draft_id=draft.id,
                    unit_id=unit_id_in_session("ZZM"),
                    revision_number=1,
                    author_id=reviewer.id,
                    opinion="positive",
                    body="Dobry projekt.",
                )
            )
        return draft.id


def unit_id_in_session(code: str) -> int:
    return db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))


def open_change(draft_id: int, reviewer, field: str = "title", value="Zielony skwer") -> int:
    """A review of the draft proposing one change, left open."""
    with app_context(), transaction():
        review = Review(
            draft_id=draft_id,
            unit_id=unit_id_in_session("ZZM"),
            revision_number=1,
            author_id=reviewer.id,
            opinion="needs_changes",
            body="Proszę poprawić.",
        )
        change = ProposedChange(draft_id=draft_id, field=field, value=value)
        review.changes.append(change)
        db.session.add(review)
        db.session.flush()
        return change.id


def events_of(kind: str, target_id: int) -> list[tuple[str, int]]:
    """The (name, subject id) of each event published on a stream, in order."""
    with app_context():
        return list(
            db.session.execute(
                select(StreamEvent.name, StreamEvent.subject_id)
                .join(Stream, Stream.id == StreamEvent.stream_id)
                .where(Stream.kind == kind, Stream.target_id == target_id)
                .order_by(StreamEvent.seq)
            ).tuples()
        )
