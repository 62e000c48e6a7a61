"""Demo: a meeting that ended last week in XIII Podgórze, with its minutes, attendance and
what came of it (a thread and a draft)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.drafts import promotion
from forum.extensions import db, utcnow
from forum.meetings import minutes
from forum.meetings.models import MeetingAttendance, MeetingQuestion, MeetingSignup
from forum.meetings.schemas import MeetingInput
from forum.meetings.services import schedule_meeting
from forum.schemas import parse

MINUTES = """# 1. Powitanie

Piotr przywitał uczestników; Ewa Wiśniewska odpowiadała za ZZM.

# 2. Potrzeby mieszkańców

- Cień i ławki na skwerze przy Lipowej: najczęstsza prośba.
- Woda pitna dla spacerowiczów i rowerzystów.

# 3. Pytania do ekspertów

- Czy działka przy Lipowej jest miejska? (ZZM; odpowiedziano: w części tak)
- Kiedy ZZM sadzi drzewa? (ZZM; bez odpowiedzi, wróci w wątku)

# Ustalenia

Anna i Jan piszą wątek o ławkach; wątek o fontannie staje się szkicem wniosku.
"""


def seed_after(users: dict) -> None:
    podgorze = db.session.scalar(select(Room).where(Room.slug == "xiii-podgorze"))
    zzm = db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == "ZZM"))
    week_ago = utcnow() - timedelta(days=7)
    start = week_ago.replace(hour=16, minute=0, second=0, microsecond=0)  # 17:00 or 18:00
    data = parse(
        MeetingInput,
        {
            "title": "Skwer przy Lipowej: co dalej?",
            "description": "Zbieramy potrzeby i pytania do ZZM przed pisaniem wniosków.",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1, minutes=30)).isoformat(),
            "capacity": 30,
            "agenda": [
                {"title": "Powitanie", "planned_minutes": 10},
                {"title": "Potrzeby mieszkańców", "planned_minutes": 40},
                {"title": "Pytania do ekspertów", "planned_minutes": 40},
            ],
            "invited_unit_ids": [zzm],
        },
    )
    meeting = schedule_meeting(users["piotr"], podgorze.id, data, now=start - timedelta(days=6))
    # What the meeting recorded while it ran (sign-ups before it, then attendance, the host's
    # moves, the questions): set down as it was, since those services refuse a past meeting.
    for name in ("anna", "jan", "tomasz", "piotr"):
        db.session.add(
            MeetingSignup(meeting=meeting, user=users[name], created_at=start - timedelta(days=3))
        )
    meeting.signup_count = 4
    for name in ("anna", "jan", "piotr", "ewa"):
        db.session.add(
            MeetingAttendance(
                meeting=meeting, user=users[name], first_seen_at=start + timedelta(minutes=2)
            )
        )
    for item, minute in zip(meeting.agenda, (0, 12, 55), strict=True):
        item.started_at = start + timedelta(minutes=minute)
    db.session.add_all(
        [
            MeetingQuestion(
                meeting=meeting,
                author=users["anna"],
                unit_id=zzm,
                body="Czy działka przy Lipowej jest miejska?",
                created_at=start + timedelta(minutes=58),
                answered_at=start + timedelta(minutes=65),
                answered_by=users["piotr"],
            ),
            MeetingQuestion(
                meeting=meeting,
                author=users["jan"],
                unit_id=zzm,
                body="Kiedy ZZM sadzi drzewa?",
                created_at=start + timedelta(minutes=70),
            ),
        ]
    )
    discussion.create_reply(users["anna"], meeting.thread_id, "Dziękuję za spotkanie!")
    discussion.create_reply(
        users["ewa"], meeting.thread_id, "Mapę własności działek dołączymy w wątku o ławkach."
    )

    benches = discussion.create_thread(
        users["jan"],
        podgorze.id,
        "Ławki i cień przy Lipowej",
        "Po spotkaniu: gdzie ustawić ławki, żeby latem były w cieniu?",
    )
    fountain = discussion.create_thread(
        users["tomasz"],
        podgorze.id,
        "Fontanna pitna na skwerze przy Lipowej",
        "Woda pitna dla spacerowiczów i rowerzystów, przy wejściu na skwer.",
    )
    draft = promotion.promote_thread(users["piotr"], fountain.id)
    minutes.save_minutes(
        users["piotr"], meeting.id, MINUTES, publish=True, now=start + timedelta(hours=3)
    )
    minutes.link_outcome(users["piotr"], meeting.id, thread_id=benches.id)
    minutes.link_outcome(users["piotr"], meeting.id, draft_id=draft.id)
