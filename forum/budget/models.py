"""The participatory budget's managed data: editions, each area's allocation in an edition, and
the categories a proposal is filed under."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.areas.models import Area
from forum.extensions import UTCDateTime, db


class BudgetEdition(db.Model):
    """One year's budget ("BO 2027"); new drafts belong to the current edition."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(60))
    is_current: Mapped[bool] = mapped_column(default=False)

    allocations: Mapped[list[AreaAllocation]] = relationship(back_populates="edition")


class AreaAllocation(db.Model):
    """How much (in whole złoty) an area's proposals may cost in an edition: the cost cap."""

    __table_args__ = (UniqueConstraint("edition_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("budget_edition.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)

    edition: Mapped[BudgetEdition] = relationship(back_populates="allocations")
    area: Mapped[Area] = relationship()


class Category(db.Model):
    """A BO category (greenery, roads, sport …); an archived one takes no new drafts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
