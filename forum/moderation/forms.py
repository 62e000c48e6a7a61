"""Moderation forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from forum.web import KeyedForm

REASON_HINT = _l("Reason (3 to 500 characters, public in the moderation log)")
OPTIONAL_REASON = _l("Reason (optional, public in the moderation log)")


class HideForm(KeyedForm):
    reason = TextAreaField(_l("Reason, shown to readers in the post's place (3 to 500 characters)"))


class ReasonForm(KeyedForm):
    """Lock a thread, or any action with an optional reason."""

    reason = StringField(OPTIONAL_REASON)


class MoveForm(KeyedForm):
    room_id = SelectField(_l("Move to the room"), coerce=str, validate_choice=False)
    reason = StringField(OPTIONAL_REASON)


def mute_choices():
    return [
        ("60", _l("1 hour")),
        ("1440", _l("24 hours")),
        ("10080", _l("7 days")),
        ("43200", _l("30 days")),
    ]


class MuteForm(KeyedForm):
    user_id = HiddenField()
    minutes = SelectField(_l("For how long"), choices=mute_choices, validate_choice=False)
    reason = TextAreaField(REASON_HINT)


class ActionForm(KeyedForm):
    """A button that does one thing (restore, unlock, pin, unpin, lift a mute)."""
