"""A draft's status moves: who may make them (the policy's DRAFT_MOVES), what the draft must be
for them (BO's requirements), and telling everyone who follows the draft. Never commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum import text
from forum.accounts.models import RoleGrant, User
from forum.drafts.models import STATUSES, Draft, DraftStatusChange
from forum.drafts.rules import missing
from forum.drafts.services import draft_updated, load_draft, people_of
from forum.errors import Conflict, DomainError, ValidationError
from forum.extensions import db, utcnow
from forum.notifications.services import notify
from forum.policy import DRAFT_MOVES, DraftMove, can, ensure
from forum.reviews.models import ProposedChange, Review
from forum.reviews.schemas import MESSAGE_MAX

# The notification each move sends, by the status it reaches (withdrawn → draft: reopened).
NOTICE = {
    "in_review": "draft_in_review",
    "revised": "draft_revised",
    "ready": "draft_ready",
    "withdrawn": "draft_withdrawn",
    "draft": "draft_reopened",
}


def unmet(draft: Draft, to: str) -> DomainError | None:
    """Why the draft cannot become `to` yet, whoever asks (None: nothing stands in the way).

    Sent for review (from `draft`, or again after revision) it must be complete and tagged for
    at least one unit; `revised` needs a review to revise after; `ready` needs a complete draft
    with every proposed change accepted or declined. Withdrawing needs nothing.
    """
    if to == "in_review":
        if problems := missing(draft):
            return ValidationError(
                _("The draft lacks what BO requires: complete it before sending it for review."),
                problems,
                code="draft_incomplete",
            )
        if not draft.unit_tags:
            return Conflict(
                _("Tag the draft for at least one expert unit before sending it for review."),
                code="no_units",
            )
    elif to == "revised":
        if not _review_count(draft):
            return Conflict(
                _("No unit has reviewed the draft yet: there is nothing to revise after."),
                code="not_reviewed",
            )
    elif to == "ready":
        if problems := missing(draft):
            return ValidationError(
                _("The draft lacks what BO requires: complete it before it is ready."),
                problems,
                code="draft_incomplete",
            )
        if open_changes := _open_change_count(draft):
            return Conflict(
                ngettext(
                    "%(num)d proposed change is still open: accept or decline it first.",
                    "%(num)d proposed changes are still open: accept or decline them first.",
                    open_changes,
                ),
                code="open_changes",
            )
    return None


def _review_count(draft: Draft) -> int:
    return db.session.scalar(select(func.count(Review.id)).where(Review.draft_id == draft.id))


def _open_change_count(draft: Draft) -> int:
    return db.session.scalar(
        select(func.count(ProposedChange.id)).where(
            ProposedChange.draft_id == draft.id, ProposedChange.status == "open"
        )
    )


def clean_message(message: str | None) -> str:
    """The mover's words, as stored; may be empty."""
    cleaned, problem = text.clean(message or "", multiline=True)
    if not problem and len(cleaned) > MESSAGE_MAX:
        problem = ngettext("At most %(num)d character.", "At most %(num)d characters.", MESSAGE_MAX)
    if problem:
        raise ValidationError(_("Some fields need correcting."), {"message": problem})
    return cleaned


def move(actor: User, draft_id: int, to: str, message: str = "") -> DraftStatusChange:
    """Move the draft to `to`: the policy first, then BO's requirements; recorded, published on
    the draft's streams and notified to its authors (and, sent for review, to its units)."""
    draft = load_draft(draft_id, actor)
    if to not in STATUSES:
        raise ValidationError(_("There is no such status."), {"to": _("There is no such status.")})
    ensure(actor, "draft.move", DraftMove(draft, to))
    if (problem := unmet(draft, to)) is not None:
        raise problem
    message = clean_message(message)
    before = draft.status
    # A compare-and-set, so of two moves from one status that race past the checks, one wins.
    moved = db.session.execute(
        Draft.__table__.update()
        .where(Draft.__table__.c.id == draft.id, Draft.__table__.c.status == before)
        .values(status=to)
    ).rowcount
    if moved != 1:
        raise Conflict(
            _("Someone changed the draft's status meanwhile: reload the page."),
            code="status_changed",
        )
    draft.status = to
    draft.updated_at = utcnow()
    change = DraftStatusChange(
        draft_id=draft.id, from_status=before, to_status=to, actor_id=actor.id, message=message
    )
    db.session.add(change)
    draft_updated(draft)
    _notify_move(draft, actor, to, message)
    return change


def _notify_move(draft: Draft, actor: User, to: str, message: str) -> None:
    kind = NOTICE[to]
    for user_id in people_of(draft):
        if user_id != actor.id:
            notify(user_id, kind, actor_id=actor.id, draft_id=draft.id, message=message)
    if to != "in_review":
        return
    # The units have a draft to review: each of their experts hears of it once.
    told = {actor.id, *people_of(draft)}
    unit_ids = [tag.unit_id for tag in draft.unit_tags]
    experts = db.session.scalars(
        select(RoleGrant.user_id)
        .where(RoleGrant.role == "expert", RoleGrant.unit_id.in_(unit_ids))
        .order_by(RoleGrant.user_id)
    )
    for user_id in experts:
        if user_id not in told:
            told.add(user_id)
            notify(user_id, kind, actor_id=actor.id, draft_id=draft.id, message=message)


@dataclass(frozen=True)
class Move:
    """A move the viewer may make now, and what stands in its way, if anything."""

    to: str
    problem: DomainError | None

    @property
    def possible(self) -> bool:
        return self.problem is None


def moves_for(viewer, draft: Draft) -> list[Move]:
    """The moves of the draft's status the viewer may make, in the machine's order."""
    return [
        Move(to, unmet(draft, to))
        for (start, to) in DRAFT_MOVES
        if start == draft.status and can(viewer, "draft.move", DraftMove(draft, to))
    ]


def status_history(draft_id: int) -> list[DraftStatusChange]:
    """Every move of the draft, oldest first."""
    return list(
        db.session.scalars(
            select(DraftStatusChange)
            .where(DraftStatusChange.draft_id == draft_id)
            .options(joinedload(DraftStatusChange.actor))
            .order_by(DraftStatusChange.id)
        )
    )
