"""The admin area's operations: the area tree and its rooms, restricted rooms' members, expert
units, people's roles, site-wide suspensions, and reading the audit log.

Each checks the policy, changes state, and writes its audit entry in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from forum import text
from forum.accounts import services as accounts
from forum.accounts.models import (
    SUSPENDED_INDEFINITELY,
    ExpertUnit,
    RoleGrant,
    User,
    with_grants,
)
from forum.admin import audit
from forum.admin.models import AuditEntry
from forum.areas import krakow
from forum.areas.models import Area, Room, RoomMember
from forum.errors import Conflict, NotFound, field_error
from forum.extensions import db, utcnow
from forum.moderation import log as moderation_log
from forum.moderation.reasons import REASON_MAX_LENGTH, REASON_MIN_LENGTH
from forum.policy import ensure
from forum.realtime import access

NAME_MIN_LENGTH, NAME_MAX_LENGTH = 2, 120
DESCRIPTION_MAX_LENGTH = 500
CODE_MIN_LENGTH, CODE_MAX_LENGTH = 2, 16
UNIT_NAME_MAX_LENGTH = 200
SUSPENSION_DAYS = (1, 7, 30, 365)


def _clean_line(value: str | None, field: str, low: int, high: int) -> str:
    """A one-line value as stored (forum/text.py), or a field error."""
    value, problem = text.clean(value)
    if not problem and not low <= len(value) <= high:
        problem = _("Give %(low)d to %(high)d characters.", low=low, high=high)
    if problem:
        raise field_error(field, problem)
    return value


def _clean_description(value: str | None) -> str:
    value, problem = text.clean(value)
    if not problem and len(value) > DESCRIPTION_MAX_LENGTH:
        problem = _("Give at most %(high)d characters.", high=DESCRIPTION_MAX_LENGTH)
    if problem:
        raise field_error("description", problem)
    return value


def _unique_slug(model, name: str, keep_id: int | None = None) -> str:
    """The name's slug, with -2, -3 … added if another row of the table has it."""
    base = krakow.slugify(name)[:110].strip("-") or model.__tablename__
    taken = set(
        db.session.scalars(
            select(model.slug).where(
                or_(model.slug == base, model.slug.like(f"{base}-%")), model.id != (keep_id or 0)
            )
        )
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


# --- the area tree -----------------------------------------------------------------------


def load_areas(admin) -> list[Area]:
    """Every area with all its rooms (restricted and archived too), the city first."""
    ensure(admin, "admin.read", None)
    return list(
        db.session.scalars(
            select(Area).options(selectinload(Area.rooms)).order_by(Area.position, Area.id)
        )
    )


def access_area(admin, area_id: int) -> Area:
    ensure(admin, "admin.read", None)
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound(_("There is no such area."))
    return area


def access_room(admin, room_id: int) -> Room:
    ensure(admin, "admin.read", None)
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound(_("There is no such room."))
    return room


def add_subarea(admin, district_id: int, name: str | None) -> Area:
    """Add an osiedle to a district."""
    district = access_area(admin, district_id)
    ensure(admin, "areas.manage", district)
    if district.kind != "district":
        raise Conflict(_("Osiedla belong to a district."), code="not_a_district")
    name = _clean_line(name, "name", NAME_MIN_LENGTH, NAME_MAX_LENGTH)
    position = max((child.position for child in district.children), default=-1) + 1
    area = Area(
        parent=district,
        kind="subarea",
        name=name,
        position=position,
        slug=_unique_slug(Area, name),
    )
    db.session.add(area)
    db.session.flush()
    area.path = f"{district.path}{area.id}/"
    audit.record(admin, "area_added", f"area:{area.id}", f"{name} ({district.label})")
    return area


def add_room(
    admin, area_id: int, name: str | None, description: str | None = "", public: bool = True
) -> Room:
    area = access_area(admin, area_id)
    ensure(admin, "rooms.manage", area)
    name = _clean_line(name, "name", NAME_MIN_LENGTH, NAME_MAX_LENGTH)
    description = _clean_description(description)
    room = Room(
        area=area,
        name=name,
        slug=_unique_slug(Room, name),
        track="city" if area.kind == "city" else "district",
        description=description,
        is_public=public,
        position=max((r.position for r in area.rooms), default=-1) + 1,
    )
    db.session.add(room)
    db.session.flush()
    visibility = "public" if public else "restricted"  # the log's words, as room_visibility
    audit.record(admin, "room_added", f"room:{room.id}", f"{name} ({area.label}, {visibility})")
    return room


def rename_area(admin, area_id: int, name: str | None) -> Area:
    area = access_area(admin, area_id)
    ensure(admin, "areas.manage", area)
    name = _clean_line(name, "name", NAME_MIN_LENGTH, NAME_MAX_LENGTH)
    if name != area.name:
        old = area.label
        area.name = name
        area.slug = _unique_slug(Area, f"{area.number} {name}".strip(), keep_id=area.id)
        audit.record(admin, "area_renamed", f"area:{area.id}", f"{old} → {area.label}")
    return area


def rename_room(admin, room_id: int, name: str | None, description: str | None = None) -> Room:
    """Give a room a new name (and, if given, a new description)."""
    room = access_room(admin, room_id)
    ensure(admin, "rooms.manage", room)
    name = _clean_line(name, "name", NAME_MIN_LENGTH, NAME_MAX_LENGTH)
    description = room.description if description is None else _clean_description(description)
    changes = []
    if name != room.name:
        changes.append(f"{room.name} → {name}")
        room.name = name
        room.slug = _unique_slug(Room, name, keep_id=room.id)
    if description != room.description:
        changes.append(_("description changed"))
        room.description = description
    if changes:
        audit.record(admin, "room_renamed", f"room:{room.id}", "; ".join(changes))
    return room


def set_area_archived(admin, area_id: int, archived: bool) -> Area:
    """Archive an area (its rooms stay readable and take no new threads or posts), or restore it.

    A district's osiedla go with it; restoring it brings back those archived with it, not one
    archived on its own before.
    """
    area = access_area(admin, area_id)
    ensure(admin, "areas.manage", area)
    if area.kind == "city":
        raise Conflict(_("The city itself cannot be archived."), code="city_area")
    if area.is_archived == archived:
        return area
    if archived:
        now = utcnow()
        for changed in [area] + [c for c in area.children if not c.is_archived]:
            changed.archived_at = now
    else:
        for child in area.children:
            if child.archived_at == area.archived_at:
                child.archived_at = None
        area.archived_at = None
    action = "area_archived" if archived else "area_restored"
    audit.record(admin, action, f"area:{area.id}", area.label)
    return area


def set_room_archived(admin, room_id: int, archived: bool) -> Room:
    room = access_room(admin, room_id)
    ensure(admin, "rooms.manage", room)
    if (room.archived_at is not None) != archived:
        room.archived_at = utcnow() if archived else None
        action = "room_archived" if archived else "room_restored"
        audit.record(admin, action, f"room:{room.id}", room.name)
    return room


def set_room_visibility(actor, room_id: int, public: bool) -> Room:
    """Open a room to everyone, or restrict it to its members and the admins.

    `actor` is the admin doing it, or None for the operator on the command line. Sockets that
    may no longer read the room or its threads leave them when this commits.
    """
    room = db.session.get(Room, room_id)
    if room is None:
        raise NotFound(_("There is no such room."))
    if actor is not None:
        ensure(actor, "rooms.manage", room)
    if room.is_public != public:
        room.is_public = public
        audit.record(
            actor, "room_visibility", f"room:{room.id}", "public" if public else "restricted"
        )
        access.room_access_changed(room.id)
    return room


# --- restricted rooms' members -----------------------------------------------------------


def room_members(admin, room_id: int) -> tuple[Room, list[User]]:
    room = access_room(admin, room_id)
    members = db.session.scalars(
        select(User)
        .join(RoomMember, RoomMember.user_id == User.id)
        .where(RoomMember.room_id == room.id)
        .order_by(User.display_name, User.id)
    )
    return room, list(members)


def access_user(admin, user_id: int) -> User:
    ensure(admin, "admin.read", None)
    user = db.session.get(User, user_id, options=[with_grants()])
    if user is None:
        raise NotFound(_("There is no such user."))
    return user


def _user_by_email(email: str | None) -> User:
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        raise field_error("email", _("Nobody has an account with this e-mail address."))
    return user


def _member_row(room: Room, user: User) -> RoomMember | None:
    return db.session.scalar(
        select(RoomMember).where(RoomMember.room_id == room.id, RoomMember.user_id == user.id)
    )


def add_member(admin, room_id: int, *, email: str | None = None, user_id: int | None = None):
    """Let a person read a restricted room (by e-mail, or by id from a name search)."""
    room = access_room(admin, room_id)
    ensure(admin, "rooms.manage", room)
    user = access_user(admin, user_id) if user_id is not None else _user_by_email(email)
    if _member_row(room, user) is None:
        db.session.add(RoomMember(room_id=room.id, user_id=user.id))
        db.session.flush()
        audit.record(admin, "room_member_added", f"room:{room.id}", user.display_name)
        access.user_access_changed(user.id)
    return room, user


def remove_member(admin, room_id: int, user_id: int) -> tuple[Room, User]:
    """Take a person off a restricted room's members; their sockets on it are closed at once."""
    room = access_room(admin, room_id)
    ensure(admin, "rooms.manage", room)
    user = access_user(admin, user_id)
    member = _member_row(room, user)
    if member is None:
        raise NotFound(_("This person is not a member of the room."))
    db.session.delete(member)
    db.session.flush()
    audit.record(admin, "room_member_removed", f"room:{room.id}", user.display_name)
    access.user_access_changed(user.id)
    return room, user


# --- expert units ------------------------------------------------------------------------


def list_units(admin) -> list[ExpertUnit]:
    ensure(admin, "admin.read", None)
    return list(db.session.scalars(select(ExpertUnit).order_by(ExpertUnit.code)))


def access_unit(admin, unit_id: int) -> ExpertUnit:
    ensure(admin, "admin.read", None)
    unit = db.session.get(ExpertUnit, unit_id)
    if unit is None:
        raise NotFound(_("There is no such unit."))
    return unit


def unit_experts(admin, unit_id: int) -> tuple[ExpertUnit, list[User]]:
    unit = access_unit(admin, unit_id)
    experts = db.session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "expert", RoleGrant.unit_id == unit.id)
        .order_by(User.display_name, User.id)
    )
    return unit, list(experts)


