"""Supports of a draft: giving and withdrawing one, and counting them the way BO does.

Services never commit; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.areas.models import Area
from forum.budget.services import budget_area
from forum.drafts.models import Draft
from forum.errors import Conflict, NotFound
from forum.extensions import db, insert_unless_taken, utcnow
from forum.policy import can, ensure
from forum.supports.models import DISTRICT_SUPPORTS_NEEDED, Support


@dataclass(frozen=True)
class Tally:
    counted: int  # supporters who count toward BO's list (the district's residents)
    others: int  # supporters from elsewhere: shown, not counted
    needed: int  # how many must count before a district proposal is filed (0: none needed)

    @property
    def total(self) -> int:
        return self.counted + self.others

    @property
    def reached(self) -> bool:
        return self.counted >= self.needed


def tally(draft: Draft) -> Tally:
    rows = dict(
        db.session.execute(
            select(Support.counts, func.count(Support.id))
            .where(Support.draft_id == draft.id)
            .group_by(Support.counts)
        ).all()
    )
    needed = DISTRICT_SUPPORTS_NEEDED if draft.kind == "district" else 0
    return Tally(counted=rows.get(True, 0), others=rows.get(False, 0), needed=needed)


def district_of(draft: Draft) -> Area:
    """The district whose residents count toward a district draft's list (an osiedle's draft
    counts its district's residents), or the city for a city-wide draft."""
    return budget_area(draft.area)


def would_count(user, draft: Draft) -> bool:
    """Whether the user's support counts toward BO's list: anyone's for a city-wide draft, a
    resident's of the draft's district for a district draft."""
    if draft.kind == "city":
        return True
    home = user.home_area if user.is_authenticated else None
    return home is not None and home.is_within(district_of(draft).id)


def own_support(user, draft: Draft) -> Support | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Support).where(Support.draft_id == draft.id, Support.user_id == user.id)
    )


def _already_supported() -> Conflict:
    return Conflict(_("You support this draft already."), code="already_supported")


def support(actor: User, draft: Draft) -> Support:
    """The actor's support of the draft, counted if they live in its district (city-wide: always).

    One per person and draft: a second is refused, also when two requests race past the check
    below (the unique constraint refuses the later insert)."""
    ensure(actor, "draft.support", draft)
    if own_support(actor, draft) is not None:
        raise _already_supported()
    support_id = insert_unless_taken(
        Support,
        {
            "draft_id": draft.id,
            "user_id": actor.id,
            "counts": would_count(actor, draft),
            "created_at": utcnow(),
        },
        ["draft_id", "user_id"],
    )
    if support_id is None:  # a request of the same person's got there first
        raise _already_supported()
    _changed(draft)
    return db.session.get(Support, support_id)


def withdraw(actor: User, draft: Draft) -> None:
    """Take one's support back; NotFound if there is none."""
    row = own_support(actor, draft)
    if row is None:
        if not actor.is_authenticated:
            ensure(actor, "draft.support", draft)  # explains: log in first
        raise NotFound(_("You do not support this draft."), code="not_supported")
    ensure(actor, "support.withdraw", row)
    db.session.delete(row)
    _changed(draft)


def _changed(draft: Draft) -> None:
    from forum.drafts.services import draft_updated  # drafts' services import this module

    db.session.flush()
    draft_updated(draft)


@dataclass(frozen=True)
class SupportBox:
    """What the draft page shows of its supports to one viewer."""

    draft: Draft
    tally: Tally
    district: Area
    mine: Support | None
    may_support: bool  # the policy allows it and the viewer has not supported yet
    would_count: bool  # the viewer's support would count toward BO's list


def support_box(viewer, draft: Draft) -> SupportBox:
    mine = own_support(viewer, draft)
    return SupportBox(
        draft=draft,
        tally=tally(draft),
        district=district_of(draft),
        mine=mine,
        may_support=mine is None and can(viewer, "draft.support", draft),
        would_count=would_count(viewer, draft),
    )
