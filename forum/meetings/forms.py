"""Meeting forms: scheduling and editing (times as Kraków's datetime-local values), cancelling
with a reason, signing up and withdrawing. The services validate the values."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField

from forum.meetings import times
from forum.meetings.models import Meeting
from forum.schemas import id_from_text
from forum.web import KeyedForm

# Empty agenda rows under the filled ones: room for more without JavaScript.
SPARE_AGENDA_ROWS = 3


class AgendaRowForm(Form):
    title = StringField(_l("Item"))
    planned_minutes = StringField(_l("Planned minutes"))


class MeetingForm(KeyedForm):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("What the meeting is about (optional)"))
    starts_at = StringField(_l("Starts (Kraków time)"), render_kw={"type": "datetime-local"})
    ends_at = StringField(_l("Ends (Kraków time)"), render_kw={"type": "datetime-local"})
    video_url = StringField(
        _l("Link to the video call (optional)"), render_kw={"type": "url", "inputmode": "url"}
    )
    capacity = StringField(
        _l("Places (optional; empty: no limit)"), render_kw={"inputmode": "numeric"}
    )
    agenda = FieldList(FormField(AgendaRowForm))
    agenda_errors: list[str] = []
    invited_unit_ids = SelectMultipleField(_l("Invited expert units"), validate_choice=False)
    invited_expert_ids = SelectMultipleField(_l("Invited experts"), validate_choice=False)


class CancelForm(KeyedForm):
    reason = TextAreaField(_l("Why is it cancelled? (the people signed up are told)"))


class SignupForm(KeyedForm):
    pass


class WithdrawForm(KeyedForm):
    pass


def add_spare_rows(form: MeetingForm) -> None:
    blank = [
        r for r in form.agenda.entries if not (r.form.title.data or r.form.planned_minutes.data)
    ]
    for _row in range(SPARE_AGENDA_ROWS - len(blank)):
        form.agenda.append_entry()


def fill(form: MeetingForm, meeting: Meeting) -> None:
    form.title.data = meeting.title
    form.description.data = meeting.description
    form.starts_at.data = times.local_input(meeting.starts_at)
    form.ends_at.data = times.local_input(meeting.ends_at)
    form.video_url.data = meeting.video_url
    form.capacity.data = str(meeting.capacity) if meeting.capacity is not None else ""
    for item in meeting.agenda:
        form.agenda.append_entry(
            {"title": item.title, "planned_minutes": str(item.planned_minutes)}
        )
    form.invited_unit_ids.data = [str(i.unit_id) for i in meeting.invitations if i.unit_id]
    form.invited_expert_ids.data = [str(i.user_id) for i in meeting.invitations if i.user_id]


def _number(text: str | None):
    """A whole number as written, else the text itself (which the input's check refuses)."""
    text = (text or "").strip()
    number = id_from_text(text)
    return number if number is not None else text


def _ids(values) -> list:
    return [id_from_text(v) or v for v in values or []]


def form_values(form: MeetingForm) -> dict:
    """What the form says, as MeetingInput takes it: empty agenda rows left out."""
    agenda, form.agenda_rows = [], []
    for row in form.agenda.entries:
        title, minutes = (row.form.title.data or "").strip(), row.form.planned_minutes.data
        if title or (minutes or "").strip():
            agenda.append({"title": title, "planned_minutes": _number(minutes)})
            form.agenda_rows.append(row.form)  # where an error of agenda.<n> is shown
    capacity = (form.capacity.data or "").strip()
    return {
        "title": form.title.data or "",
        "description": form.description.data or "",
        "starts_at": form.starts_at.data or "",
        "ends_at": form.ends_at.data or "",
        "video_url": form.video_url.data or "",
        "capacity": _number(capacity) if capacity else None,
        "agenda": agenda,
        "invited_unit_ids": _ids(form.invited_unit_ids.data),
        "invited_expert_ids": _ids(form.invited_expert_ids.data),
    }


def show_errors(form: MeetingForm, error) -> None:
    """A refusal's field errors on the form's fields: "agenda.1.title" on that row's title."""
    rows = getattr(form, "agenda_rows", [])
    for name, message in error.fields.items():
        parts = name.split(".")
        if parts[0] == "agenda" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            field = getattr(rows[index], parts[2], None) if index < len(rows) else None
        elif name == "agenda":
            form.agenda_errors = [message]
            continue
        elif parts[0] in ("invited_unit_ids", "invited_expert_ids"):
            field = getattr(form, parts[0])
        else:
            field = getattr(form, name, None) if len(parts) == 1 else None
        if field is not None:
            field.errors = [message]
        else:
            form.form_errors.append(message)
    if not error.fields:
        form.form_errors.append(error.message)
