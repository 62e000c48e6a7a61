"""A tagged thread with official answers loads in a fixed number of queries, for an expert who
may mark replies as for a reader."""

import pytest
from sqlalchemy import select

from forum.discussion.models import Post
from forum.extensions import db
from forum.units import services
from tests.conftest import app_context, make_user, run
from tests.discussion.test_queries import queries_for, thread_with_posts
from tests.units.conftest import logged_in


def tagged_with_an_answer(total: int, zzm: int) -> int:
    thread_id = thread_with_posts(total)
    admin = make_user("Admin", role="admin")
    expert = make_user("Ekspertka", role="expert", scope="ZZM")
    run(services.tag_thread, admin, thread_id, [zzm])
    with app_context():
        # thread_with_posts' third person is an expert of ZZM: her first live reply
        replies = db.session.scalars(
            select(Post).where(Post.thread_id == thread_id, Post.parent_id.is_not(None))
        ).all()
        answer = next(
            p
            for p in replies
            if not p.is_deleted
            and not p.is_hidden
            and any(g.role == "expert" for g in p.author.role_grants)
        )
    run(services.mark_official, expert, answer.id)
    return thread_id


@pytest.mark.parametrize("who", ["expert", "resident"])
def test_a_tagged_threads_queries_do_not_grow_with_posts(app, zzm, who):
    small = tagged_with_an_answer(10, zzm)
    large = tagged_with_an_answer(120, zzm)
    role, scope = ("expert", "ZZM") if who == "expert" else (None, None)
    client = logged_in(app, make_user("Czytelnik", role=role, scope=scope))
    small_count = queries_for(client, f"/threads/{small}")
    large_count = queries_for(client, f"/threads/{large}")
    assert small_count == large_count, (small_count, large_count)
    # Thirteen for the thread, its outline, its slice's posts, units and answers; one for its
    # place in a workshop series.
    assert large_count <= 14, large_count
