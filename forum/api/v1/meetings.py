"""Meetings: schedule one in a room, change or cancel it, sign up and withdraw, and find
meetings by area, room and time."""

from flask import url_for
from flask_login import current_user

from forum.api.v1.base import operation
from forum.meetings import scheduling, services
from forum.meetings.schemas import (
    Cancellation,
    MeetingAnswer,
    MeetingInput,
    MeetingPage,
    MeetingQuery,
    SignupRequest,
    meeting_summary_view,
)
from forum.policy import can
from forum.schemas import pagination

HOST_ERRORS = {
    401: ("not_authenticated",),
    403: ("not_host", "suspended"),
    409: ("meeting_cancelled", "meeting_ended"),
}


def _answer(meeting_id: int) -> MeetingAnswer:
    meeting = services.access_meeting(current_user, meeting_id)
    return MeetingAnswer(
        meeting=meeting_summary_view(meeting),
        signed_up=services.signup_of(current_user, meeting.id) is not None,
        can_sign_up=can(current_user, "meeting.signup", meeting) and current_user.is_authenticated,
        can_edit=can(current_user, "meeting.edit", meeting),
        ics_url=url_for("meetings.meeting_ics", meeting_id=meeting.id),
    )


@operation(
    "GET",
    "/meetings",
    summary="A page of meetings the asking person may read: city-wide, in an area or a room.",
    query=MeetingQuery,
    answer=MeetingPage,
    errors={404: ("not_found",)},
)
def meetings(query: MeetingQuery):
    page = scheduling.list_meetings(
        current_user,
        area_id=query.area_id,
        room_id=query.room_id,
        when=query.when,
        page=query.page,
        per_page=query.per_page,
    )
    full = scheduling.load_meetings_for(m.id for m in page.items)
    order = {m.id: n for n, m in enumerate(page.items)}
    full.sort(key=lambda m: order[m.id])
    return MeetingPage(meetings=[meeting_summary_view(m) for m in full], meta=pagination(page))


@operation(
    "GET",
    "/meetings/<int:meeting_id>",
    summary="A meeting with its agenda and invitations, and what the asking person may do.",
    answer=MeetingAnswer,
)
def meeting(meeting_id: int):
    return _answer(meeting_id)


@operation(
    "POST",
    "/rooms/<int:room_id>/meetings",
    summary="Schedule a meeting in a room (the area's ambassadors, the coordinators).",
    description="Times without an offset are Kraków's wall-clock time. The meeting gets a "
    "thread in the room for its written discussion; invited experts (and the experts of "
    "invited units) are notified. A time that overlaps another meeting of the room is a 409 "
    "`meeting_overlaps`.",
    body=MeetingInput,
    answer=MeetingAnswer,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("forbidden", "suspended", "muted"),
        409: ("meeting_overlaps", "room_archived"),
        429: ("rate_limited",),
    },
)
def schedule_meeting(room_id: int, body: MeetingInput):
    meeting = services.schedule_meeting(current_user, room_id, body)
    return _answer(meeting.id)


@operation(
    "PUT",
    "/meetings/<int:meeting_id>",
    summary="Change a meeting before it ends (its host, an admin): all its details at once.",
    description="New times are checked again, against the room's other meetings. If the "
    "time moves, the people signed up are notified; newly invited experts are notified too. "
    "Agenda items keep their ids by position; an item the meeting reached is not removed.",
    body=MeetingInput,
    answer=MeetingAnswer,
    errors=HOST_ERRORS | {409: (*HOST_ERRORS[409], "meeting_overlaps")},
)
def edit_meeting(meeting_id: int, body: MeetingInput):
    scheduling.edit_meeting(current_user, meeting_id, body)
    return _answer(meeting_id)


@operation(
    "POST",
    "/meetings/<int:meeting_id>/cancellation",
    summary="Cancel a meeting before it ends (its host, an admin), saying why.",
    description="Everyone signed up or invited is notified with the reason. Final: the "
    "meeting's time is free for another.",
    body=Cancellation,
    answer=MeetingAnswer,
    errors=HOST_ERRORS,
)
def cancel_meeting(meeting_id: int, body: Cancellation):
    scheduling.cancel_meeting(current_user, meeting_id, body.reason)
    return _answer(meeting_id)


@operation(
    "PUT",
    "/meetings/<int:meeting_id>/signup",
    summary="Sign up for a meeting (again: nothing changes).",
    body=SignupRequest,
    answer=MeetingAnswer,
    errors={
        401: ("not_authenticated",),
        403: ("suspended",),
        409: ("meeting_full", "meeting_cancelled", "meeting_ended"),
    },
)
def sign_up(meeting_id: int, body: SignupRequest):
    services.sign_up(current_user, meeting_id)
    return _answer(meeting_id)


@operation(
    "DELETE",
    "/meetings/<int:meeting_id>/signup",
    summary="Withdraw one's sign-up; the place is free again.",
    answer=MeetingAnswer,
    errors={401: ("not_authenticated",), 409: ("meeting_ended",)},
)
def withdraw_signup(meeting_id: int):
    services.withdraw_signup(current_user, meeting_id)
    return _answer(meeting_id)
