"""Discussion forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from config import Config
from forum.web import KeyedForm

# The limit is said before writing, not only after sending (forum/discussion/services.py).
BODY_LIMIT = Config.BODY_MAX_LENGTH


class ThreadForm(KeyedForm):
    title = StringField(_l("Title"))
    body = TextAreaField(
        _l("What would you like to discuss? (Markdown, at most %(num)d characters)", num=BODY_LIMIT)
    )


class ReplyForm(KeyedForm):
    body = TextAreaField(_l("Your reply (Markdown, at most %(num)d characters)", num=BODY_LIMIT))
    parent_id = HiddenField()


class EditForm(KeyedForm):
    body = TextAreaField(_l("Post (Markdown, at most %(num)d characters)", num=BODY_LIMIT))


class DeleteForm(KeyedForm):
    pass
