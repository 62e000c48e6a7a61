"""The admin area over JSON: the area tree and rooms, restricted rooms' members, expert units,
people's roles, suspensions, the audit log. Admins only (401 for a guest, 403 for anyone else)."""

from flask_login import current_user
from pydantic import Field

from forum.accounts.schemas import person_view
from forum.admin import schemas
from forum.admin import services as admin
from forum.api.v1.base import operation
from forum.schemas import PageQuery, pagination

DENIED = {401: ("not_authenticated",), 403: ("forbidden",)}
MISSING = DENIED | {404: ("not_found",)}
INVALID = {422: ("invalid",)}


class UserSearch(PageQuery):
    q: str = Field("", max_length=200, description="Part of a name or an e-mail address.")


def _area(area_id: int) -> schemas.AreaAnswer:
    return schemas.AreaAnswer(area=schemas.area_view(admin.access_area(current_user, area_id)))


def _account(user_id: int) -> schemas.AccountAnswer:
    return schemas.AccountAnswer(
        user=schemas.account_view(admin.access_user(current_user, user_id))
    )


@operation(
    "GET",
    "/admin/areas",
    summary="Every area with all its rooms, restricted and archived ones too.",
    answer=schemas.AreaList,
    errors=DENIED,
)
def admin_areas():
    return schemas.AreaList(areas=[schemas.area_view(a) for a in admin.load_areas(current_user)])


@operation(
    "POST",
    "/admin/areas/<int:area_id>/subareas",
    summary="Add an osiedle to a district.",
    body=schemas.NewArea,
    answer=schemas.AreaAnswer,
    status=201,
    errors=MISSING | INVALID | {409: ("not_a_district",)},
)
def add_subarea(area_id: int, body: schemas.NewArea):
    added = admin.add_subarea(current_user, area_id, body.name)
    return schemas.AreaAnswer(area=schemas.area_view(added))


@operation(
    "PATCH",
    "/admin/areas/<int:area_id>",
    summary="Rename an area.",
    body=schemas.AreaChange,
    answer=schemas.AreaAnswer,
    errors=MISSING | INVALID,
)
def rename_area(area_id: int, body: schemas.AreaChange):
    admin.rename_area(current_user, area_id, body.name)
    return _area(area_id)


@operation(
    "PUT",
    "/admin/areas/<int:area_id>/archived",
    summary="Archive an area (its rooms stay readable, take no new posts) or restore it.",
    body=schemas.Archived,
    answer=schemas.AreaAnswer,
    errors=MISSING | {409: ("city_area",)},
)
def archive_area(area_id: int, body: schemas.Archived):
    admin.set_area_archived(current_user, area_id, body.archived)
    return _area(area_id)


@operation(
    "POST",
    "/admin/areas/<int:area_id>/rooms",
    summary="Add a room to an area, public or restricted.",
    body=schemas.NewRoom,
    answer=schemas.RoomAnswer,
    status=201,
    errors=MISSING | INVALID,
)
def add_room(area_id: int, body: schemas.NewRoom):
    room = admin.add_room(current_user, area_id, body.name, body.description, body.public)
    return schemas.RoomAnswer(room=schemas.room_view(room))


@operation(
    "PATCH",
    "/admin/rooms/<int:room_id>",
    summary="Rename a room (and change its description).",
    body=schemas.RoomChange,
    answer=schemas.RoomAnswer,
    errors=MISSING | INVALID,
)
def rename_room(room_id: int, body: schemas.RoomChange):
    room = admin.rename_room(current_user, room_id, body.name, body.description)
    return schemas.RoomAnswer(room=schemas.room_view(room))


@operation(
    "PUT",
    "/admin/rooms/<int:room_id>/visibility",
    summary="Make a room public, or restricted to its members and the admins.",
    description="Sockets that may no longer read the room or its threads leave them at once.",
    body=schemas.Visibility,
    answer=schemas.RoomAnswer,
    errors=MISSING,
)
def room_visibility(room_id: int, body: schemas.Visibility):
    admin.access_room(current_user, room_id)
    room = admin.set_room_visibility(current_user, room_id, body.public)
    return schemas.RoomAnswer(room=schemas.room_view(room))


