"""The budget's managed data as the rest of the forum asks for it."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from forum import text
from forum.admin import audit
from forum.areas import krakow
from forum.areas.models import Area
from forum.budget.models import AreaAllocation, BudgetEdition, Category
from forum.errors import NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.policy import ensure


def seed_budget_data() -> bool:
    """The categories, the current edition and its allocations, once; False if already there."""
    if db.session.scalar(select(func.count(Category.id))):
        return False
    for position, (code, name) in enumerate(krakow.BUDGET_CATEGORIES):
        db.session.add(Category(code=code, name=name, position=position))
    year, name = krakow.BUDGET_EDITION
    edition = BudgetEdition(year=year, name=name, is_current=True)
    db.session.add(edition)
    for area in db.session.scalars(select(Area).where(Area.kind.in_(("city", "district")))):
        amount = krakow.CITY_ALLOCATION if area.kind == "city" else krakow.DISTRICT_ALLOCATION
        db.session.add(AreaAllocation(edition=edition, area_id=area.id, amount=amount))
    db.session.flush()
    return True


def current_edition() -> BudgetEdition | None:
    return db.session.scalar(select(BudgetEdition).where(BudgetEdition.is_current))


def categories(include_archived: bool = False) -> list[Category]:
    query = select(Category).order_by(Category.position, Category.id)
    if not include_archived:
        query = query.where(Category.archived_at.is_(None))
    return list(db.session.scalars(query))


def budget_area(area: Area) -> Area:
    """The area whose allocation a proposal of this area draws on: its district (an osiedle's
    proposal is a district proposal), or the city."""
    while area.kind == "subarea" and area.parent is not None:
        area = area.parent
    return area


def allocation(edition_id: int, area: Area) -> int | None:
    """The cost cap of the area's proposals in the edition, if one is set."""
    return db.session.scalar(
        select(AreaAllocation.amount).where(
            AreaAllocation.edition_id == edition_id,
            AreaAllocation.area_id == budget_area(area).id,
        )
    )


# --- managing the lists (the admins) -------------------------------------------------------

CATEGORY_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,31}$")
CATEGORY_NAME_MAX = 80
EDITION_NAME_MAX = 60
YEAR_MIN, YEAR_MAX = 2000, 2100
AMOUNT_MAX = 10_000_000_000  # as a draft's cost items (forum/drafts/rules.py)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError(_("Some fields need correcting."), {field: message})


def _clean_line(value, field: str, low: int, high: int) -> str:
    """A one-line value as stored (forum/text.py), or a field error."""
    value, problem = text.clean(value if isinstance(value, str) else None)
    if not problem and not low <= len(value) <= high:
        problem = _("Give %(low)d to %(high)d characters.", low=low, high=high)
    if problem:
        raise _invalid(field, problem)
    return value


def access_category(admin, category_id: int) -> Category:
    ensure(admin, "budget.manage", None)
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("There is no such category."))
    return category


def add_category(admin, code, name) -> Category:
    ensure(admin, "budget.manage", None)
    code = code.strip().lower() if isinstance(code, str) else ""
    if not CATEGORY_CODE.match(code):
        raise _invalid(
            "code", _("2 to 32 small letters, digits, hyphens or underscores, e.g. greenery.")
        )
    name = _clean_line(name, "name", 2, CATEGORY_NAME_MAX)
    if db.session.scalar(select(Category.id).where(Category.code == code)):
        raise _invalid("code", _("A category with this code exists already."))
    last = db.session.scalar(select(func.max(Category.position))) or 0
    category = Category(code=code, name=name, position=last + 1)
    db.session.add(category)
    db.session.flush()
    audit.record(admin, "category_added", f"category:{category.id}", f"{code}: {name}")
    return category


def rename_category(admin, category_id: int, name) -> Category:
    category = access_category(admin, category_id)
    name = _clean_line(name, "name", 2, CATEGORY_NAME_MAX)
    if name != category.name:
        audit.record(
            admin, "category_renamed", f"category:{category.id}", f"{category.name} → {name}"
        )
        category.name = name
    return category


def set_category_archived(admin, category_id: int, archived: bool) -> Category:
    """An archived category takes no new drafts; drafts filed under it keep it."""
    category = access_category(admin, category_id)
    if archived == (category.archived_at is not None):
        return category
    category.archived_at = utcnow() if archived else None
    action = "category_archived" if archived else "category_restored"
    audit.record(admin, action, f"category:{category.id}", category.name)
    return category


def editions() -> list[BudgetEdition]:
    return list(db.session.scalars(select(BudgetEdition).order_by(BudgetEdition.year.desc())))


