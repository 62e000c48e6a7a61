"""Draft forms: fields, CSRF and an idempotency key; the services validate the values."""

from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField

from forum.drafts.rules import SHORT_MAX, SHORT_MIN, TITLE_MAX
from forum.web import KeyedForm

# Empty rows under the cost items already there: room for more without JavaScript.
SPARE_COST_ROWS = 3


class CostItemForm(Form):
    item = StringField(_l("Item"))
    amount = StringField(_l("Amount in złoty"))


class DraftForm(KeyedForm):
    version = HiddenField()
    kind = RadioField(
        _l("Type"),
        choices=[("district", _l("District proposal")), ("city", _l("City-wide proposal"))],
        validate_choice=False,
    )
    title = StringField(_l("Title (BO allows at most %(num)d characters)", num=TITLE_MAX))
    short_description = TextAreaField(
        _l("Short description (%(low)d–%(high)d characters)", low=SHORT_MIN, high=SHORT_MAX)
    )
    category_id = SelectField(_l("Category"), validate_choice=False)
    area_id = SelectField(_l("Area"), validate_choice=False)
    locations = TextAreaField(_l("Location: one place per line (an address, a plot, a park)"))
    description = TextAreaField(_l("Full description"))
    justification = TextAreaField(_l("Justification"))
    beneficiaries = TextAreaField(_l("Beneficiaries"))
    cost_items = FieldList(FormField(CostItemForm))
    deliverable_in_year = RadioField(
        _l("Deliverable within one year"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validate_choice=False,
    )
    note = StringField(_l("What did you change? (optional, shown in the history)"))


class NewDraftForm(KeyedForm):
    title = StringField(_l("Title (BO allows at most %(num)d characters)", num=TITLE_MAX))
    area_id = SelectField(_l("Area"), validate_choice=False)


class PromotionForm(KeyedForm):
    title = StringField(
        _l("Title of the draft (BO allows at most %(num)d characters)", num=TITLE_MAX)
    )


class RequestPromotionForm(KeyedForm):
    pass
