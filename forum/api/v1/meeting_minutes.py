"""After a meeting: its record (minutes, outcomes, the agenda as it ran, questions, attendance
counts), writing and publishing the minutes, linking outcomes, and who attended."""

from flask import request
from flask_login import current_user

from forum.api.v1.base import operation
from forum.meetings import minutes
from forum.meetings.minutes_schemas import (
    AttendanceAnswer,
    MeetingRecord,
    MinutesInput,
    MinutesPreview,
    MinutesPreviewInput,
    MinutesTemplate,
    OutcomeInput,
    attendance_view,
    record_view,
)
from forum.meetings.services import access_meeting

HOST_ERRORS = {
    401: ("not_authenticated",),
    403: ("not_host", "suspended"),
    404: ("not_found",),
    409: ("meeting_not_ended", "meeting_cancelled"),
}


def _record(meeting_id: int) -> MeetingRecord:
    meeting = access_meeting(current_user, meeting_id)
    return record_view(minutes.after_view(current_user, meeting))


@operation(
    "GET",
    "/meetings/<int:meeting_id>/record",
    summary="What the meeting left behind: minutes, outcomes, the agenda as it ran, the "
    "questions asked, how many signed up and were present.",
    answer=MeetingRecord,
    errors={404: ("not_found",)},
)
def meeting_record(meeting_id: int):
    return _record(meeting_id)


@operation(
    "GET",
    "/meetings/<int:meeting_id>/minutes/template",
    summary="A start for the minutes (the host, once it ended): a heading per agenda item with "
    "its planned minutes, and the questions asked, answered or not.",
    answer=MinutesTemplate,
    errors=HOST_ERRORS,
)
def minutes_template(meeting_id: int):
    meeting = minutes.access_minutes(current_user, meeting_id)
    return MinutesTemplate(source=minutes.minutes_template(meeting))


@operation(
    "POST",
    "/meetings/<int:meeting_id>/minutes/preview",
    summary="The minutes rendered as they would show; nothing is saved.",
    body=MinutesPreviewInput,
    answer=MinutesPreview,
    errors=HOST_ERRORS | {422: ("invalid",)},
)
def preview_minutes(meeting_id: int, body: MinutesPreviewInput):
    minutes.access_minutes(current_user, meeting_id)
    _source, html = minutes.render_minutes(body.source)
    return MinutesPreview(html=html)


@operation(
    "PUT",
    "/meetings/<int:meeting_id>/minutes",
    summary="Save the minutes (the host, once it ended); with `publish`, publish them.",
    description="The first publication tells everyone signed up or present "
    "(`meeting_minutes`); saving published minutes keeps them published and tells nobody "
    "again. Both send `meeting_updated`.",
    body=MinutesInput,
    answer=MeetingRecord,
    errors=HOST_ERRORS | {422: ("invalid",)},
)
def save_minutes(meeting_id: int, body: MinutesInput):
    minutes.save_minutes(current_user, meeting_id, body.source, publish=body.publish)
    return _record(meeting_id)


@operation(
    "POST",
    "/meetings/<int:meeting_id>/outcomes",
    summary="Link a thread or a draft that came out of the meeting (the host, once it ended).",
    description="It must be one the host may read; each is linked once.",
    body=OutcomeInput,
    answer=MeetingRecord,
    status=201,
    errors=HOST_ERRORS
    | {409: HOST_ERRORS[409] + ("outcome_linked", "thread_deleted"), 422: ("invalid",)},
)
def link_outcome(meeting_id: int, body: OutcomeInput):
    kind, target = minutes.outcome_target(
        body.thread_id, body.draft_id, body.address, body.kind, request.host
    )
    minutes.link_outcome(current_user, meeting_id, **{f"{kind}_id": target})
    return _record(meeting_id)


@operation(
    "DELETE",
    "/meetings/<int:meeting_id>/outcomes/<int:outcome_id>",
    summary="Unlink an outcome from the meeting (the host, once it ended).",
    answer=MeetingRecord,
    errors=HOST_ERRORS,
)
def unlink_outcome(meeting_id: int, outcome_id: int):
    minutes.unlink_outcome(current_user, meeting_id, outcome_id)
    return _record(meeting_id)


@operation(
    "GET",
    "/meetings/<int:meeting_id>/attendance",
    summary="Who signed up and who was present, by name (the host and the area's moderators).",
    answer=AttendanceAnswer,
    errors={401: ("not_authenticated",), 403: ("not_host",), 404: ("not_found",)},
)
def meeting_attendance(meeting_id: int):
    meeting, people = minutes.attendance(current_user, meeting_id)
    return attendance_view(meeting.id, people)
