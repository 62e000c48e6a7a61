"""A room's mutes come a page at a time, the soonest to end first, on its page and in the API,
in a number of queries that does not grow with the list."""

import re
from datetime import timedelta

import pytest

from forum.accounts.models import User
from forum.extensions import db, utcnow
from forum.moderation.models import Mute
from forum.moderation.services import MUTES_PER_PAGE
from tests.conftest import app_context, room_of, transaction
from tests.paging import assert_bad_pages_refused, queries


def mute_many(moderator, total: int) -> list[int]:
    """`total` people muted in XIII's room, each an hour after the one before (two of them at
    the same moment: the older mute first); a lifted and an ended mute besides, not listed.
    The mutes' ids as the list orders them."""
    room_id = room_of("XIII").id
    now = utcnow()
    with app_context(), transaction():
        hash_ = db.session.get(User, moderator.id).password_hash
        people = [
            User(
                display_name=f"Wyciszony {n}",
                email=f"muted{n}-{total}@example.pl",
                password_hash=hash_,
            )
            for n in range(total + 2)
        ]
        db.session.add_all(people)
        db.session.flush()
        mutes = [
            Mute(
                user_id=person.id,
                room_id=room_id,
                muted_by_id=moderator.id,
                reason=f"Powód {n}",
                created_at=now,
                until=now + timedelta(hours=max(n, 1)),
            )
            for n, person in enumerate(people[:total])
        ]
        mutes.append(
            Mute(
                user_id=people[-2].id,
                room_id=room_id,
                muted_by_id=moderator.id,
                reason="Zdjęte",
                created_at=now,
                until=now + timedelta(days=1),
                lifted_at=now,
                lifted_by_id=moderator.id,
            )
        )
        mutes.append(
            Mute(
                user_id=people[-1].id,
                room_id=room_id,
                muted_by_id=moderator.id,
                reason="Minęło",
                created_at=now - timedelta(days=2),
                until=now - timedelta(days=1),
            )
        )
        db.session.add_all(mutes)
        db.session.flush()
        return [mute.id for mute in mutes[:total]]


def listed(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'action="/mutes/(\d+)/lift"', page)]


@pytest.fixture
def as_amb13(client, auth, amb13):
    auth.login(amb13)
    return client


def test_the_mutes_page_comes_a_page_at_a_time(as_amb13, amb13):
    order = mute_many(amb13, MUTES_PER_PAGE + 3)
    room_id = room_of("XIII").id
    first = as_amb13.get(f"/rooms/{room_id}/mutes").text
    assert listed(first) == order[:MUTES_PER_PAGE]
    assert f'rel="next" href="/rooms/{room_id}/mutes?page=2"' in first
    assert 'rel="prev"' not in first
    second = as_amb13.get(f"/rooms/{room_id}/mutes?page=2").text
    assert listed(second) == order[MUTES_PER_PAGE:]
    assert f'rel="prev" href="/rooms/{room_id}/mutes?page=1"' in second
    assert 'rel="next"' not in second and "Strona 2 z 2" in second
    assert "Zdjęte" not in first + second and "Minęło" not in first + second
    past = as_amb13.get(f"/rooms/{room_id}/mutes?page=3").text
    assert listed(past) == [] and 'class="past-the-last"' in past
    assert f'href="/rooms/{room_id}/mutes"' in past


@pytest.mark.parametrize("page", ["0", "-2", "x", "99999999999"])
def test_a_bad_page_number_is_not_found(as_amb13, page):
    assert as_amb13.get(f"/rooms/{room_of('XIII').id}/mutes?page={page}").status_code == 404


def test_the_api_pages_the_mutes(api, amb13):
    order = mute_many(amb13, 7)
    api.login(amb13)
    url = f"/api/v1/rooms/{room_of('XIII').id}/mutes"
    first = api.get(f"{url}?per_page=3").get_json()
    assert [mute["id"] for mute in first["mutes"]] == order[:3]
    assert first["meta"] == {"page": 1, "per_page": 3, "total": 7, "pages": 3}
    last = api.get(f"{url}?per_page=3&page=3").get_json()
    assert [mute["id"] for mute in last["mutes"]] == order[6:]
    assert api.get(url).get_json()["meta"]["per_page"] == 20
    assert_bad_pages_refused(api, url)


def test_the_mutes_take_the_same_queries_however_many(app, as_amb13, amb13):
    room_id = room_of("XIII").id
    page, api = f"/rooms/{room_id}/mutes", f"/api/v1/rooms/{room_id}/mutes?per_page=100"
    mute_many(amb13, 3)
    small = [queries(as_amb13, page), queries(as_amb13, api)]
    mute_many(amb13, 2 * MUTES_PER_PAGE)
    large = [queries(as_amb13, page), queries(as_amb13, f"{page}?page=2"), queries(as_amb13, api)]
    assert large == [small[0], small[0], small[1]], (small, large)
    assert small[0] <= 10 and small[1] <= 8, small
