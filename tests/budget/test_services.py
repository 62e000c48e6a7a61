"""Managing the budget's lists: categories, editions and allocations (admins only, audited)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.admin.models import AuditEntry
from forum.budget import services
from forum.budget.models import AreaAllocation, BudgetEdition, Category
from forum.errors import Forbidden, NotFound, ValidationError
from forum.extensions import db
from tests.conftest import app_context, count, district, get, run


def current_id() -> int:
    with app_context():
        return services.current_edition().id


def test_an_admin_adds_renames_archives_and_restores_a_category(admin):
    category = run(services.add_category, admin, "Playgrounds", "Place zabaw")
    assert category.code == "playgrounds"
    run(services.rename_category, admin, category.id, "Place zabaw i skwery")
    run(services.set_category_archived, admin, category.id, True)
    with app_context():
        assert category.id not in [c.id for c in services.categories()]
        assert category.id in [c.id for c in services.categories(include_archived=True)]
    run(services.set_category_archived, admin, category.id, False)
    assert get(Category, category.id).archived_at is None
    with app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == [
        "category_added",
        "category_renamed",
        "category_archived",
        "category_restored",
    ]


@pytest.mark.parametrize(
    "code, name, field",
    [
        ("greenery", "Zieleń znowu", "code"),  # taken
        ("a", "Krótki kod", "code"),
        ("zieleń", "Polskie litery w kodzie", "code"),
        ("parks", " ", "name"),
        ("parks", "x" * 81, "name"),
        ("parks", "Zła\u202enazwa", "name"),
    ],
)
def test_a_bad_category_is_refused_by_field(admin, code, name, field):
    before = count(Category)
    with pytest.raises(ValidationError) as refused:
        run(services.add_category, admin, code, name)
    assert field in refused.value.fields
    assert count(Category) == before


def test_a_new_edition_starts_with_the_current_allocations_and_is_not_current(admin):
    edition = run(services.add_edition, admin, 2028, "Budżet Obywatelski Krakowa 2028")
    assert edition.is_current is False
    assert count(AreaAllocation, AreaAllocation.edition_id == edition.id) == count(
        AreaAllocation, AreaAllocation.edition_id == current_id()
    )
    run(services.make_current, admin, edition.id)
    with app_context():
        currents = db.session.scalars(select(BudgetEdition).where(BudgetEdition.is_current)).all()
        assert [e.year for e in currents] == [2028]


@pytest.mark.parametrize("year, name", [(2027, "Drugi 2027"), (1999, "Za wcześnie"), ("2028", "x")])
def test_a_bad_edition_is_refused(admin, year, name):
    with pytest.raises(ValidationError):
        run(services.add_edition, admin, year, name)
    assert count(BudgetEdition) == 1


def test_an_allocation_is_set_changed_and_removed(admin):
    xiii = district("XIII").id
    edition = current_id()

    def amount():
        with app_context():
            return services.allocation(edition, db.session.get(type(district("I")), xiii))

    run(services.set_allocation, admin, edition, xiii, 1_500_000)
    assert amount() == 1_500_000
    run(services.set_allocation, admin, edition, xiii, None)
    assert amount() is None
    run(services.set_allocation, admin, edition, xiii, 900_000)
    assert amount() == 900_000


@pytest.mark.parametrize("amount", [0, -5, 10_000_000_001, True])
def test_a_bad_allocation_is_refused(admin, amount):
    with pytest.raises(ValidationError):
        run(services.set_allocation, admin, current_id(), district("XIII").id, amount)


def test_an_osiedle_has_no_allocation_of_its_own(admin):
    from forum.areas.models import Area

    with app_context():
        zablocie = db.session.scalar(select(Area.id).where(Area.slug == "zablocie"))
    with pytest.raises(NotFound):
        run(services.set_allocation, admin, current_id(), zablocie, 1000)


def test_the_form_sets_all_or_nothing(admin):
    xiii, first = district("XIII").id, district("I").id
    with pytest.raises(ValidationError) as refused:
        run(services.set_allocations, admin, current_id(), {xiii: "1 000 000", first: "dużo"})
    assert list(refused.value.fields) == [f"area-{first}"]
    run(services.set_allocations, admin, current_id(), {xiii: "1 000 000", first: ""})
    with app_context():
        amounts = {
            a.area_id: a.amount
            for a in db.session.scalars(
                select(AreaAllocation).where(AreaAllocation.edition_id == current_id())
            )
        }
    assert amounts[xiii] == 1_000_000 and first not in amounts


def test_residents_may_not_manage(resident):
    with pytest.raises(Forbidden):
        run(services.add_category, resident, "parks", "Parki")
    with pytest.raises(Forbidden):
        run(services.make_current, resident, current_id())
    with pytest.raises(Forbidden):
        run(services.set_allocation, resident, current_id(), district("XIII").id, 5)