def access_edition(edition_id: int) -> BudgetEdition:
    edition = db.session.get(BudgetEdition, edition_id)
    if edition is None:
        raise NotFound(_("There is no such budget edition."))
    return edition


def add_edition(admin, year, name) -> BudgetEdition:
    """A new edition, with the current edition's allocations to start from (not current yet)."""
    ensure(admin, "budget.manage", None)
    if type(year) is not int or not YEAR_MIN <= year <= YEAR_MAX:
        raise _invalid("year", _("A year from %(low)d to %(high)d.", low=YEAR_MIN, high=YEAR_MAX))
    name = _clean_line(name, "name", 2, EDITION_NAME_MAX)
    if db.session.scalar(select(BudgetEdition.id).where(BudgetEdition.year == year)):
        raise _invalid("year", _("An edition of this year exists already."))
    edition = BudgetEdition(year=year, name=name, is_current=False)
    db.session.add(edition)
    db.session.flush()
    if (current := current_edition()) is not None:
        for old in current.allocations:
            db.session.add(AreaAllocation(edition=edition, area_id=old.area_id, amount=old.amount))
    audit.record(admin, "edition_added", f"edition:{edition.id}", name)
    return edition


def make_current(admin, edition_id: int) -> BudgetEdition:
    """The edition new drafts belong to; drafts already started keep theirs."""
    ensure(admin, "budget.manage", None)
    edition = access_edition(edition_id)
    if edition.is_current:
        return edition
    db.session.execute(
        update(BudgetEdition).where(BudgetEdition.is_current).values(is_current=False)
    )
    edition.is_current = True
    audit.record(admin, "edition_made_current", f"edition:{edition.id}", edition.name)
    return edition


def allocation_areas() -> list[Area]:
    """The areas with an allocation: the city-wide pool, then the districts in order."""
    return list(
        db.session.scalars(
            select(Area).where(Area.kind.in_(("city", "district"))).order_by(Area.path)
        )
    )


def edition_allocations(edition: BudgetEdition) -> list[tuple[Area, int | None]]:
    amounts = {a.area_id: a.amount for a in edition.allocations}
    return [(area, amounts.get(area.id)) for area in allocation_areas()]


def set_allocation(admin, edition_id: int, area_id: int, amount: int | None) -> int | None:
    """Set (or, with None, remove) the area's cost cap in the edition."""
    ensure(admin, "budget.manage", None)
    edition = access_edition(edition_id)
    area = db.session.get(Area, area_id)
    if area is None or area.kind not in ("city", "district"):
        raise NotFound(_("Allocations are set for the city and its districts only."))
    if amount is not None and (type(amount) is not int or not 1 <= amount <= AMOUNT_MAX):
        raise _invalid(
            "amount", _("A whole number of złoty, from 1 to %(max)s.", max=f"{AMOUNT_MAX:,}")
        )
    row = db.session.scalar(
        select(AreaAllocation).where(
            AreaAllocation.edition_id == edition.id, AreaAllocation.area_id == area.id
        )
    )
    before = row.amount if row is not None else None
    if before == amount:
        return amount
    if amount is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(AreaAllocation(edition_id=edition.id, area_id=area.id, amount=amount))
    else:
        row.amount = amount
    db.session.flush()
    db.session.expire(edition, ["allocations"])
    audit.record(
        admin,
        "allocation_set",
        f"edition:{edition.id}",
        f"{area.label}: {before if before is not None else '—'} → "
        f"{amount if amount is not None else '—'}",
    )
    return amount


def amount_from_text(value) -> int | None:
    """An amount typed in a form ("1 200 000", "1200000"): None if empty; ValueError if not a
    whole number."""
    digits = (value or "").replace(" ", "").replace("\u00a0", "").replace("_", "")
    if not digits:
        return None
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        raise ValueError(digits)
    return int(digits)


def set_allocations(admin, edition_id: int, typed: dict[int, str]) -> None:
    """The edition's allocations from the form: one typed amount per area (empty: none)."""
    problems = {}
    amounts = {}
    for area_id, value in typed.items():
        try:
            amounts[area_id] = amount_from_text(value)
        except ValueError:
            problems[f"area-{area_id}"] = _("A whole number of złoty.")
    if problems:
        raise ValidationError(_("Some fields need correcting."), problems)
    for area_id, amount in amounts.items():
        try:
            set_allocation(admin, edition_id, area_id, amount)
        except ValidationError as error:
            problems[f"area-{area_id}"] = error.fields["amount"]
    if problems:
        raise ValidationError(_("Some fields need correcting."), problems)
