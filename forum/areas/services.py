"""The area tree, its rooms and their activity; seeding Kraków's reference data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.areas import krakow
from forum.areas.models import Area, Room
from forum.discussion.models import Thread
from forum.errors import NotFound
from forum.extensions import UTCDateTime, db
from forum.policy import can


@dataclass(frozen=True)
class RoomActivity:
    thread_count: int = 0
    post_count: int = 0
    last_activity_at: datetime | None = None


def room_activity(room_ids) -> dict[int, RoomActivity]:
    """Threads, posts and last activity of each room, in one query."""
    rows = db.session.execute(
        select(
            Thread.room_id,
            func.count(Thread.id),
            func.coalesce(func.sum(Thread.reply_count), 0) + func.count(Thread.id),
            # Typed, so SQLite's text comes back as an aware datetime like the column's.
            func.max(Thread.last_activity_at, type_=UTCDateTime),
        )
        .where(Thread.room_id.in_(list(room_ids)), Thread.deleted_at.is_(None))
        .group_by(Thread.room_id)
    )
    return {room_id: RoomActivity(threads, posts, last) for room_id, threads, posts, last in rows}


@dataclass
class AreaTree:
    """The areas, with the rooms a user may read and their activity."""

    city: Area
    areas: list[Area]
    rooms: dict[int, list[Room]]  # area id → its readable rooms
    activity: dict[int, RoomActivity]  # room id → activity, for rooms with threads

    def children_of(self, area: Area) -> list[Area]:
        return [a for a in self.areas if a.parent_id == area.id]

    @property
    def districts(self) -> list[Area]:
        return self.children_of(self.city)

    @property
    def all_rooms(self) -> list[Room]:
        return [room for area in self.areas for room in self.rooms[area.id]]


def load_area_tree(user) -> AreaTree:
    """Every area with the rooms the user may read and their activity, in three queries."""
    areas = list(
        db.session.scalars(
            select(Area).options(selectinload(Area.rooms)).order_by(Area.position, Area.id)
        )
    )
    rooms = {area.id: [r for r in area.rooms if can(user, "room.read", r)] for area in areas}
    activity = room_activity(room.id for readable in rooms.values() for room in readable)
    city = next(a for a in areas if a.kind == "city")
    return AreaTree(city=city, areas=areas, rooms=rooms, activity=activity)


@dataclass
class AreaPage:
    """One area as the viewer sees it: its place in the tree, readable rooms, ambassadors."""

    area: Area
    children: list[Area]
    rooms: list[Room]
    activity: dict[int, RoomActivity]
    ambassadors: list[User]  # the area's own
    district_ambassadors: list[User]  # for an osiedle: its district's, who serve it too


def ambassadors_of(area_id: int) -> list[User]:
    """The ambassadors appointed for exactly this area, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == "ambassador", RoleGrant.area_id == area_id)
            .order_by(User.display_name, User.id)
        )
    )


def load_area(user, area_id: int) -> AreaPage:
    """An area's page; every area is public (an archived one stays readable)."""
    area = db.session.get(Area, area_id, options=[selectinload(Area.rooms)])
    if area is None:
        raise NotFound(_("There is no such area."))
    children = list(
        db.session.scalars(
            select(Area).where(Area.parent_id == area.id).order_by(Area.position, Area.id)
        )
    )
    rooms = [room for room in area.rooms if can(user, "room.read", room)]
    return AreaPage(
        area=area,
        children=children,
        rooms=rooms,
        activity=room_activity(room.id for room in rooms),
        ambassadors=ambassadors_of(area.id),
        district_ambassadors=ambassadors_of(area.parent_id) if area.kind == "subarea" else [],
    )


def _add_area(
    parent: Area | None, kind: str, name: str, number: str = "", position: int = 0
) -> Area:
    area = Area(
        parent=parent,
        kind=kind,
        name=name,
        number=number,
        position=position,
        slug=krakow.slugify(f"{number} {name}" if kind == "district" else name),
    )
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    return area


def _add_room(
    area: Area, name: str, track: str = "district", description: str = "", position: int = 0
):
    db.session.add(
        Room(
            area=area,
            name=name,
            slug=krakow.slugify(name),
            track=track,
            description=description,
            position=position,
        )
    )


def seed_reference_data() -> bool:
    """Create Kraków's areas, rooms and expert units once; False if they already exist."""
    if db.session.scalar(select(func.count(Area.id))):
        return False
    city = _add_area(None, "city", "Kraków")
    for position, (number, name, osiedla) in enumerate(krakow.DISTRICTS):
        district = _add_area(city, "district", name, number, position)
        _add_room(
            district,
            f"{number} {name}",
            description=f"Rozmowa mieszkańców dzielnicy {number} {name}.",
        )
        for sub_position, osiedle in enumerate(osiedla):
            subarea = _add_area(district, "subarea", osiedle, position=sub_position)
            if osiedle in krakow.SUBAREA_ROOMS:
                _add_room(subarea, osiedle, description=f"Osiedle {osiedle} ({name}).")
    for position, (name, description) in enumerate(krakow.CITY_ROOMS):
        _add_room(city, name, track="city", description=description, position=position)
    for code, name in krakow.EXPERT_UNITS:
        db.session.add(ExpertUnit(code=code, name=name))
    db.session.flush()
    return True
