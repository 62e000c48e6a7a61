"""A meeting's page: before it (details, sign-up), while it runs (agenda, thread, questions,
who is here) and after it (minutes, outcomes, attendance)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from forum.meetings import services

bp = Blueprint("meetings", __name__)


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    meeting = services.access_meeting(current_user, meeting_id)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        status=meeting.status(),
        signup=services.signup_of(current_user, meeting.id),
    )
