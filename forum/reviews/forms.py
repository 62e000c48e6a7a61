"""The forms of status moves, reviews and decisions on proposed changes; the services validate.

A proposed change is written as text in the browser, and read here into the field's value (the
API takes it as JSON): one place a line, a cost item a line as "name: amount", yes or no, a
category by its name.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, FormField, HiddenField, RadioField, SelectField, TextAreaField

from forum.budget.services import categories
from forum.drafts.rules import field_labels
from forum.web import KeyedForm

# The fields a review proposes changes to in the browser (the API takes every content field).
PROPOSABLE = (
    "title",
    "short_description",
    "category_id",
    "locations",
    "description",
    "justification",
    "beneficiaries",
    "cost_items",
    "deliverable_in_year",
)
CHANGE_SLOTS = 3
YES, NO = {"yes", "tak", "true"}, {"no", "nie", "false"}
_AMOUNT = re.compile(r"^(?P<item>.+?)\s*[:–—-]\s*(?P<amount>[\d  ]+)\s*(zł|zl|pln)?\.?$", re.I)


def opinion_choices() -> list[tuple[str, str]]:
    return [
        ("positive", _("Positive")),
        ("needs_changes", _("Needs changes")),
        ("negative", _("Negative")),
    ]


def checklist_labels() -> dict[str, str]:
    return {
        "site_city_owned": _("The site is owned by the city"),
        "within_cost_cap": _("The cost is within the area's allocation"),
        "deliverable_in_year": _("It can be delivered within one year"),
        "within_competence": _("It is within the unit's competence"),
    }


def _answers() -> list[tuple[str, str]]:
    return [("yes", _("Yes")), ("no", _("No")), ("", _("Not assessed"))]


class MoveForm(KeyedForm):
    message = TextAreaField(_l("A word for the authors and the units (optional)"))


class ChangeForm(Form):
    """One proposed change; left empty, it proposes nothing."""

    field = SelectField(_l("Field to change"), validate_choice=False)
    value = TextAreaField(_l("Proposed value"))


class ReviewForm(KeyedForm):
    unit_id = SelectField(_l("Reviewing for"), validate_choice=False)
    opinion = RadioField(_l("Opinion"), validate_choice=False)
    site_city_owned = RadioField(validate_choice=False, default="")
    within_cost_cap = RadioField(validate_choice=False, default="")
    deliverable_in_year = RadioField(validate_choice=False, default="")
    within_competence = RadioField(validate_choice=False, default="")
    cost_remarks = TextAreaField(_l("Remarks on the cost (optional)"))
    body = TextAreaField(_l("The review"))
    # Slots change_0, change_1 …, added below: a FieldList renumbers what it is sent.

    @property
    def changes(self) -> list[FormField]:
        return [self[f"change_{slot}"] for slot in range(CHANGE_SLOTS)]

    def fill_choices(self, units) -> None:
        self.unit_id.choices = [(str(unit.id), f"{unit.code} — {unit.name}") for unit in units]
        self.opinion.choices = opinion_choices()
        for point, label in checklist_labels().items():
            getattr(self, point).choices = _answers()
            getattr(self, point).label.text = label
        labels = field_labels()
        for entry in self.changes:
            entry.form.field.choices = [("", _("— none —"))] + [
                (name, labels[name]) for name in PROPOSABLE
            ]

    def checklist(self) -> dict[str, bool | None]:
        answer = {"yes": True, "no": False}
        return {point: answer.get(getattr(self, point).data) for point in checklist_labels()}

    def proposed_changes(self) -> tuple[list[tuple[str, object]], dict[str, int], bool]:
        """The changes written in the form as (field, value), the slot each field was written
        in, and whether every slot could be read (the errors are put on the slots)."""
        proposed, slot_of, readable = [], {}, True
        for slot, entry in enumerate(self.changes):
            field, written = entry.form.field.data or "", (entry.form.value.data or "").strip()
            if not field and not written:
                continue
            if field not in PROPOSABLE or field in slot_of:
                entry.form.field.errors = [
                    _("Propose at most one change per field.")
                    if field in slot_of
                    else _("Choose the field to change.")
                ]
                readable = False
                continue
            slot_of[field] = slot
            value, problem = read_value(field, written)
            if problem:
                entry.form.value.errors = [problem]
                readable = False
                continue
            proposed.append((field, value))
        return proposed, slot_of, readable

    def show_change_errors(self, errors: dict[str, str], slot_of: dict[str, int]) -> None:
        """Put the service's errors on proposed changes (`changes.<field>`) on their slots."""
        for name, message in errors.items():
            field = name.removeprefix("changes.")
            if name.startswith("changes.") and field in slot_of:
                self.changes[slot_of[field]].form.value.errors = [message]


for _slot in range(CHANGE_SLOTS):
    setattr(ReviewForm, f"change_{_slot}", FormField(ChangeForm))


def read_value(field: str, written: str) -> tuple[object, str | None]:
    """The value a proposed change written as text stands for, or why it cannot be read."""
    if field == "locations":
        return [line.strip() for line in written.splitlines() if line.strip()], None
    if field == "cost_items":
        items = []
        for line in filter(None, (line.strip() for line in written.splitlines())):
            match = _AMOUNT.match(line)
            if match is None:
                return None, _("Write one cost item a line, as “name: amount in złoty”.")
            amount = re.sub(r"\s", "", match["amount"])
            items.append({"item": match["item"].strip(), "amount": int(amount)})
        return items, None
    if field == "deliverable_in_year":
        if written.lower() in YES:
            return True, None
        if written.lower() in NO:
            return False, None
        return None, _("Write yes or no.")
    if field == "category_id":
        for category in categories():
            if written.casefold() in (category.name.casefold(), category.code.casefold()):
                return category.id, None
        return None, _(
            "Name a category from the list: %(names)s.",
            names=", ".join(category.name for category in categories()),
        )
    return written, None


class DecideForm(KeyedForm):
    next = HiddenField()


class DeclineForm(KeyedForm):
    reason = TextAreaField(_l("Why you decline it (the unit reads it)"))
    next = HiddenField()
