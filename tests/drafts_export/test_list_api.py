"""GET /api/v1/drafts: filters and paging, checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from forum.drafts.models import Draft
from tests.conftest import district, update
from tests.drafts_export.conftest import unit_id


def titles(api, **args) -> list[str]:
    answer = api.get("/api/v1/drafts", query_string=args)
    assert answer.status_code == 200, answer.get_json()
    return sorted(d["title"] for d in answer.get_json()["drafts"])


def test_every_draft_without_filters(api, drafts):
    assert titles(api) == ["Rowery miejskie", "Zieleń przy Limanowskiego", "Ławki na Zabłociu"]


def test_by_status(api, drafts):
    update(Draft, drafts["city"], status="in_review")
    assert titles(api, status="in_review") == ["Rowery miejskie"]
    assert titles(api, status="ready") == []


def test_by_area_with_the_areas_within_it(api, drafts):
    xiii = district("XIII").id
    assert titles(api, area=xiii) == ["Zieleń przy Limanowskiego", "Ławki na Zabłociu"]
    assert titles(api, area=district("I").id) == []


def test_by_unit(api, drafts):
    assert titles(api, unit=unit_id("ZZM")) == ["Ławki na Zabłociu"]
    assert titles(api, unit=unit_id("ZDMK")) == []


def test_by_edition(api, drafts):
    assert len(titles(api, edition=2027)) == 3


def test_paged(api, drafts):
    first = api.get("/api/v1/drafts?per_page=2").get_json()
    second = api.get("/api/v1/drafts?per_page=2&page=2").get_json()
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert len(first["drafts"]) == 2 and len(second["drafts"]) == 1
    assert api.get("/api/v1/drafts?page=9").get_json()["drafts"] == []


@pytest.mark.parametrize(
    "args, field",
    [
        ({"status": "lost"}, "status"),
        ({"area": "987654"}, "area"),
        ({"unit": "987654"}, "unit"),
        ({"edition": "1999"}, "edition"),
        ({"edition": "2031"}, "edition"),
        ({"area": "x"}, "area"),
        ({"per_page": "101"}, "per_page"),
    ],
)
def test_bad_filters_are_named(api, drafts, args, field):
    answer = api.get("/api/v1/drafts", query_string=args)
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["fields"]
