"""The live meeting's forms: moving the agenda, asking the experts, marking a question answered.
CSRF and (for questions) an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField

from forum.meetings.schemas import QUESTION_MAX
from forum.web import KeyedForm


class MoveForm(FlaskForm):
    """Go to one agenda item: the same item twice is one move (a double click moves once)."""

    item_id = HiddenField()


class QuestionForm(KeyedForm):
    # Not "body": the page's reply form has that field (and so that id) already.
    question = TextAreaField(_l("Your question (at most %(num)d characters)", num=QUESTION_MAX))
    unit_id = SelectField(_l("To"), choices=[], validate_choice=False)


class AnswerForm(FlaskForm):
    answered = HiddenField()
