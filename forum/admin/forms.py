"""Admin forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField

from forum.web import KeyedForm

VISIBILITIES = [
    ("public", _l("Public: everyone may read it")),
    ("restricted", _l("Restricted: only its members and the coordinators")),
]
DURATIONS = [
    ("1", _l("1 day")),
    ("7", _l("7 days")),
    ("30", _l("30 days")),
    ("365", _l("365 days")),
    ("indefinitely", _l("Until lifted")),
]
ROLES = [
    ("ambassador", _l("Ambassador of an area")),
    ("expert", _l("Expert of a unit")),
    ("admin", _l("Coordinator (admin)")),
]


class ConfirmForm(KeyedForm):
    """A destructive action's confirmation: one button."""


class NameForm(KeyedForm):
    name = StringField(_l("Name"))


class RoomForm(KeyedForm):
    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description (at most 500 characters)"))
    visibility = SelectField(_l("Who may read it"), choices=VISIBILITIES, validate_choice=False)


class RoomDetailsForm(KeyedForm):
    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description (at most 500 characters)"))


class VisibilityForm(KeyedForm):
    visibility = SelectField(_l("Who may read it"), choices=VISIBILITIES, validate_choice=False)


class EmailForm(KeyedForm):
    email = EmailField(_l("E-mail address"))


class PersonForm(KeyedForm):
    """Add the person found by a name search."""

    user_id = HiddenField()


class UnitForm(KeyedForm):
    code = StringField(_l("Code (2 to 16 characters)"))
    name = StringField(_l("Name"))


class GrantForm(KeyedForm):
    role = SelectField(_l("Role"), choices=ROLES, validate_choice=False)
    area_id = SelectField(_l("Area (for an ambassador)"), validate_choice=False)
    unit_id = SelectField(_l("Unit (for an expert)"), validate_choice=False)


class WithdrawForm(KeyedForm):
    message = TextAreaField(_l("Message to the person (optional)"))


class SuspendForm(KeyedForm):
    duration = SelectField(_l("For how long"), choices=DURATIONS, validate_choice=False)
    reason = TextAreaField(_l("Reason (3 to 500 characters; shown in the public log)"))
