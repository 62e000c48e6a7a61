"""The budget's managed data as the rest of the forum asks for it."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.areas import krakow
from forum.areas.models import Area
from forum.budget.models import AreaAllocation, BudgetEdition, Category
from forum.extensions import db


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
