"""The budget API, checked against the OpenAPI document."""

from __future__ import annotations

from forum.budget.models import Category
from tests.conftest import count, district


def test_anyone_reads_categories_and_editions(api):
    categories = api.get("/api/v1/budget/categories").get_json()["categories"]
    assert categories[0] == {
        "id": 1,
        "code": "greenery",
        "name": "Zieleń",
        "position": 0,
        "archived": False,
    }
    editions = api.get("/api/v1/budget/editions").get_json()["editions"]
    assert [(e["year"], e["is_current"]) for e in editions] == [(2027, True)]
    edition = api.get(f"/api/v1/budget/editions/{editions[0]['id']}").get_json()["edition"]
    amounts = {a["area"]["name"]: a["amount"] for a in edition["allocations"]}
    assert amounts["XIII Podgórze"] == 1_200_000 and len(amounts) == 19


def test_an_admin_manages_categories(api, admin):
    api.login(admin)
    added = api.post("/api/v1/admin/budget/categories", json={"code": "parks", "name": "Parki"})
    assert added.status_code == 201
    category_id = added.get_json()["category"]["id"]
    changed = api.patch(
        f"/api/v1/admin/budget/categories/{category_id}", json={"name": "Parki", "archived": True}
    )
    assert changed.get_json()["category"]["archived"] is True
    public = api.get("/api/v1/budget/categories").get_json()["categories"]
    assert category_id not in [c["id"] for c in public]
    every = api.get("/api/v1/admin/budget/categories").get_json()["categories"]
    assert category_id in [c["id"] for c in every]


def test_a_bad_category_is_422(api, admin):
    api.login(admin)
    answer = api.post("/api/v1/admin/budget/categories", json={"code": "!", "name": "Parki"})
    assert answer.status_code == 422 and "code" in answer.get_json()["error"]["fields"]
    assert api.post("/api/v1/admin/budget/categories", json={"code": "x"}).status_code == 422


def test_an_admin_adds_an_edition_sets_allocations_and_makes_it_current(api, admin):
    api.login(admin)
    added = api.post("/api/v1/admin/budget/editions", json={"year": 2028, "name": "BO 2028"})
    assert added.status_code == 201
    edition = added.get_json()["edition"]
    assert edition["is_current"] is False
    xiii = district("XIII").id
    path = f"/api/v1/admin/budget/editions/{edition['id']}/allocations/{xiii}"
    answer = api.put(path, json={"amount": 2_000_000})
    assert answer.status_code == 200
    amounts = {a["area"]["id"]: a["amount"] for a in answer.get_json()["edition"]["allocations"]}
    assert amounts[xiii] == 2_000_000
    removed = api.put(path, json={"amount": None}).get_json()["edition"]["allocations"]
    assert {a["area"]["id"]: a["amount"] for a in removed}[xiii] is None
    assert api.put(path, json={"amount": 0}).status_code == 422
    assert api.put(path, json={"amount": "5"}).status_code == 422
    current = api.post(f"/api/v1/admin/budget/editions/{edition['id']}/current", json={})
    assert current.get_json()["edition"]["is_current"] is True
    editions = api.get("/api/v1/budget/editions").get_json()["editions"]
    assert [e["year"] for e in editions if e["is_current"]] == [2028]


def test_unknown_editions_and_areas_are_404(api, admin):
    api.login(admin)
    assert api.get("/api/v1/budget/editions/987654").status_code == 404
    path = "/api/v1/admin/budget/editions/1/allocations/987654"
    assert api.put(path, json={"amount": 5}).status_code == 404


def test_residents_get_403_and_guests_401(api, resident):
    body = {"code": "parks", "name": "Parki"}
    assert api.post("/api/v1/admin/budget/categories", json=body).status_code == 401
    api.login(resident)
    assert api.post("/api/v1/admin/budget/categories", json=body).status_code == 403
    assert api.get("/api/v1/admin/budget/categories").status_code == 403
    assert api.post("/api/v1/admin/budget/editions/1/current", json={}).status_code == 403
    assert count(Category) == 9
