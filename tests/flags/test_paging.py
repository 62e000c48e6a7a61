"""The queue comes a page of flagged posts at a time, on its page and in the API, in a number
of queries that does not grow with the queue."""

import re
from datetime import timedelta

import pytest

from forum.extensions import db, utcnow
from forum.flags.models import Flag
from forum.flags.services import QUEUE_PER_PAGE
from tests.conftest import app_context, transaction
from tests.discussion.test_slices import grow
from tests.flags.test_views import login
from tests.paging import assert_bad_pages_refused, queries


def flag_posts(post, flaggers, total: int) -> list[int]:
    """`total` replies in the post's thread, each flagged once, a minute apart, the first (the
    oldest) by every flagger: it needs attention. The posts' ids as the queue orders them."""
    ids = grow(post.thread_id, [None] * total)
    start = utcnow() - timedelta(days=1)
    with app_context(), transaction():
        for index, post_id in enumerate(ids):
            for flagger in flaggers if index == 0 else flaggers[:1]:
                db.session.add(
                    Flag(
                        post_id=post_id,
                        flagger_id=flagger.id,
                        reason="spam",
                        created_at=start + timedelta(minutes=index),
                    )
                )
    return [ids[0], *reversed(ids[1:])]


def listed(page: str) -> list[int]:
    found = re.findall(r'class="flagged-post[^"]*" data-post-id="(\d+)"', page)
    return [int(post_id) for post_id in found]


def test_the_queue_page_comes_a_page_at_a_time(client, post, jan, ola, piotr):
    order = flag_posts(post, [jan, ola], QUEUE_PER_PAGE + 5)
    login(client, piotr)
    first = client.get("/moderation").get_data(as_text=True)
    assert listed(first) == order[:QUEUE_PER_PAGE]
    heading = re.search(r'id="queue-heading"[^>]*>(\d+) ', first)
    assert int(heading[1]) == QUEUE_PER_PAGE + 6  # the whole queue's flags, two on the first post
    assert 'rel="next" href="/moderation?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/moderation?page=2").get_data(as_text=True)
    assert listed(second) == order[QUEUE_PER_PAGE:]
    assert 'rel="prev" href="/moderation?page=1"' in second and 'rel="next"' not in second
    assert "Strona 2 z 2" in second
    past = client.get("/moderation?page=3")
    assert past.status_code == 200 and listed(past.get_data(as_text=True)) == []
    assert 'href="/moderation"' in past.get_data(as_text=True)  # back to the first page


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999"])
def test_a_bad_page_number_is_not_found(client, post, jan, piotr, page):
    flag_posts(post, [jan], 2)
    login(client, piotr)
    assert client.get(f"/moderation?page={page}").status_code == 404


def test_the_api_pages_the_queue(api, post, jan, ola, piotr):
    order = flag_posts(post, [jan, ola], 12)
    api.login(piotr)
    first = api.get("/api/v1/flags?per_page=5").get_json()
    assert [entry["post"]["id"] for entry in first["posts"]] == order[:5]
    assert first["posts"][0]["needs_attention"] and len(first["posts"][0]["flags"]) == 2
    assert first["meta"] == {"page": 1, "per_page": 5, "total": 12, "pages": 3}
    assert first["open"] == 13
    third = api.get("/api/v1/flags?per_page=5&page=3").get_json()
    assert [entry["post"]["id"] for entry in third["posts"]] == order[10:]
    assert api.get("/api/v1/flags").get_json()["meta"]["per_page"] == 20
    assert_bad_pages_refused(api, "/api/v1/flags")


def test_the_queue_takes_the_same_queries_however_long(app, post, jan, ola, piotr):
    """A page of 3 flagged posts, the first and a middle page of 63, all their flags listed:
    the same statements (the login, the header's count and seqs, the page of posts, their flags
    with their posts and people, the whole queue's count)."""
    client = app.test_client()
    login(client, piotr)
    flag_posts(post, [jan, ola], 3)
    small = [queries(client, "/moderation"), queries(client, "/api/v1/flags?per_page=100")]
    flag_posts(post, [jan, ola], 3 * QUEUE_PER_PAGE)
    pages = [queries(client, "/moderation"), queries(client, "/moderation?page=2")]
    api = queries(client, "/api/v1/flags?per_page=100")
    assert pages == [small[0], small[0]] and api == small[1], (small, pages, api)
    assert small[0] <= 11 and small[1] <= 6, small
