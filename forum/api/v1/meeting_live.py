"""A meeting while it runs: the host's agenda moves, questions to the invited experts and their
answered marks. Each change is also published on the meeting's stream (meeting_updated,
question_asked, question_updated)."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.meetings import live
from forum.meetings.live_schemas import AgendaMove, AnsweredInput, QuestionInput, Questions
from forum.meetings.schemas import MeetingSummary, Question, meeting_summary_view, question_view
from forum.meetings.services import access_meeting, questions_of
from forum.realtime.streams import last_seq, meeting_stream


@operation(
    "POST",
    "/meetings/<int:meeting_id>/agenda/current",
    summary="Move the meeting to an agenda item, or one step along its agenda (the host).",
    description=(
        "Only while the meeting runs. An item's `started_at` is when the meeting first reached "
        "it. A `step` is taken from the current item: if the agenda moved meanwhile it is "
        "refused (409 `agenda_moved`) rather than taken twice; an `item_id` move is the same "
        "move however often it is sent."
    ),
    body=AgendaMove,
    answer=MeetingSummary,
    errors={
        401: ("not_authenticated",),
        403: ("not_host", "suspended"),
        404: ("not_found",),
        409: (
            "meeting_not_live",
            "meeting_cancelled",
            "no_agenda",
            "agenda_start",
            "agenda_end",
            "agenda_moved",
        ),
        422: ("invalid",),
    },
)
def move_agenda(meeting_id: int, body: AgendaMove):
    meeting = live.move_agenda(current_user, meeting_id, body)
    return meeting_summary_view(meeting)


@operation(
    "GET",
    "/meetings/<int:meeting_id>/questions",
    summary="The meeting's questions to its invited experts, oldest first.",
    answer=Questions,
    errors={404: ("not_found",)},
)
def meeting_questions(meeting_id: int):
    seq = last_seq(meeting_stream(meeting_id))  # before the questions: later ones are caught up
    meeting = access_meeting(current_user, meeting_id)
    return Questions(questions=[question_view(q) for q in questions_of(meeting.id)], last_seq=seq)


@operation(
    "POST",
    "/meetings/<int:meeting_id>/questions",
    summary="Ask the invited experts a quick question: one invited unit, or any of them.",
    body=QuestionInput,
    answer=Question,
    status=201,
    errors={
        401: ("not_authenticated",),
        403: ("suspended",),
        404: ("not_found",),
        409: ("meeting_cancelled", "meeting_ended", "no_experts_invited"),
        422: ("invalid",),
        429: ("rate_limited",),
    },
)
def ask_question(meeting_id: int, body: QuestionInput):
    return question_view(live.ask(current_user, meeting_id, body))


@operation(
    "PUT",
    "/meeting-questions/<int:question_id>/answered",
    summary="Mark a question answered, or not answered yet (the host).",
    body=AnsweredInput,
    answer=Question,
    errors={
        401: ("not_authenticated",),
        403: ("not_host", "suspended"),
        404: ("not_found",),
        409: ("meeting_cancelled",),
        422: ("invalid",),
    },
)
def mark_question(question_id: int, body: AnsweredInput):
    return question_view(live.mark_answered(current_user, question_id, body.answered))
