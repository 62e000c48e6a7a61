"""Forms of expert units: choosing a thread's or draft's units, claiming, official answers."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from forum.web import KeyedForm


class UnitsForm(KeyedForm):
    """The units the thread or draft is tagged for: ticked is tagged."""

    unit_ids = SelectMultipleField(
        _l("Expert units"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service names an unknown unit
    )


class ActionForm(KeyedForm):
    """A button that writes: claim, give back, take an official answer back."""


class OfficialForm(KeyedForm):
    unit_id = RadioField(_l("Whose answer is it?"), coerce=int, validate_choice=False)
