"""Workshop series forms: fields, CSRF and an idempotency key; the services validate the values.
Times are entered as Kraków's wall-clock time (datetime-local)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from forum.discussion.forms import BODY_LIMIT
from forum.web import KeyedForm
from forum.workshops.schemas import SERIES_TITLE_MAX

LOCAL_TIME = {"type": "datetime-local"}


class SeriesForm(KeyedForm):
    edition_id = SelectField(_l("Budget edition"), validate_choice=False)
    title = StringField(_l("Title (at most %(num)d characters)", num=SERIES_TITLE_MAX))
    description = TextAreaField(_l("Description"))
    stage_1_room_id = SelectField(_l("Room"), validate_choice=False)
    stage_1_starts_at = StringField(_l("Starts (Kraków time)"), render_kw=LOCAL_TIME)
    stage_1_ends_at = StringField(_l("Ends (Kraków time)"), render_kw=LOCAL_TIME)
    stage_2_room_id = SelectField(_l("Room"), validate_choice=False)
    stage_2_starts_at = StringField(_l("Starts (Kraków time)"), render_kw=LOCAL_TIME)
    stage_2_ends_at = StringField(_l("Ends (Kraków time)"), render_kw=LOCAL_TIME)
    stage_3_room_id = SelectField(_l("Room"), validate_choice=False)
    stage_3_starts_at = StringField(_l("Starts (Kraków time)"), render_kw=LOCAL_TIME)
    stage_3_ends_at = StringField(_l("Ends (Kraków time)"), render_kw=LOCAL_TIME)

    def stage_fields(self, number: int):
        return tuple(getattr(self, f"stage_{number}_{name}") for name in STAGE_FIELDS)


STAGE_FIELDS = ("room_id", "starts_at", "ends_at")


class ItemForm(KeyedForm):
    """A need or an idea, started as a thread; the idea's needs are checkboxes named need_ids."""

    title = StringField(_l("Title"))
    body = TextAreaField(_l("Describe it (Markdown, at most %(num)d characters)", num=BODY_LIMIT))


class MarkForm(KeyedForm):
    thread_id = HiddenField()


class UnmarkForm(KeyedForm):
    pass


class NeedsForm(KeyedForm):
    """The needs an idea answers: checkboxes named need_ids."""