def add_unit(admin, code: str | None, name: str | None) -> ExpertUnit:
    ensure(admin, "units.manage", None)
    code = _clean_line(code, "code", CODE_MIN_LENGTH, CODE_MAX_LENGTH)
    name = _clean_line(name, "name", NAME_MIN_LENGTH, UNIT_NAME_MAX_LENGTH)
    taken = db.session.scalar(
        select(func.count(ExpertUnit.id)).where(func.lower(ExpertUnit.code) == code.lower())
    )
    if taken:
        raise field_error("code", _("A unit with this code exists already."))
    unit = ExpertUnit(code=code, name=name)
    db.session.add(unit)
    db.session.flush()
    audit.record(admin, "unit_added", f"unit:{unit.id}", f"{code}: {name}")
    return unit


def rename_unit(admin, unit_id: int, name: str | None) -> ExpertUnit:
    unit = access_unit(admin, unit_id)
    ensure(admin, "units.manage", unit)
    name = _clean_line(name, "name", NAME_MIN_LENGTH, UNIT_NAME_MAX_LENGTH)
    if name != unit.name:
        audit.record(admin, "unit_renamed", f"unit:{unit.id}", f"{unit.name} → {name}")
        unit.name = name
    return unit


def add_expert(admin, unit_id: int, email: str | None) -> tuple[ExpertUnit, User]:
    unit = access_unit(admin, unit_id)
    ensure(admin, "units.manage", unit)
    user = _user_by_email(email)
    accounts.grant_role(admin, accounts.load_user(user.id), "expert", unit)
    return unit, user