@operation(
    "PUT",
    "/admin/rooms/<int:room_id>/archived",
    summary="Archive a room (readable, but it takes no new threads or posts) or restore it.",
    body=schemas.Archived,
    answer=schemas.RoomAnswer,
    errors=MISSING,
)
def archive_room(room_id: int, body: schemas.Archived):
    room = admin.set_room_archived(current_user, room_id, body.archived)
    return schemas.RoomAnswer(room=schemas.room_view(room))


def _members(room_id: int) -> schemas.MembersAnswer:
    room, members = admin.room_members(current_user, room_id)
    return schemas.MembersAnswer(
        room=schemas.room_view(room), members=[person_view(m) for m in members]
    )


@operation(
    "GET",
    "/admin/rooms/<int:room_id>/members",
    summary="A room with the members who may read it while it is restricted.",
    answer=schemas.MembersAnswer,
    errors=MISSING,
)
def room_members(room_id: int):
    return _members(room_id)


@operation(
    "POST",
    "/admin/rooms/<int:room_id>/members",
    summary="Add a member to a room, by e-mail address or by user id.",
    body=schemas.NewMember,
    answer=schemas.MembersAnswer,
    errors=MISSING | INVALID,
)
def add_member(room_id: int, body: schemas.NewMember):
    admin.add_member(current_user, room_id, email=body.email, user_id=body.user_id)
    return _members(room_id)


@operation(
    "DELETE",
    "/admin/rooms/<int:room_id>/members/<int:user_id>",
    summary="Remove a member: their open sockets on the room and its threads are closed at once.",
    answer=schemas.MembersAnswer,
    errors=MISSING,
)
def remove_member(room_id: int, user_id: int):
    admin.remove_member(current_user, room_id, user_id)
    return _members(room_id)


@operation(
    "GET", "/admin/units", summary="The expert units.", answer=schemas.UnitList, errors=DENIED
)
def admin_units():
    units = admin.list_units(current_user)
    return schemas.UnitList(units=[schemas.Unit(id=u.id, code=u.code, name=u.name) for u in units])


def _unit(unit_id: int) -> schemas.UnitAnswer:
    unit, experts = admin.unit_experts(current_user, unit_id)
    return schemas.UnitAnswer(
        unit=schemas.Unit(id=unit.id, code=unit.code, name=unit.name),
        experts=[person_view(e) for e in experts],
    )


@operation(
    "POST",
    "/admin/units",
    summary="Add an expert unit (its code is unique).",
    body=schemas.NewUnit,
    answer=schemas.UnitAnswer,
    status=201,
    errors=DENIED | INVALID,
)
def add_unit(body: schemas.NewUnit):
    return _unit(admin.add_unit(current_user, body.code, body.name).id)


@operation(
    "GET",
    "/admin/units/<int:unit_id>",
    summary="A unit with its experts.",
    answer=schemas.UnitAnswer,
    errors=MISSING,
)
def admin_unit(unit_id: int):
    return _unit(unit_id)


@operation(
    "PATCH",
    "/admin/units/<int:unit_id>",
    summary="Rename a unit.",
    body=schemas.UnitChange,
    answer=schemas.UnitAnswer,
    errors=MISSING | INVALID,
)
def rename_unit(unit_id: int, body: schemas.UnitChange):
    admin.rename_unit(current_user, unit_id, body.name)
    return _unit(unit_id)


@operation(
    "POST",
    "/admin/units/<int:unit_id>/experts",
    summary="Make a person (by e-mail address) an expert of the unit.",
    body=schemas.NewExpert,
    answer=schemas.UnitAnswer,
    errors=MISSING | INVALID,
)
def add_expert(unit_id: int, body: schemas.NewExpert):
    admin.add_expert(current_user, unit_id, body.email)
    return _unit(unit_id)


