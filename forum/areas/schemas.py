"""Shapes of the area tree and its rooms."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from forum.areas.models import Room as RoomModel
from forum.policy import can
from forum.schemas import Count, Id, Shape


class Room(Shape):
    """A discussion room of an area, with the activity of its live threads."""

    id: Id
    area_id: Id
    name: str
    slug: str
    track: Literal["district", "city"]
    description: str
    thread_count: Count
    post_count: Count
    last_activity_at: datetime | None
    can_create_thread: bool = Field(description="Whether the viewer may start a thread here.")


class Area(Shape):
    """An area (city, district or osiedle) with its readable rooms and its sub-areas."""

    id: Id
    parent_id: Id | None
    kind: Literal["city", "district", "subarea"]
    number: str = Field(description='Roman numeral of a district, or "".')
    name: str
    slug: str
    rooms: list[Room]
    children: list[Area]


class AreaTreeAnswer(Shape):
    area: Area = Field(description="Kraków, its 18 districts in order, their osiedla.")


class RoomsAnswer(Shape):
    rooms: list[Room]


class RoomAnswer(Shape):
    room: Room


def room_view(room: RoomModel, activity, viewer) -> Room:
    """The room as the viewer sees it; activity is an areas.services.RoomActivity or None."""
    return Room(
        id=room.id,
        area_id=room.area_id,
        name=room.name,
        slug=room.slug,
        track=room.track,
        description=room.description,
        thread_count=activity.thread_count if activity else 0,
        post_count=activity.post_count if activity else 0,
        last_activity_at=activity.last_activity_at if activity else None,
        can_create_thread=can(viewer, "thread.create", room),
    )


def area_view(area, tree, viewer) -> Area:
    """The area with its readable rooms and, recursively, its sub-areas (an AreaTree)."""
    return Area(
        id=area.id,
        parent_id=area.parent_id,
        kind=area.kind,
        number=area.number,
        name=area.name,
        slug=area.slug,
        rooms=[room_view(r, tree.activity.get(r.id), viewer) for r in tree.rooms[area.id]],
        children=[area_view(child, tree, viewer) for child in tree.children_of(area)],
    )
