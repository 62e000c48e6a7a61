"""A series' page and its API answer hold a page of its needs and a page of its ideas, newest
first, in a number of queries that does not grow with the series."""

import re

import pytest

from forum.workshops.services import ITEMS_PER_PAGE
from tests.conftest import make_user
from tests.paging import assert_bad_pages_refused, queries
from tests.workshops.conftest import add


def fill(series: int, needs: int, ideas: int) -> tuple[list[int], list[int]]:
    """Needs and ideas, the newest first; the oldest idea answers the oldest need, and so does
    the newest idea."""
    people = [make_user(f"Mieszkanka {n}") for n in range(3)]
    need_ids = [add(people[n % 3], series, 1, f"Potrzeba {n}") for n in range(needs)]
    idea_ids = [
        add(
            people[n % 3],
            series,
            2,
            f"Pomysł {n}",
            need_ids=[need_ids[0]] if n in (0, ideas - 1) else (),
        )
        for n in range(ideas)
    ]
    return need_ids[::-1], idea_ids[::-1]


def part(page: str, start: str, end: str) -> str:
    return page[page.index(f'id="{start}"') : page.index(f'id="{end}"')]


def listed(page: str, start: str, end: str) -> list[int]:
    return [
        int(found)
        for found in re.findall(r'<li class="thread-line" id="item-(\d+)"', part(page, start, end))
    ]


def test_the_series_page_comes_a_page_at_a_time(client, series):
    needs, ideas = fill(series, ITEMS_PER_PAGE + 3, ITEMS_PER_PAGE + 1)
    first = client.get(f"/workshops/{series}").text
    assert listed(first, "needs-list", "ideas-list") == needs[:ITEMS_PER_PAGE]
    assert listed(first, "ideas-list", "pipeline-pages") == ideas[:ITEMS_PER_PAGE]
    nav = part(first, "pipeline-pages", "pipeline-lists")
    assert f'rel="next" href="/workshops/{series}?page=2"' in nav and 'rel="prev"' not in nav
    # The newest idea answers the oldest need, on the next page: its thread, not an anchor.
    assert f'href="#item-{needs[-1]}"' not in first
    assert "Potrzeba 0</a>" in part(first, "ideas-list", "pipeline-pages")
    second = client.get(f"/workshops/{series}?page=2").text
    assert listed(second, "needs-list", "ideas-list") == needs[ITEMS_PER_PAGE:]
    assert listed(second, "ideas-list", "pipeline-pages") == ideas[ITEMS_PER_PAGE:]
    nav = part(second, "pipeline-pages", "pipeline-lists")
    assert f'rel="prev" href="/workshops/{series}?page=1"' in nav and 'rel="next"' not in nav
    assert "Strona 2 z 2" in nav
    # The oldest need lists both ideas answering it, the newest one from the first page.
    need = second[second.index(f'id="item-{needs[-1]}"') :]
    assert "Pomysł 0</a>" in need and f"Pomysł {ITEMS_PER_PAGE}</a>" in need
    past = client.get(f"/workshops/{series}?page=3").text
    assert listed(past, "needs-list", "ideas-list") == []
    assert f'href="/workshops/{series}"' in part(past, "pipeline-pages", "pipeline-lists")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999"])
def test_a_bad_page_number_is_not_found(client, series, page):
    assert client.get(f"/workshops/{series}?page={page}").status_code == 404


def test_the_api_pages_the_pipeline(api, series):
    needs, ideas = fill(series, 7, 3)
    first = api.get(f"/api/v1/workshops/{series}?per_page=3").get_json()
    assert [item["id"] for item in first["needs"]] == needs[:3]
    assert [item["id"] for item in first["ideas"]] == ideas
    assert first["needs_meta"] == {"page": 1, "per_page": 3, "total": 7, "pages": 3}
    assert first["ideas_meta"] == {"page": 1, "per_page": 3, "total": 3, "pages": 1}
    assert first["ideas"][0]["answers"] == [needs[-1]]  # on another page, by its id
    last = api.get(f"/api/v1/workshops/{series}?per_page=3&page=3").get_json()
    assert [item["id"] for item in last["needs"]] == needs[6:] and last["ideas"] == []
    assert last["needs"][0]["answered_by"] == [ideas[-1], ideas[0]]
    assert_bad_pages_refused(api, f"/api/v1/workshops/{series}")


def test_the_series_takes_the_same_queries_however_long(client, series):
    """Full pages of a series of 25 needs and ideas and of one of 45."""
    fill(series, ITEMS_PER_PAGE + 5, ITEMS_PER_PAGE + 5)
    page, api = f"/workshops/{series}", f"/api/v1/workshops/{series}?per_page=20"
    small = [queries(client, page), queries(client, api)]
    fill(series, ITEMS_PER_PAGE, ITEMS_PER_PAGE)
    large = [queries(client, page), queries(client, f"{page}?page=2"), queries(client, api)]
    assert large == [small[0], small[0], small[1]], (small, large)
    assert small[0] <= 17 and small[1] <= 14, small
