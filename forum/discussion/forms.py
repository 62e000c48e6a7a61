"""Discussion forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from forum.web import KeyedForm


class ThreadForm(KeyedForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("What would you like to discuss? (Markdown)"))


class ReplyForm(KeyedForm):
    body = TextAreaField(_l("Your reply (Markdown)"))
    parent_id = HiddenField()


class EditForm(KeyedForm):
    body = TextAreaField(_l("Post (Markdown)"))


class DeleteForm(KeyedForm):
    pass
