"""The budget's admin forms: fields, CSRF and an idempotency key; the services validate."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from forum.web import KeyedForm


class CategoryForm(KeyedForm):
    code = StringField(_l("Code (small letters, e.g. greenery)"))
    name = StringField(_l("Name"))


class CategoryNameForm(KeyedForm):
    name = StringField(_l("Name"))


class EditionForm(KeyedForm):
    year = StringField(_l("Year"))
    name = StringField(_l("Name, e.g. Budżet Obywatelski Krakowa 2028"))


class AllocationsForm(KeyedForm):
    """One amount per area, read from the fields area-<id> (the areas are data, not fields)."""
