"""Co-author forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField

from forum.web import KeyedForm


class InviteForm(KeyedForm):
    email = EmailField(_l("E-mail address of their account on the forum"))


class ConfirmForm(KeyedForm):
    """Accepting, declining, removing, leaving: nothing to fill in."""
