"""The list of workshop series comes a page at a time, the newest first, on its page and in the
API, in a number of queries that does not grow with the list."""

import re
from datetime import timedelta

import pytest

from forum.extensions import utcnow
from forum.workshops.services import SERIES_PER_PAGE
from tests.paging import assert_bad_pages_refused, queries
from tests.workshops.conftest import create, stages


def create_many(admin, total: int, start: int = 0) -> list[int]:
    """`total` series of the same edition, their workshops three weeks apart; the newest first."""
    ids = [
        create(
            admin,
            title=f"Seria {start + n}",
            stages=stages(utcnow() + timedelta(days=3 + 21 * (start + n))),
        )
        for n in range(total)
    ]
    return ids[::-1]


def listed(page: str) -> list[int]:
    return [
        int(found) for found in re.findall(r'class="thread-title" href="/workshops/(\d+)"', page)
    ]


def test_the_list_comes_a_page_at_a_time(client, admin):
    order = create_many(admin, SERIES_PER_PAGE + 2)
    first = client.get("/workshops").text
    assert listed(first) == order[:SERIES_PER_PAGE]
    assert 'rel="next" href="/workshops?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/workshops?page=2").text
    assert listed(second) == order[SERIES_PER_PAGE:]
    assert 'rel="prev" href="/workshops?page=1"' in second and 'rel="next"' not in second
    assert "Strona 2 z 2" in second
    past = client.get("/workshops?page=3").text
    assert listed(past) == [] and 'class="past-the-last"' in past and 'href="/workshops"' in past


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999"])
def test_a_bad_page_number_is_not_found(client, page):
    assert client.get(f"/workshops?page={page}").status_code == 404


def test_the_api_pages_the_list(api, admin):
    order = create_many(admin, 5)
    first = api.get("/api/v1/workshops?per_page=2").get_json()
    assert [series["id"] for series in first["series"]] == order[:2]
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    last = api.get("/api/v1/workshops?per_page=2&page=3").get_json()
    assert [series["id"] for series in last["series"]] == order[4:]
    assert api.get("/api/v1/workshops").get_json()["meta"]["per_page"] == 20
    assert_bad_pages_refused(api, "/api/v1/workshops")


def test_the_list_takes_the_same_queries_however_long(client, admin):
    create_many(admin, 2)
    small = [queries(client, "/workshops"), queries(client, "/api/v1/workshops?per_page=100")]
    create_many(admin, SERIES_PER_PAGE + 5, start=2)
    large = [
        queries(client, "/workshops"),
        queries(client, "/workshops?page=2"),
        queries(client, "/api/v1/workshops?per_page=100"),
    ]
    assert large == [small[0], small[0], small[1]], (small, large)
    assert small[0] <= 6 and small[1] <= 6, small
