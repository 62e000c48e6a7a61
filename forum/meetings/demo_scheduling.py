"""Demo: an upcoming meeting in XIII Podgórze's room, with residents signed up and ZZM invited,
scheduled through the services (so its thread, notifications and events are real)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.areas.models import Room
from forum.extensions import db, utcnow
from forum.meetings import services, times
from forum.meetings.schemas import MeetingInput
from forum.schemas import parse


def _next_evening(days: int) -> datetime:
    """18:00 Kraków time, some days from now."""
    day = times.local(utcnow()).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 18, 0)


def seed_scheduling(users: dict) -> None:
    podgorze = db.session.scalar(select(Room).where(Room.slug == "xiii-podgorze"))
    zzm = db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == "ZZM"))
    start = _next_evening(5)
    data = parse(
        MeetingInput,
        {
            "title": "Zieleń w Podgórzu: spotkanie przed naborem wniosków",
            "description": "Zbieramy pomysły na zieleń w dzielnicy przed naborem do budżetu "
            "obywatelskiego. Ekspertka Zarządu Zieleni Miejskiej odpowie na pytania o działki "
            "i drzewa.",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1, minutes=30)).isoformat(),
            "video_url": "https://meet.jit.si/wspolne-projekty-podgorze-zielen",
            "capacity": 40,
            "agenda": [
                {"title": "Powitanie i zasady", "planned_minutes": 10},
                {"title": "Potrzeby mieszkańców: skwery i drzewa", "planned_minutes": 35},
                {"title": "Pytania do ZZM", "planned_minutes": 30},
                {"title": "Co dalej: od pomysłu do wniosku", "planned_minutes": 15},
            ],
            "invited_unit_ids": [zzm],
        },
    )
    meeting = services.schedule_meeting(users["piotr"], podgorze.id, data)
    for name in ("anna", "jan", "tomasz"):
        services.sign_up(users[name], meeting.id)