def remove_expert(admin, unit_id: int, user_id: int) -> tuple[ExpertUnit, User]:
    unit = access_unit(admin, unit_id)
    ensure(admin, "units.manage", unit)
    user = access_user(admin, user_id)
    grant = next((g for g in user.role_grants if g.role == "expert" and g.unit_id == unit.id), None)
    if grant is None:
        raise NotFound(_("This person is not an expert of the unit."))
    accounts.withdraw_role(admin, grant)
    return unit, user


# --- people and their roles --------------------------------------------------------------


def search_users(admin, query: str = "", page: int = 1, per_page: int = 20):
    """A page of people whose name or e-mail contains the query (everyone without one)."""
    ensure(admin, "admin.read", None)
    wanted = select(User).options(with_grants()).order_by(User.display_name, User.id)
    query = (query or "").strip()
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        wanted = wanted.where(
            or_(
                User.display_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
            )
        )
    return db.paginate(wanted, page=page, per_page=per_page, max_per_page=100, error_out=False)


def grant(admin, user_id: int, role: str, area_id: int | None = None, unit_id: int | None = None):
    """Give a person a role: ambassador of a district or osiedle, expert of a unit, or admin."""
    user = access_user(admin, user_id)
    ensure(admin, "roles.manage", user)
    scope = None
    if role == "ambassador":
        scope = db.session.get(Area, area_id) if area_id is not None else None
        if scope is None or scope.kind not in ("district", "subarea"):
            raise field_error("area_id", _("Choose a district or an osiedle."))
    elif role == "expert":
        scope = db.session.get(ExpertUnit, unit_id) if unit_id is not None else None
        if scope is None:
            raise field_error("unit_id", _("Choose a unit."))
    elif role != "admin":
        raise field_error("role", _("No such role."))
    return accounts.grant_role(admin, user, role, scope)


