"""The area tree (city → districts → osiedla) and the discussion rooms of areas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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
    # An archived area keeps its history readable; its rooms take no new threads or posts.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.position")
    rooms: Mapped[list[Room]] = relationship(back_populates="area", order_by="Room.position")

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}" if self.number else self.name

    def is_within(self, ancestor_id: int) -> bool:
        """True if this area is the given area or lies inside it."""
        return f"/{ancestor_id}/" in self.path

    @property
    def ancestor_ids(self) -> list[int]:
        """The ids of this area and the areas containing it, the city first."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Room(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    track: Mapped[str] = mapped_column(String(16), default="district")
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    # False: a restricted room, which only its members and the admins may read (RoomMember).
    is_public: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship(back_populates="rooms")

    @property
    def is_archived(self) -> bool:
        """Archived itself or by its area: readable, but it takes no new threads or posts."""
        return self.archived_at is not None or self.area.is_archived


class RoomMember(db.Model):
    """A person who may read a restricted room (and write in it, as in any room)."""

    __table_args__ = (UniqueConstraint("room_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
