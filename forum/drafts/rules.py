"""What a draft's fields may hold (any save), and what BO requires before a draft leaves
`draft` status. Both answer field → message, so forms, the API and the page show them alike."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from forum import text
from forum.areas.models import Area
from forum.budget.models import Category
from forum.budget.services import allocation, budget_area
from forum.drafts.models import CONTENT_FIELDS, KINDS, Draft
from forum.extensions import db

# BO guidance.
TITLE_MAX = 60
SHORT_MIN, SHORT_MAX = 60, 250
# What a save may store at all (a draft in progress may be longer than BO allows, not endless).
STORED_MAX = {
    "title": 200,
    "short_description": 1000,
    "description": 20_000,
    "justification": 10_000,
    "beneficiaries": 5_000,
}
LOCATION_MAX, LOCATIONS_MAX = 200, 20
COST_ITEM_MAX, COST_ITEMS_MAX, AMOUNT_MAX = 200, 50, 10_000_000_000
MULTILINE = ("description", "justification", "beneficiaries")


def _clean_text(field: str, value, errors: dict) -> str:
    if not isinstance(value, str):
        errors[field] = _("Write text here.")
        return ""
    cleaned, problem = text.clean(value, multiline=field in MULTILINE)
    if problem:
        errors[field] = problem
    elif len(cleaned) > STORED_MAX[field]:
        errors[field] = ngettext(
            "At most %(num)d character.", "At most %(num)d characters.", STORED_MAX[field]
        )
    return cleaned


def _clean_locations(value, errors: dict) -> list[str]:
    if not isinstance(value, list) or len(value) > LOCATIONS_MAX:
        errors["locations"] = _("Give at most %(num)d places, one per line.", num=LOCATIONS_MAX)
        return []
    places = []
    for place in value:
        cleaned, problem = text.clean(place if isinstance(place, str) else None)
        if not isinstance(place, str) or problem or len(cleaned) > LOCATION_MAX:
            errors["locations"] = problem or _(
                "Each place is one line of at most %(num)d characters.", num=LOCATION_MAX
            )
            return []
        if cleaned:
            places.append(cleaned)
    return places


def _clean_cost_items(value, errors: dict) -> list[dict]:
    if not isinstance(value, list) or len(value) > COST_ITEMS_MAX:
        errors["cost_items"] = _("Give at most %(num)d cost items.", num=COST_ITEMS_MAX)
        return []
    items = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"item", "amount"}:
            errors["cost_items"] = _("Each cost item has a name and an amount.")
            return []
        name, problem = text.clean(entry["item"] if isinstance(entry["item"], str) else None)
        amount = entry["amount"]
        if problem or not name or len(name) > COST_ITEM_MAX:
            errors["cost_items"] = problem or _(
                "Name each cost item in at most %(num)d characters.", num=COST_ITEM_MAX
            )
            return []
        if type(amount) is not int or not 1 <= amount <= AMOUNT_MAX:
            errors["cost_items"] = _("Each amount is a whole number of złoty, more than 0.")
            return []
        items.append({"item": name, "amount": amount})
    return items


def clean_content(changes: dict) -> tuple[dict, dict[str, str]]:
    """The changed fields as they are to be stored, and what is wrong with them (field →
    message). Only CONTENT_FIELDS may change; a field left out keeps its value."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for field, value in changes.items():
        if field not in CONTENT_FIELDS:
            errors[field] = _("There is no such field.")
        elif field == "kind":
            if value not in KINDS:
                errors[field] = _("Choose a district or a city-wide proposal.")
            cleaned[field] = value
        elif field == "category_id":
            category = db.session.get(Category, value) if type(value) is int else None
            if value is not None and (category is None or category.archived_at is not None):
                errors[field] = _("Choose a category from the list.")
            cleaned[field] = value
        elif field == "area_id":
            area = db.session.get(Area, value) if type(value) is int else None
            if area is None:
                errors[field] = _("There is no such area.")
            cleaned[field] = value
        elif field == "locations":
            cleaned[field] = _clean_locations(value, errors)
        elif field == "cost_items":
            cleaned[field] = _clean_cost_items(value, errors)
        elif field == "deliverable_in_year":
            if value is not None and type(value) is not bool:
                errors[field] = _("Answer yes or no.")
            cleaned[field] = value
        else:
            cleaned[field] = _clean_text(field, value, errors)
    return cleaned, errors


def cost_cap_error(draft: Draft) -> str | None:
    """Why the draft's cost total breaks its area's allocation, if it does."""
    cap = allocation(draft.edition_id, draft.area)
    if cap is not None and draft.cost_total > cap:
        return _(
            "The total, %(total)s zł, is over the allocation of %(area)s: %(cap)s zł.",
            total=f"{draft.cost_total:,}".replace(",", " "),
            area=budget_area(draft.area).label,
            cap=f"{cap:,}".replace(",", " "),
        )
    return None


def missing(draft: Draft) -> dict[str, str]:
    """What BO requires and the draft does not have yet (field → message); empty: complete."""
    problems: dict[str, str] = {}
    if not draft.title:
        problems["title"] = _("Give the proposal a title.")
    elif len(draft.title) > TITLE_MAX:
        problems["title"] = _("BO titles have at most %(num)d characters.", num=TITLE_MAX)
    if not SHORT_MIN <= len(draft.short_description) <= SHORT_MAX:
        problems["short_description"] = _(
            "The short description has %(low)d to %(high)d characters (now %(now)d).",
            low=SHORT_MIN,
            high=SHORT_MAX,
            now=len(draft.short_description),
        )
    if draft.category_id is None:
        problems["category_id"] = _("Choose a category.")
    area_kind = draft.area.kind if draft.area is not None else None
    if draft.kind == "district" and area_kind not in ("district", "subarea"):
        problems["area_id"] = _("A district proposal names its district or osiedle.")
    if draft.kind == "city" and area_kind != "city":
        problems["area_id"] = _("A city-wide proposal is for the whole city.")
    if not draft.locations:
        problems["locations"] = _("Name at least one place where it would be.")
    for field, message in (
        ("description", _("Describe the proposal in full.")),
        ("justification", _("Say what it changes for the neighbourhood or the city.")),
        ("beneficiaries", _("Say who will benefit.")),
    ):
        if not getattr(draft, field):
            problems[field] = message
    if not draft.cost_items or draft.cost_total <= 0:
        problems["cost_items"] = _("Estimate the cost, item by item.")
    elif allocation(draft.edition_id, draft.area) is None:
        problems["cost_items"] = _("The city has not set this area's allocation yet.")
    elif (over := cost_cap_error(draft)) is not None:
        problems["cost_items"] = over
    if draft.deliverable_in_year is not True:
        problems["deliverable_in_year"] = _("A BO proposal must be deliverable within one year.")
    return problems


def field_labels() -> dict[str, str]:
    """Each content field's name, as the form and the diff show it."""
    return {
        "kind": _("Type"),
        "title": _("Title"),
        "short_description": _("Short description"),
        "category_id": _("Category"),
        "area_id": _("Area"),
        "locations": _("Location"),
        "description": _("Full description"),
        "justification": _("Justification"),
        "beneficiaries": _("Beneficiaries"),
        "cost_items": _("Cost estimate"),
        "deliverable_in_year": _("Deliverable within one year"),
    }


def categories_by_id() -> dict[int, Category]:
    return {c.id: c for c in db.session.scalars(select(Category))}