def withdraw(admin, user_id: int, grant_id: int, message: str | None = "") -> User:
    """Take a role back, with an optional message to the person; never one's own admin role."""
    user = access_user(admin, user_id)
    ensure(admin, "roles.manage", user)
    role = next((g for g in user.role_grants if g.id == grant_id), None)
    if role is None:
        raise NotFound(_("This person has no such role."))
    if role.role == "admin" and user.id == admin.id:
        raise Conflict(
            _("You cannot withdraw your own admin role: ask another admin."), code="own_admin_role"
        )
    message, problem = text.clean(message)
    if not problem and len(message) > REASON_MAX_LENGTH:
        problem = _("Give at most %(high)d characters.", high=REASON_MAX_LENGTH)
    if problem:
        raise field_error("message", problem)
    accounts.withdraw_role(admin, role, message)
    return user


def role_grant(admin, user_id: int, grant_id: int) -> RoleGrant:
    user = access_user(admin, user_id)
    role = next((g for g in user.role_grants if g.id == grant_id), None)
    if role is None:
        raise NotFound(_("This person has no such role."))
    return role


def assignable_areas() -> list[Area]:
    """Districts and their osiedla, in the tree's order, for an ambassador's area."""
    areas = db.session.scalars(
        select(Area).where(Area.kind.in_(("district", "subarea"))).order_by(Area.position, Area.id)
    ).all()
    districts = [a for a in areas if a.kind == "district"]
    ordered = []
    for district in districts:
        ordered.append(district)
        ordered += [a for a in areas if a.parent_id == district.id]
    return ordered


# --- suspensions -------------------------------------------------------------------------


def _suspension_end(days: int | None) -> datetime:
    if days is None:
        return SUSPENDED_INDEFINITELY
    if days not in SUSPENSION_DAYS:
        raise field_error("days", _("Choose 1, 7, 30 or 365 days, or indefinitely."))
    return utcnow() + timedelta(days=days)


def suspend(admin, user_id: int, days: int | None, reason: str | None) -> User:
    """Suspend an account site-wide for some days (None: until lifted): every login ends."""
    user = access_user(admin, user_id)
    ensure(admin, "users.suspend", user)
    if user.id == admin.id:
        raise Conflict(_("You cannot suspend yourself."), code="own_account")
    if user.is_admin:
        raise Conflict(
            _("An admin cannot be suspended; withdraw the admin role first."), code="user_is_admin"
        )
    until = _suspension_end(days)
    reason = _clean_line(reason, "reason", REASON_MIN_LENGTH, REASON_MAX_LENGTH)
    user.suspended_until, user.suspension_reason = until, reason
    accounts.end_all_sessions(user)
    ends = (
        "indefinitely" if until == SUSPENDED_INDEFINITELY else until.isoformat(timespec="minutes")
    )
    moderation_log.record(admin, "user_suspended", subject_user=user, reason=reason, detail=ends)
    audit.record(admin, "user_suspended", f"user:{user.id}", f"until {ends}: {reason}")
    access.user_access_changed(user.id)
    return user


def lift_suspension(admin, user_id: int) -> User:
    user = access_user(admin, user_id)
    ensure(admin, "users.suspend", user)
    if not user.is_suspended:
        raise Conflict(_("This account is not suspended."), code="not_suspended")
    user.suspended_until = user.suspension_reason = None
    moderation_log.record(admin, "user_unsuspended", subject_user=user)
    audit.record(admin, "user_unsuspended", f"user:{user.id}", user.display_name)
    return user


def list_suspensions(admin, page: int = 1, per_page: int = 50):
    """The suspensions still running, the soonest to end first."""
    ensure(admin, "admin.read", None)
    wanted = (
        select(User).where(User.suspended_until > utcnow()).order_by(User.suspended_until, User.id)
    )
    return db.paginate(wanted, page=page, per_page=per_page, max_per_page=100, error_out=False)


# --- the audit log -----------------------------------------------------------------------


def audit_log(admin, page: int = 1, per_page: int = 50):
    """A page of the audit log, newest first."""
    ensure(admin, "admin.read", None)
    wanted = (
        select(AuditEntry).options(selectinload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    )
    return db.paginate(wanted, page=page, per_page=per_page, max_per_page=100, error_out=False)