@operation(
    "DELETE",
    "/admin/units/<int:unit_id>/experts/<int:user_id>",
    summary="Withdraw a person's expert role in the unit.",
    answer=schemas.UnitAnswer,
    errors=MISSING,
)
def remove_expert(unit_id: int, user_id: int):
    admin.remove_expert(current_user, unit_id, user_id)
    return _unit(unit_id)


@operation(
    "GET",
    "/admin/users",
    summary="A page of people whose name or e-mail address contains `q`.",
    query=UserSearch,
    answer=schemas.AccountPage,
    errors=DENIED,
)
def admin_users(query: UserSearch):
    page = admin.search_users(current_user, query.q, page=query.page, per_page=query.per_page)
    return schemas.AccountPage(
        users=[schemas.account_view(u) for u in page.items], meta=pagination(page)
    )


@operation(
    "GET",
    "/admin/users/<int:user_id>",
    summary="A person with their roles and suspension.",
    answer=schemas.AccountAnswer,
    errors=MISSING,
)
def admin_user(user_id: int):
    return _account(user_id)


@operation(
    "POST",
    "/admin/users/<int:user_id>/roles",
    summary="Grant a role: ambassador of an area, expert of a unit, or admin.",
    body=schemas.NewRole,
    answer=schemas.AccountAnswer,
    status=201,
    errors=MISSING | INVALID,
)
def grant_role(user_id: int, body: schemas.NewRole):
    admin.grant(current_user, user_id, body.role, body.area_id, body.unit_id)
    return _account(user_id)


@operation(
    "POST",
    "/admin/users/<int:user_id>/roles/<int:grant_id>/withdrawal",
    summary="Withdraw a role, with an optional message; never one's own admin role.",
    description="The person's open sockets lose what the role gave them at once.",
    body=schemas.Withdrawal,
    answer=schemas.AccountAnswer,
    errors=MISSING | INVALID | {409: ("own_admin_role",)},
)
def withdraw_role(user_id: int, grant_id: int, body: schemas.Withdrawal):
    admin.withdraw(current_user, user_id, grant_id, body.message)
    return _account(user_id)


@operation(
    "PUT",
    "/admin/users/<int:user_id>/suspension",
    summary="Suspend an account site-wide: no login, no writes; every login of theirs ends.",
    body=schemas.Suspension,
    answer=schemas.AccountAnswer,
    errors=MISSING | INVALID | {409: ("own_account", "user_is_admin")},
)
def suspend(user_id: int, body: schemas.Suspension):
    admin.suspend(current_user, user_id, body.days, body.reason)
    return _account(user_id)


@operation(
    "DELETE",
    "/admin/users/<int:user_id>/suspension",
    summary="Lift a suspension early.",
    answer=schemas.AccountAnswer,
    errors=MISSING | {409: ("not_suspended",)},
)
def lift_suspension(user_id: int):
    admin.lift_suspension(current_user, user_id)
    return _account(user_id)


@operation(
    "GET",
    "/admin/suspensions",
    summary="The suspensions still running, the soonest to end first.",
    query=PageQuery,
    answer=schemas.AccountPage,
    errors=DENIED,
)
def admin_suspensions(query: PageQuery):
    page = admin.list_suspensions(current_user, page=query.page, per_page=query.per_page)
    return schemas.AccountPage(
        users=[schemas.account_view(u) for u in page.items], meta=pagination(page)
    )


@operation(
    "GET",
    "/admin/audit",
    summary="The audit log, newest first: who changed what, when.",
    query=PageQuery,
    answer=schemas.AuditPage,
    errors=DENIED,
)
def admin_audit(query: PageQuery):
    page = admin.audit_log(current_user, page=query.page, per_page=query.per_page)
    return schemas.AuditPage(
        entries=[schemas.audit_view(e) for e in page.items], meta=pagination(page)
    )
