"""Reviews: an expert unit's review of a draft's current revision, with the changes it proposes,
and the authors accepting (a new revision) or declining (with a reason) each change. Every step
is published on the draft's stream and the unit's queue, and told to whom it concerns."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum import text
from forum.accounts.models import ExpertUnit, User, with_grants
from forum.drafts.models import CONTENT_FIELDS, Draft
from forum.drafts.rules import clean_content
from forum.drafts.services import load_draft, new_revision, people_of
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.moderation.reasons import clean_reason
from forum.notifications.services import notify
from forum.policy import ensure, refusal
from forum.realtime import events
from forum.realtime.streams import draft_stream, publish, unit_stream
from forum.reviews.models import CHECKLIST, OPINIONS, ProposedChange, Review
from forum.reviews.schemas import BODY_MAX, COST_REMARKS_MAX

# One change per field at most, so a review can propose a new value for every field.
CHANGES_MAX = len(CONTENT_FIELDS)


def _clean_text(value: str | None, field: str, limit: int, errors: dict, required: bool) -> str:
    cleaned, problem = text.clean(value or "", multiline=True)
    if not problem and required and not cleaned:
        problem = _("Write what the unit thinks of the draft.")
    if not problem and len(cleaned) > limit:
        problem = ngettext("At most %(num)d character.", "At most %(num)d characters.", limit)
    if problem:
        errors[field] = problem
    return cleaned


def _clean_changes(draft: Draft, changes: list[tuple[str, object]], errors: dict) -> list[dict]:
    """Each proposed (field, value) as stored; a value must be valid for the field, and new.
    What is wrong is keyed `changes.<field>`."""
    if len(changes) > CHANGES_MAX:
        errors["changes"] = _("Propose at most one change per field.")
        return []
    cleaned_changes, seen = [], set()
    for field, value in changes:
        where = f"changes.{field}"
        if field not in CONTENT_FIELDS:
            errors[where] = _("There is no such field.")
            continue
        if field in seen:
            errors[where] = _("Propose at most one change per field.")
            continue
        seen.add(field)
        cleaned, problems = clean_content({field: value})
        if problems:
            errors[where] = problems[field]
        elif cleaned[field] == getattr(draft, field):
            errors[where] = _("The draft says this already.")
        else:
            cleaned_changes.append({"field": field, "value": cleaned[field]})
    return cleaned_changes


def reviewing_unit(actor: User, draft: Draft, unit_id: int | None) -> ExpertUnit:
    """The unit the expert reviews for: one of theirs the draft is tagged for (named if they
    are an expert of more than one)."""
    units = [tag.unit for tag in draft.unit_tags if actor.is_expert_of(tag.unit)]
    if unit_id is None and len(units) == 1:
        return units[0]
    for unit in units:
        if unit.id == unit_id:
            return unit
    if unit_id is None:
        raise ValidationError(
            _("Say which of your units this review is for."),
            {"unit_id": _("Choose a unit.")},
        )
    raise refusal("not_reviewer")


def add_review(
    actor: User,
    draft_id: int,
    *,
    opinion: str,
    unit_id: int | None = None,
    checklist: dict[str, bool | None] | None = None,
    cost_remarks: str = "",
    body: str = "",
    changes: list[tuple[str, object]] = (),
) -> Review:
    """An expert's review of the draft's current revision, with the changes it proposes."""
    draft = load_draft(draft_id, actor)
    ensure(actor, "draft.review", draft)
    unit = reviewing_unit(actor, draft, unit_id)
    errors: dict[str, str] = {}
    if opinion not in OPINIONS:
        errors["opinion"] = _("Choose an opinion.")
    checklist = checklist or {}
    for point, answer in checklist.items():
        if point not in CHECKLIST or answer not in (True, False, None):
            errors[f"checklist.{point}"] = _("Answer yes, no or not assessed.")
    cost_remarks = _clean_text(cost_remarks, "cost_remarks", COST_REMARKS_MAX, errors, False)
    body = _clean_text(body, "body", BODY_MAX, errors, True)
    proposed = _clean_changes(draft, list(changes), errors)
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    already = db.session.scalar(
        select(Review.id).where(
            Review.draft_id == draft.id,
            Review.unit_id == unit.id,
            Review.revision_number == draft.version,
        )
    )
    if already is not None:
        raise Conflict(
            _("%(unit)s has reviewed this revision already.", unit=unit.code),
            code="already_reviewed",
        )
    review = Review(
        draft_id=draft.id,
        unit_id=unit.id,
        revision_number=draft.version,
        author_id=actor.id,
        opinion=opinion,
        cost_remarks=cost_remarks,
        body=body,
        created_at=utcnow(),
        **{point: checklist.get(point) for point in CHECKLIST},
    )
    review.changes = [ProposedChange(draft_id=draft.id, **change) for change in proposed]
    db.session.add(review)
    db.session.flush()
    _review_updated(review)
    for user_id in people_of(draft):
        if user_id != actor.id:
            notify(user_id, "review_added", actor_id=actor.id, draft_id=draft.id, unit_id=unit.id)
    return review


def reviewed_now(draft: Draft) -> set[int]:
    """The units that have reviewed the draft's current revision."""
    return set(
        db.session.scalars(
            select(Review.unit_id).where(
                Review.draft_id == draft.id, Review.revision_number == draft.version
            )
        )
    )


