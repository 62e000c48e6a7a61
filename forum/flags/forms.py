"""Flag forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField

from forum.flags.services import REASONS, TEXT_MAX_LENGTH
from forum.web import KeyedForm


class FlagForm(KeyedForm):
    reason = RadioField(_l("Why should the moderators look at it?"), choices=list(REASONS.items()))
    text = TextAreaField(
        _l(
            "What is wrong with it? (at most %(num)d characters; needed for “Something else”)",
            num=TEXT_MAX_LENGTH,
        )
    )


class DismissForm(KeyedForm):
    note = TextAreaField(
        _l(
            "A note to the residents who flagged it (optional, at most %(num)d characters)",
            num=TEXT_MAX_LENGTH,
        )
    )


class HideForm(KeyedForm):
    reason = StringField(_l("Reason, shown to readers in the post's place"))
