"""The support button and the withdrawal's confirmation: CSRF, an idempotency key, and the
page to go back to."""

from wtforms import HiddenField

from forum.web import KeyedForm


class SupportForm(KeyedForm):
    next = HiddenField()