def _review_updated(review: Review) -> None:
    """Publish `review_added` where the review is followed: the draft's page, the unit's queue."""
    publish(events.REVIEW_ADDED, draft_stream(review.draft_id), review)
    publish(events.REVIEW_ADDED, unit_stream(review.unit_id), review)


def access_change(change_id: int) -> ProposedChange:
    change = db.session.get(
        ProposedChange,
        change_id,
        options=[joinedload(ProposedChange.review).joinedload(Review.unit)],
    )
    if change is None:
        raise NotFound(_("There is no such proposed change."))
    return change


def accept_change(actor: User, change_id: int) -> ProposedChange:
    """An author applies a proposed change to the draft, as its next revision."""
    change = access_change(change_id)
    ensure(actor, "change.decide", change)
    review = change.review
    revision = new_revision(
        change.draft,
        actor,
        {change.field: change.value},
        note=_("Accepted a change proposed by %(unit)s.", unit=review.unit.code),
    )
    _decide(change, actor, "accepted")
    change.revision_number = revision.number
    _review_updated(review)
    notify(
        review.author_id,
        "change_accepted",
        actor_id=actor.id,
        draft_id=change.draft_id,
        unit_id=review.unit_id,
    )
    return change


def decline_change(actor: User, change_id: int, reason: str) -> ProposedChange:
    """An author declines a proposed change, saying why; the draft stays as it is."""
    change = access_change(change_id)
    ensure(actor, "change.decide", change)
    change.decline_reason = clean_reason(reason)
    _decide(change, actor, "declined")
    review = change.review
    _review_updated(review)
    notify(
        review.author_id,
        "change_declined",
        actor_id=actor.id,
        draft_id=change.draft_id,
        unit_id=review.unit_id,
        message=change.decline_reason,
    )
    return change


def _decide(change: ProposedChange, actor: User, status: str) -> None:
    # A compare-and-set, so two authors deciding at once cannot both apply the change.
    decided = db.session.execute(
        ProposedChange.__table__.update()
        .where(
            ProposedChange.__table__.c.id == change.id,
            ProposedChange.__table__.c.status == "open",
        )
        .values(status=status)
    ).rowcount
    if decided != 1:
        raise Conflict(
            _("This proposed change was accepted or declined already."), code="change_decided"
        )
    change.status = status
    change.decided_by_id = actor.id
    change.decided_at = utcnow()
    db.session.flush()


def _shown() -> tuple:
    """What a review is shown with: its unit, author and proposed changes."""
    return (
        joinedload(Review.unit),
        joinedload(Review.author).options(with_grants()),
        selectinload(Review.changes).joinedload(ProposedChange.decided_by),
    )


def list_reviews(draft_id: int) -> list[Review]:
    """The draft's reviews, oldest first."""
    return list(
        db.session.scalars(
            select(Review).where(Review.draft_id == draft_id).options(*_shown()).order_by(Review.id)
        )
    )


def load_review(review_id: int) -> Review:
    review = db.session.scalar(select(Review).where(Review.id == review_id).options(*_shown()))
    if review is None:
        raise NotFound(_("There is no such review."))
    return review
