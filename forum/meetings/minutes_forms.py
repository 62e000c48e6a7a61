"""The host's forms after a meeting: the minutes, a linked outcome, removing one. CSRF and an
idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from forum.meetings.minutes import MINUTES_MAX
from forum.web import KeyedForm


class MinutesForm(KeyedForm):
    source = TextAreaField(_l("Minutes (Markdown, at most %(num)d characters)", num=MINUTES_MAX))


class OutcomeForm(KeyedForm):
    address = StringField(_l("Address or number of a thread or draft"))
    kind = RadioField(
        _l("A number is that of a"),
        choices=[SelectChoice("thread", _l("thread")), SelectChoice("draft", _l("draft"))],
        default="thread",
        validate_choice=False,
    )


class RemoveOutcomeForm(KeyedForm):
    pass
