"""Supports of a draft: counting them the way BO does."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from forum.drafts.models import Draft
from forum.extensions import db
from forum.supports.models import DISTRICT_SUPPORTS_NEEDED, Support


@dataclass(frozen=True)
class Tally:
    counted: int  # supporters who count toward BO's list (the district's residents)
    others: int  # supporters from elsewhere: shown, not counted
    needed: int  # how many must count before a district proposal is filed (0: none needed)


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
