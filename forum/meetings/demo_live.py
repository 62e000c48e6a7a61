"""Demo: a meeting running now in the Zabłocie room, on its second agenda item, with questions
to ZZM (one answered), people present and a few replies in its thread."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.extensions import db, utcnow
from forum.meetings import live
from forum.meetings import services as meetings
from forum.meetings.live_schemas import AgendaMove, QuestionInput
from forum.meetings.schemas import MeetingInput
from forum.schemas import parse


def seed_live_meeting(users: dict) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    start = now - timedelta(minutes=30)
    room = select(Room.id).where(Room.slug == "zablocie")
    zzm = select(ExpertUnit.id).where(ExpertUnit.code == "ZZM")
    details = parse(
        MeetingInput,
        {
            "title": "Zabłocie: zieleń i ławki nad Wisłą",
            "description": "Spotkanie online o pomysłach na bulwar i skwery Zabłocia.",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "video_url": "https://meet.example.org/zablocie-bo",
            "agenda": [
                {"title": "Powitanie i zasady", "planned_minutes": 10},
                {"title": "Potrzeby mieszkańców", "planned_minutes": 60},
                {"title": "Pytania do ZZM", "planned_minutes": 40},
            ],
            "invited_unit_ids": [db.session.scalar(zzm)],
        },
    )
    meeting = meetings.schedule_meeting(
        users["piotr"], db.session.scalar(room), details, now=start - timedelta(days=7)
    )
    for name in ("anna", "jan"):
        meetings.sign_up(users[name], meeting.id)
    first, second = (item.id for item in meeting.agenda[:2])
    live.move_agenda(users["piotr"], meeting.id, AgendaMove(item_id=first), now=start)
    live.move_agenda(
        users["piotr"], meeting.id, AgendaMove(item_id=second), now=start + timedelta(minutes=12)
    )
    for name in ("piotr", "anna", "jan", "ewa"):
        live.record_attendance(users[name], meeting)
    answered = live.ask(
        users["anna"],
        meeting.id,
        QuestionInput(
            body="Czy teren nad Wisłą przy Kotlarskiej należy do miasta?",
            unit_id=db.session.scalar(zzm),
        ),
    )
    live.ask(users["jan"], meeting.id, QuestionInput(body="Ile kosztuje jedna ławka z montażem?"))
    live.mark_answered(users["piotr"], answered.id, True)
    discussion.create_reply(
        users["anna"], meeting.thread_id, "Najbardziej brakuje cienia: drzew i zadaszeń."
    )
    discussion.create_reply(
        users["ewa"],
        meeting.thread_id,
        "Teren przy Kotlarskiej jest w zarządzie ZZM, więc zieleń można tam zgłaszać.",
    )
    discussion.create_reply(users["jan"], meeting.thread_id, "Ławki z oparciem, proszę!")
