"""What clients send while a meeting runs (agenda moves, questions, marking them answered) and
the list of a meeting's questions."""

from __future__ import annotations

from typing import Literal

from flask_babel import gettext as _
from pydantic import Field, model_validator

from forum.meetings.schemas import QUESTION_MAX, Question
from forum.schemas import Id, Input, Seq, Shape, explained


class AgendaMove(Input):
    """Where the host takes the meeting: to an agenda item, or one step along the agenda."""

    item_id: Id | None = Field(None, description="Go to this item of the meeting's agenda.")
    step: Literal["next", "previous"] | None = Field(
        None, description="Or one item on or back from the current one."
    )

    @model_validator(mode="after")
    def one_move(self):
        if (self.item_id is None) == (self.step is None):
            raise explained(_("Give either an agenda item or a step, not both."))
        return self


class QuestionInput(Input):
    body: str = Field(min_length=1, max_length=QUESTION_MAX)
    unit_id: Id | None = Field(
        None, description="One of the meeting's invited units; null: for any invited expert."
    )


class AnsweredInput(Input):
    answered: bool = Field(description="True: the question was answered; false: not yet.")


class Questions(Shape):
    questions: list[Question] = Field(description="Oldest first.")
    last_seq: Seq = Field(description="The meeting stream's latest seq when they were read.")
