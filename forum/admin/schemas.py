"""Shapes of the admin area's API: areas and rooms as admins see them, units, people's roles and
suspensions, the audit log, and what the admin operations take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from forum.accounts.models import RoleGrant as RoleGrantModel
from forum.accounts.models import User as UserModel
from forum.accounts.schemas import Person, person_view
from forum.admin.models import AuditEntry as AuditEntryModel
from forum.areas.models import Area as AreaModel
from forum.areas.models import Room as RoomModel
from forum.schemas import Id, Input, Pagination, Shape


def _limits(low: int, high: int) -> dict:
    return {"minLength": low, "maxLength": high}


# What the services enforce on the trimmed text, written into the OpenAPI document.
Name = Annotated[
    str, Field(description="2 to 120 characters once trimmed.", json_schema_extra=_limits(2, 120))
]
Description = Annotated[
    str, Field(description="At most 500 characters.", json_schema_extra={"maxLength": 500})
]
Reason = Annotated[
    str, Field(description="3 to 500 characters once trimmed.", json_schema_extra=_limits(3, 500))
]


class AdminRoom(Shape):
    """A room with what only admins manage: who may read it, whether it is archived."""

    id: Id
    area_id: Id
    name: str
    slug: str
    description: str
    public: bool = Field(description="False: only its members and the admins may read it.")
    archived: bool = Field(description="Archived itself or with its area: read-only.")


class AdminArea(Shape):
    id: Id
    parent_id: Id | None
    kind: Literal["city", "district", "subarea"]
    number: str
    name: str
    slug: str
    archived: bool
    rooms: list[AdminRoom]


class AreaList(Shape):
    areas: list[AdminArea] = Field(description="Every area, the city first, in the tree's order.")


class AreaAnswer(Shape):
    area: AdminArea


class RoomAnswer(Shape):
    room: AdminRoom


class MembersAnswer(Shape):
    room: AdminRoom
    members: list[Person]


class Unit(Shape):
    id: Id
    code: str
    name: str


class UnitList(Shape):
    units: list[Unit]


class UnitAnswer(Shape):
    unit: Unit
    experts: list[Person]


class Role(Shape):
    id: Id
    role: Literal["ambassador", "expert", "admin"]
    area_id: Id | None = Field(description="The ambassador's area.")
    unit_id: Id | None = Field(description="The expert's unit.")
    label: str = Field(description='Readable: "ambassador XIII Podgórze".')


class Account(Shape):
    """A person as the admins see them: e-mail, roles, suspension."""

    id: Id
    display_name: str
    email: str
    roles: list[Role]
    suspended_until: datetime | None = Field(
        description="While suspended; 9999-12-31 for a suspension until lifted."
    )
    suspension_reason: str | None


class AccountAnswer(Shape):
    user: Account


class AccountPage(Shape):
    users: list[Account]
    meta: Pagination


class AuditEntry(Shape):
    id: Id
    created_at: datetime
    actor: Person | None = Field(description="None: the operator, on the command line.")
    action: str
    target: str = Field(description='"area:12", "room:3", "user:7", "unit:2" …')
    detail: str


class AuditPage(Shape):
    entries: list[AuditEntry]
    meta: Pagination


class NewArea(Input):
    name: Name


class NewRoom(Input):
    name: Name
    description: Description = ""
    public: bool = True


class AreaChange(Input):
    name: Name


class RoomChange(Input):
    name: Name
    description: Description | None = Field(None, description="Left out: unchanged.")


class Archived(Input):
    archived: bool = Field(description="true: archive; false: restore.")


class Visibility(Input):
    public: bool


class NewMember(Input):
    """Whom to add: by e-mail address, or by id (from a search)."""

    email: str | None = None
    user_id: Id | None = None


class NewUnit(Input):
    code: Annotated[str, Field(json_schema_extra=_limits(2, 16))]
    name: Annotated[str, Field(json_schema_extra=_limits(2, 200))]


class UnitChange(Input):
    name: Annotated[str, Field(json_schema_extra=_limits(2, 200))]


class NewExpert(Input):
    email: str


class NewRole(Input):
    role: Literal["ambassador", "expert", "admin"]
    area_id: Id | None = Field(None, description="For an ambassador: a district or an osiedle.")
    unit_id: Id | None = Field(None, description="For an expert: the unit.")


class Withdrawal(Input):
    message: Annotated[str, Field(json_schema_extra={"maxLength": 500})] = Field(
        "", description="Told to a withdrawn ambassador."
    )


class Suspension(Input):
    days: Literal[1, 7, 30, 365] | None = Field(description="null: until an admin lifts it.")
    reason: Reason


def room_view(room: RoomModel) -> AdminRoom:
    return AdminRoom(
        id=room.id,
        area_id=room.area_id,
        name=room.name,
        slug=room.slug,
        description=room.description,
        public=room.is_public,
        archived=room.is_archived,
    )


def area_view(area: AreaModel) -> AdminArea:
    return AdminArea(
        id=area.id,
        parent_id=area.parent_id,
        kind=area.kind,
        number=area.number,
        name=area.name,
        slug=area.slug,
        archived=area.is_archived,
        rooms=[room_view(r) for r in area.rooms],
    )


def role_view(grant: RoleGrantModel) -> Role:
    return Role(
        id=grant.id,
        role=grant.role,
        area_id=grant.area_id,
        unit_id=grant.unit_id,
        label=f"{grant.role} {grant.scope_label}".strip(),
    )


def account_view(user: UserModel) -> Account:
    suspended = user.is_suspended
    return Account(
        id=user.id,
        display_name=user.display_name,
        email=user.email,
        roles=[role_view(g) for g in user.role_grants],
        suspended_until=user.suspended_until if suspended else None,
        suspension_reason=user.suspension_reason if suspended else None,
    )


def audit_view(entry: AuditEntryModel) -> AuditEntry:
    return AuditEntry(
        id=entry.id,
        created_at=entry.created_at,
        actor=person_view(entry.actor) if entry.actor is not None else None,
        action=entry.action,
        target=entry.target,
        detail=entry.detail,
    )
