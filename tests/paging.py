"""What every test of a paged list checks the same way."""

from __future__ import annotations

from tests.discussion.test_queries import counted_queries

BAD_PAGES = ("page=0", "page=abc", "per_page=0", "per_page=101")


def queries(client, url: str) -> int:
    """The statements a GET of the page takes (it must answer 200)."""
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def assert_bad_pages_refused(api, url: str) -> None:
    """A page or page size the API cannot take is a 422 `invalid`, never a 500."""
    for bad in BAD_PAGES:
        answer = api.get(f"{url}?{bad}")
        assert answer.status_code == 422, bad
        assert answer.get_json()["error"]["code"] == "invalid"
