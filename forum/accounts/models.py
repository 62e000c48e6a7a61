"""Accounts, expert units and role grants."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from forum.areas.models import Area, Room, RoomMember
from forum.extensions import UTCDateTime, as_loaded, db, set_loaded, utcnow

# The end of a suspension that lasts until an admin lifts it.
SUSPENDED_INDEFINITELY = datetime(9999, 12, 31, tzinfo=UTC)


class ExpertUnit(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A few words about oneself, shown where the person is listed as an ambassador or expert.
    bio: Mapped[str] = mapped_column(String(500), default="")
    # An admin suspended the account site-wide until then: no login, no writes.
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(String(500))

    # The login this object was loaded through (accounts.services.session_user); not a column.
    session_id = None

    home_area: Mapped[Area | None] = relationship()
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )
    # Loaded only when the policy asks about a restricted room or a write in a room.
    room_memberships: Mapped[list[RoomMember]] = relationship(viewonly=True)
    mutes: Mapped[list[Mute]] = relationship(  # noqa: F821  (forum.moderation.models)
        "Mute",
        primaryjoin="and_(User.id == Mute.user_id, Mute.lifted_at.is_(None))",
        viewonly=True,
    )

    @property
    def is_admin(self) -> bool:
        return any(grant.role == "admin" for grant in self.role_grants)

    def is_ambassador_for(self, area: Area) -> bool:
        """True if the user is an ambassador of this area or of an area containing it."""
        return any(
            grant.role == "ambassador" and area.is_within(grant.area_id)
            for grant in self.role_grants
        )

    def is_expert_of(self, unit: ExpertUnit) -> bool:
        return any(
            grant.role == "expert" and grant.unit_id == unit.id for grant in self.role_grants
        )

    def is_member_of(self, room: Room) -> bool:
        return any(member.room_id == room.id for member in self.room_memberships)

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def suspended_indefinitely(self) -> bool:
        return self.suspended_until == SUSPENDED_INDEFINITELY

    def muted_until(self, room: Room) -> datetime | None:
        """When the person's mute in this room ends, or None if they are not muted there."""
        now = utcnow()
        ends = [m.until for m in self.mutes if m.room_id == room.id and m.until > now]
        return max(ends, default=None)

    def badges(self) -> list[tuple[str, str]]:
        """(role, scope) pairs shown beside the name: ("ambassador", "XIII Podgórze")."""
        return [(g.role, g.scope_label) for g in self.role_grants]


class UserSession(db.Model):
    """One login: the browser's cookie holds its token; logging out ends it here, for good."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # SHA-256 of the token, so the table alone lets nobody in.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PendingRegistration(db.Model):
    """A registration waiting for its e-mail link; the account is made when the link is used.

    Only ever for an address without an account; the link carries a random token whose
    SHA-256 is kept here, and using it deletes the row (the link works once).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    home_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    home_area: Mapped[Area] = relationship()


class RoleGrant(db.Model):
    """A role beyond resident: ambassador of an area, expert of a unit, or admin."""

    __table_args__ = (UniqueConstraint("user_id", "role", "area_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("expert_unit.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_grants")
    area: Mapped[Area | None] = relationship()
    unit: Mapped[ExpertUnit | None] = relationship()

    @property
    def scope_label(self) -> str:
        if self.area is not None:
            return self.area.label
        return self.unit.code if self.unit is not None else ""


def with_grants(joined: bool = False):
    """Loader options for a person with the grants their badges and permissions come from.

    By default the grants come in a second statement (for many people at once); `joined` puts
    them in the person's own statement, for one person loaded with something else (a request's
    login, a thread's author on the write path): one statement fewer.
    """
    load = joinedload if joined else selectinload
    return load(User.role_grants).options(joinedload(RoleGrant.area), joinedload(RoleGrant.unit))


# A person's grants read as columns (grants_outerjoin, load_grants), for the login of every request
# and the thread's author on the write path. The grant's area has an alias of its own: the same
# statement may read a room's area.
_GRANT = RoleGrant.__table__
_GRANT_AREA = Area.__table__.alias("grant_area")
_GRANT_UNIT = ExpertUnit.__table__.alias("grant_unit")
GRANT_COLUMNS = (_GRANT, _GRANT_AREA, _GRANT_UNIT)
GRANT_ORDER = _GRANT.c.id  # as User.role_grants is ordered


def grants_outerjoin(joined, person):
    """`joined` (a join holding the table or alias `person`) with that person's grants and their
    areas and units: select GRANT_COLUMNS from it, ordered by GRANT_ORDER, for load_grants."""
    return (
        joined.outerjoin(_GRANT, _GRANT.c.user_id == person.c.id)
        .outerjoin(_GRANT_AREA, _GRANT_AREA.c.id == _GRANT.c.area_id)
        .outerjoin(_GRANT_UNIT, _GRANT_UNIT.c.id == _GRANT.c.unit_id)
    )


def load_grants(user: User, rows) -> None:
    """The person's grants, with their areas and units, from the rows of a grants_outerjoin:
    what with_grants() loads, without the ORM's loading."""
    grants: dict[int, RoleGrant] = {}
    for row in rows:
        grant = as_loaded(RoleGrant, row)
        if grant is not None and grant.id not in grants:
            set_loaded(grant, "area", as_loaded(Area, row, _GRANT_AREA))
            set_loaded(grant, "unit", as_loaded(ExpertUnit, row, _GRANT_UNIT))
            grants[grant.id] = grant
    set_loaded(user, "role_grants", list(grants.values()))
