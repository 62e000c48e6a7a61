"""The area tree (city → districts → osiedla) and the discussion rooms of areas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import UTCDateTime, db, utcnow


class Area(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    # Roman numeral of a district ("XIII"), empty for other areas.
    number: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[int] = mapped_column(default=0)
    # Ids of the area and its ancestors as "/1/4/27/": ancestry checks without queries.
    path: Mapped[str] = mapped_column(String(255), default="/")

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.position")
    rooms: Mapped[list[Room]] = relationship(back_populates="area", order_by="Room.position")

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}" if self.number else self.name

    def is_within(self, ancestor_id: int) -> bool:
        """True if this area is the given area or lies inside it."""
        return f"/{ancestor_id}/" in self.path


class Room(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    track: Mapped[str] = mapped_column(String(16), default="district")
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    is_public: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship(back_populates="rooms")
