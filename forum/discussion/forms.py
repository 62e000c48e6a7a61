"""Discussion forms: fields and CSRF; the services validate the values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class ThreadForm(FlaskForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("What would you like to discuss? (Markdown)"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply (Markdown)"))
    parent_id = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField(_l("Post (Markdown)"))


class DeleteForm(FlaskForm):
    pass
