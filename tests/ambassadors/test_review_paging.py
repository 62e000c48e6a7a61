"""The admins' review of ambassador applications comes a page at a time: pending ones first,
oldest first, then decided ones, newest decision first; a decision returns to its page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.ambassadors import services
from forum.ambassadors.models import AmbassadorApplication
from forum.ambassadors.services import APPLICATIONS_PER_PAGE
from forum.areas.models import Area
from forum.extensions import db
from tests.ambassadors.conftest import CONTACT, MOTIVATION
from tests.conftest import app_context, get, make_user, run
from tests.paging import assert_bad_pages_refused, queries


def applications(count: int) -> list[int]:
    """Applications from `count` new residents to the districts in turn: their ids, oldest
    first."""
    with app_context():
        districts = list(db.session.scalars(select(Area.id).where(Area.kind == "district")))
    made = []
    for i in range(count):
        resident = make_user(f"Kandydat {i}")
        made.append(
            run(services.apply, resident, districts[i % len(districts)], MOTIVATION, CONTACT).id
        )
    return made


def listed(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="application-(\d+)"', html)]


@pytest.fixture
def reviewing(client, auth, admin):
    auth.login(admin)
    return client


def test_the_review_page_comes_a_page_at_a_time(reviewing, admin):
    made = applications(APPLICATIONS_PER_PAGE + 3)
    rejected = made[0]
    run(services.reject, admin, rejected, "Nie tym razem.")
    order = made[1:] + [rejected]  # pending oldest first, then the decided one
    first = reviewing.get("/admin/applications").get_data(as_text=True)
    assert listed(first) == order[:APPLICATIONS_PER_PAGE]
    assert 'rel="next" href="/admin/applications?page=2"' in first and 'rel="prev"' not in first
    second = reviewing.get("/admin/applications?page=2").get_data(as_text=True)
    assert listed(second) == order[APPLICATIONS_PER_PAGE:]
    assert 'rel="prev" href="/admin/applications?page=1"' in second
    # A decision's form comes back to its page.
    assert f'action="/admin/applications/{order[-2]}/approve?page=2"' in second
    past = reviewing.get("/admin/applications?page=3")
    assert past.status_code == 200 and listed(past.get_data(as_text=True)) == []
    assert 'href="/admin/applications"' in past.get_data(as_text=True)
    for bad in ("0", "abc", "-1"):
        assert reviewing.get(f"/admin/applications?page={bad}").status_code == 404, bad


def test_a_decision_returns_to_its_page(reviewing):
    made = applications(APPLICATIONS_PER_PAGE + 2)
    on_second = made[-1]
    url = f"/admin/applications/{on_second}/reject?page=2"
    refused = reviewing.post(url, data={"message": ""})  # a rejection needs its reason
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert on_second in listed(page) and 'aria-invalid="true"' in page
    done = reviewing.post(url, data={"message": "Za mało o dzielnicy."})
    assert done.status_code == 302 and done.location.endswith("/admin/applications?page=2")
    assert get(AmbassadorApplication, on_second).status == "rejected"


def test_a_bad_page_decides_nothing(reviewing):
    (application,) = applications(1)
    response = reviewing.post(f"/admin/applications/{application}/approve?page=x", data={})
    assert response.status_code == 404
    assert get(AmbassadorApplication, application).status == "pending"


def test_the_api_pages_the_review(api, admin):
    made = applications(7)
    api.login(admin)
    first = api.get("/api/v1/applications?per_page=3").get_json()
    assert [each["id"] for each in first["applications"]] == made[:3]
    assert first["meta"] == {"page": 1, "per_page": 3, "total": 7, "pages": 3}
    last = api.get("/api/v1/applications?per_page=3&page=3").get_json()
    assert [each["id"] for each in last["applications"]] == made[6:]
    pending = api.get("/api/v1/applications?status=pending&per_page=100").get_json()
    assert pending["meta"]["total"] == 7
    assert api.get("/api/v1/applications").get_json()["meta"]["per_page"] == 20
    assert_bad_pages_refused(api, "/api/v1/applications")


def test_the_review_takes_the_same_queries_however_many(reviewing):
    applications(3)
    few = queries(reviewing, "/admin/applications")
    applications(2 * APPLICATIONS_PER_PAGE)
    assert queries(reviewing, "/admin/applications") == few
    assert queries(reviewing, "/admin/applications?page=2") == few
