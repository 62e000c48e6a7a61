"""The participatory budget's managed data: categories and editions with their allocations,
for everyone to read; changing them is for the admins (401 for a guest, 403 for anyone else)."""

from flask_login import current_user

from forum.api.v1.base import operation
from forum.budget import schemas, services
from forum.policy import ensure

DENIED = {401: ("not_authenticated",), 403: ("forbidden",)}
INVALID = {422: ("invalid",)}


@operation(
    "GET",
    "/budget/categories",
    summary="The categories a draft may be filed under (archived ones left out).",
    answer=schemas.CategoryList,
)
def budget_categories():
    return schemas.CategoryList(
        categories=[schemas.category_view(c) for c in services.categories()]
    )


@operation(
    "GET",
    "/budget/editions",
    summary="The budget's editions, the latest first; one is current.",
    answer=schemas.EditionList,
)
def budget_editions():
    return schemas.EditionList(editions=[schemas.edition_view(e) for e in services.editions()])


@operation(
    "GET",
    "/budget/editions/<int:edition_id>",
    summary="An edition with each area's allocation (its proposals' cost cap).",
    answer=schemas.EditionAnswer,
)
def budget_edition(edition_id: int):
    edition = services.access_edition(edition_id)
    return schemas.EditionAnswer(edition=schemas.edition_detail_view(edition))


@operation(
    "GET",
    "/admin/budget/categories",
    summary="Every category, archived ones too.",
    answer=schemas.CategoryList,
    errors=DENIED,
)
def admin_budget_categories():
    ensure(current_user, "budget.manage", None)
    return schemas.CategoryList(
        categories=[schemas.category_view(c) for c in services.categories(include_archived=True)]
    )


@operation(
    "POST",
    "/admin/budget/categories",
    summary="Add a category (last in the list).",
    body=schemas.NewCategory,
    answer=schemas.CategoryAnswer,
    status=201,
    errors=DENIED | INVALID,
)
def add_budget_category(body: schemas.NewCategory):
    category = services.add_category(current_user, body.code, body.name)
    return schemas.CategoryAnswer(category=schemas.category_view(category))


@operation(
    "PATCH",
    "/admin/budget/categories/<int:category_id>",
    summary="Rename a category, or archive or restore it.",
    body=schemas.CategoryChange,
    answer=schemas.CategoryAnswer,
    errors=DENIED | INVALID,
)
def change_budget_category(category_id: int, body: schemas.CategoryChange):
    category = services.access_category(current_user, category_id)
    if body.name is not None:
        services.rename_category(current_user, category_id, body.name)
    if body.archived is not None:
        services.set_category_archived(current_user, category_id, body.archived)
    return schemas.CategoryAnswer(category=schemas.category_view(category))


@operation(
    "POST",
    "/admin/budget/editions",
    summary="Add an edition, starting with the current edition's allocations (not current).",
    body=schemas.NewEdition,
    answer=schemas.EditionAnswer,
    status=201,
    errors=DENIED | INVALID,
)
def add_budget_edition(body: schemas.NewEdition):
    edition = services.add_edition(current_user, body.year, body.name)
    return schemas.EditionAnswer(edition=schemas.edition_detail_view(edition))


@operation(
    "POST",
    "/admin/budget/editions/<int:edition_id>/current",
    summary="Make the edition the current one: new drafts belong to it.",
    body=schemas.MakeCurrent,
    answer=schemas.EditionAnswer,
    errors=DENIED,
)
def make_budget_edition_current(edition_id: int, body: schemas.MakeCurrent):
    edition = services.make_current(current_user, edition_id)
    return schemas.EditionAnswer(edition=schemas.edition_detail_view(edition))


@operation(
    "PUT",
    "/admin/budget/editions/<int:edition_id>/allocations/<int:area_id>",
    summary="Set an area's allocation in the edition (the city or a district); null removes it.",
    body=schemas.AllocationChange,
    answer=schemas.EditionAnswer,
    errors=DENIED | INVALID,
)
def set_budget_allocation(edition_id: int, area_id: int, body: schemas.AllocationChange):
    services.set_allocation(current_user, edition_id, area_id, body.amount)
    edition = services.access_edition(edition_id)
    return schemas.EditionAnswer(edition=schemas.edition_detail_view(edition))
