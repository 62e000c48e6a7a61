"""Shapes of the budget's managed data (categories, editions, allocations), and what admins
send to change them."""

from __future__ import annotations

from pydantic import Field

from forum.budget.models import BudgetEdition as EditionModel
from forum.budget.models import Category as CategoryModel
from forum.budget.services import AMOUNT_MAX, edition_allocations
from forum.notifications.schemas import PlaceRef
from forum.schemas import Id, Input, Shape


class Category(Shape):
    id: Id
    code: str
    name: str
    position: int
    archived: bool = Field(description="An archived category takes no new drafts.")


class CategoryList(Shape):
    categories: list[Category]


class CategoryAnswer(Shape):
    category: Category


class Allocation(Shape):
    area: PlaceRef
    amount: int | None = Field(description="The cost cap in whole złoty; None: not set.")


class Edition(Shape):
    id: Id
    year: int
    name: str
    is_current: bool = Field(description="New drafts belong to the current edition.")


class EditionDetail(Edition):
    allocations: list[Allocation] = Field(description="The city-wide pool, then each district.")


class EditionList(Shape):
    editions: list[Edition]


class EditionAnswer(Shape):
    edition: EditionDetail


class NewCategory(Input):
    code: str = Field(description="2 to 32 small letters, digits, - or _; unique.")
    name: str = Field(description="2 to 80 characters.")


class CategoryChange(Input):
    name: str | None = Field(None, description="Left out: unchanged.")
    archived: bool | None = Field(None, description="true: archive; false: restore.")


class NewEdition(Input):
    year: int = Field(description="Unique; 2000 to 2100.")
    name: str = Field(description="2 to 60 characters.")


class MakeCurrent(Input):
    """Nothing to say: an empty object."""


class AllocationChange(Input):
    amount: int | None = Field(
        description=f"Whole złoty, 1 to {AMOUNT_MAX}; null removes the allocation."
    )


def category_view(category: CategoryModel) -> Category:
    return Category(
        id=category.id,
        code=category.code,
        name=category.name,
        position=category.position,
        archived=category.archived_at is not None,
    )


def edition_view(edition: EditionModel) -> Edition:
    return Edition(
        id=edition.id, year=edition.year, name=edition.name, is_current=edition.is_current
    )


def edition_detail_view(edition: EditionModel) -> EditionDetail:
    return EditionDetail(
        **edition_view(edition).model_dump(),
        allocations=[
            Allocation(area=PlaceRef(id=area.id, name=area.label), amount=amount)
            for area, amount in edition_allocations(edition)
        ],
    )
