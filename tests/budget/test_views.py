"""The budget's admin pages."""

from __future__ import annotations

from forum.budget.models import AreaAllocation, BudgetEdition, Category
from tests.conftest import count, district, get


def test_the_index_lists_editions_and_categories(client, auth, admin):
    auth.login(admin)
    page = client.get("/admin/budget").get_data(as_text=True)
    assert "Budżet Obywatelski Krakowa 2027" in page and "Current" in page
    assert "Zieleń" in page and "<code>greenery</code>" in page


def test_adding_a_category_and_a_refusal_shown_on_the_form(client, auth, admin):
    auth.login(admin)
    answer = client.post("/admin/budget/categories", data={"code": "parks", "name": "Parki"})
    assert answer.status_code == 302
    refused = client.post("/admin/budget/categories", data={"code": "parks", "name": "Parki 2"})
    assert refused.status_code == 422
    assert "A category with this code exists already." in refused.get_data(as_text=True)


def test_archiving_asks_first(client, auth, admin):
    auth.login(admin)
    confirm = client.get("/admin/budget/categories/1/archive")
    assert confirm.status_code == 200 and "Archive the category" in confirm.get_data(as_text=True)
    assert get(Category, 1).archived_at is None
    client.post("/admin/budget/categories/1/archive")
    assert get(Category, 1).archived_at is not None
    client.post("/admin/budget/categories/1/restore")
    assert get(Category, 1).archived_at is None


def test_renaming_a_category(client, auth, admin):
    auth.login(admin)
    client.post("/admin/budget/categories/1/name", data={"name": "Zieleń miejska"})
    assert get(Category, 1).name == "Zieleń miejska"
    assert client.post("/admin/budget/categories/1/name", data={"name": ""}).status_code == 422


def test_adding_an_edition_and_making_it_current(client, auth, admin):
    auth.login(admin)
    answer = client.post("/admin/budget/editions", data={"year": "2028", "name": "BO 2028"})
    assert answer.status_code == 302
    edition_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Make it the current edition" in page
    assert client.get(f"/admin/budget/editions/{edition_id}/current").status_code == 200
    client.post(f"/admin/budget/editions/{edition_id}/current")
    assert get(BudgetEdition, edition_id).is_current is True
    bad = client.post("/admin/budget/editions", data={"year": "dwa", "name": "BO"})
    assert bad.status_code == 422


def test_the_allocations_form(client, auth, admin):
    auth.login(admin)
    xiii = district("XIII").id
    page = client.get("/admin/budget/editions/1").get_data(as_text=True)
    assert f'<label for="area-{xiii}">XIII Podgórze</label>' in page
    assert 'value="1200000"' in page
    answer = client.post("/admin/budget/editions/1/allocations", data={f"area-{xiii}": "1 300 000"})
    assert answer.status_code == 302
    refused = client.post("/admin/budget/editions/1/allocations", data={f"area-{xiii}": "0"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert f'id="area-{xiii}-error"' in body and 'value="0"' in body
    kept = (AreaAllocation.area_id == xiii, AreaAllocation.amount == 1_300_000)
    assert count(AreaAllocation, *kept) == 1


def test_the_audit_log_names_budget_changes(client, auth, admin):
    auth.login(admin)
    client.post("/admin/budget/categories", data={"code": "parks", "name": "Parki"})
    assert "budget category added" in client.get("/admin/audit").get_data(as_text=True)


def test_residents_are_refused_and_guests_sent_to_log_in(client, auth, resident):
    assert client.get("/admin/budget").status_code == 302
    auth.login(resident)
    assert client.get("/admin/budget").status_code == 403
    assert (
        client.post("/admin/budget/categories", data={"code": "x1", "name": "X"}).status_code == 403
    )
