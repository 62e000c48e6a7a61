"""Draft forms: fields, CSRF and an idempotency key; the services validate the values. The
edit form is filled from a draft's content and read back as the content a save takes."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField

from forum.drafts.rules import SHORT_MAX, SHORT_MIN, TITLE_MAX
from forum.schemas import id_from_text
from forum.web import KeyedForm

# Empty rows under the cost items already there: room for more without JavaScript.
SPARE_COST_ROWS = 3
TEXT_FIELDS = (
    "kind",
    "title",
    "short_description",
    "description",
    "justification",
    "beneficiaries",
)


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


# --- between a draft's content and the edit form ------------------------------------------


def fill(form: DraftForm, content: dict, version: int) -> None:
    """Put the content in the form, as the page shows it to edit."""
    form.version.data = str(version)
    for field in TEXT_FIELDS:
        getattr(form, field).data = content[field]
    form.category_id.data = str(content["category_id"] or "")
    form.area_id.data = str(content["area_id"])
    form.locations.data = "\n".join(content["locations"])
    for item in content["cost_items"]:
        form.cost_items.append_entry({"item": item["item"], "amount": str(item["amount"])})
    form.deliverable_in_year.data = {True: "yes", False: "no"}.get(content["deliverable_in_year"])


def _amount(text: str | None):
    """A whole amount of złoty as people write it ("12 000", "12000 zł"), or the text itself
    (which the save then refuses with its message)."""
    digits = (text or "").replace("zł", "").replace(" ", "").replace("\u00a0", "").strip()
    number = id_from_text(digits)
    return number if number is not None else (text or "")


def form_content(form: DraftForm) -> dict:
    """What the form says, as a save takes it: empty cost rows and lines left out."""
    cost_items = []
    for row in form.cost_items.entries:
        item, amount = (row.form.item.data or "").strip(), (row.form.amount.data or "").strip()
        if item or amount:
            cost_items.append({"item": item, "amount": _amount(amount)})
    category = form.category_id.data or ""
    return {
        "kind": form.kind.data,
        "title": form.title.data or "",
        "short_description": form.short_description.data or "",
        # Not an id: kept as written, for the save to refuse with its message.
        "category_id": (id_from_text(category) or category) if category else None,
        "area_id": id_from_text(form.area_id.data),
        "locations": [line for line in (form.locations.data or "").splitlines() if line.strip()],
        "description": form.description.data or "",
        "justification": form.justification.data or "",
        "beneficiaries": form.beneficiaries.data or "",
        "cost_items": cost_items,
        "deliverable_in_year": {"yes": True, "no": False}.get(form.deliverable_in_year.data),
    }


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0")


def shown(field: str, value, names: dict) -> str:
    """A field's value in words, as the conflict page compares them."""
    if field == "kind":
        return {"district": _("District proposal"), "city": _("City-wide proposal")}.get(value, "")
    if field in ("category_id", "area_id"):
        return names[field].get(value, "") if value is not None else _("Not chosen yet")
    if field == "locations":
        return "\n".join(value)
    if field == "cost_items":
        return "\n".join(f"{item['item']}: {money(item['amount'])} zł" for item in value)
    if field == "deliverable_in_year":
        return {True: _("Yes"), False: _("No")}.get(value, _("Not answered yet"))
    return value or ""
