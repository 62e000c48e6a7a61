"""Writers racing on PostgreSQL, each on a connection of its own (tests/concurrency.py).

SQLite lets one writer at a time into the whole file, so its races are few; PostgreSQL runs
transactions side by side and locks rows, so here the rules must hold by the statements
themselves: replies to one thread numbered without gaps in commit order, a reply that races a
lock either lands before it or is refused, and the "one per person" rules (a support, an open
flag) keep one row whoever gets there first. Run with TEST_DATABASE_URL=postgresql+psycopg2://…
(CI runs the whole suite so); on SQLite they are skipped.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from forum.discussion import services as discussion
from forum.discussion.models import Post, Thread
from forum.drafts.models import Draft
from forum.errors import Conflict
from forum.extensions import db
from forum.flags import services as flags
from forum.flags.models import Flag
from forum.moderation import services as moderation
from forum.realtime.models import Stream, StreamEvent
from forum.supports import services as supports
from forum.supports.models import Support
from tests.concurrency import Writer, all_at_once, blocked_behind
from tests.conftest import app_context, get, make_user, opening_of, run
from tests.supports.conftest import new_draft

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="races between connections need PostgreSQL (TEST_DATABASE_URL=postgresql+psycopg2://…)",
)


def stream_log(kind: str, target_id: int) -> list[tuple[int, str, int]]:
    """A stream's logged events as (seq, name, subject id), in seq order."""
    with app_context():
        return db.session.execute(
            select(StreamEvent.seq, StreamEvent.name, StreamEvent.subject_id)
            .join(Stream, Stream.id == StreamEvent.stream_id)
            .where(Stream.kind == kind, Stream.target_id == target_id)
            .order_by(StreamEvent.seq)
        ).all()


def assert_numbered_without_gaps(kind: str, target_id: int) -> list[tuple[int, str, int]]:
    events = stream_log(kind, target_id)
    assert [seq for seq, _name, _subject in events] == list(range(1, len(events) + 1)), events
    with app_context():
        last = db.session.scalar(
            select(Stream.last_seq).where(Stream.kind == kind, Stream.target_id == target_id)
        )
    assert last == len(events)
    return events


def posts_in(thread_id: int) -> list[int]:
    with app_context():
        return list(
            db.session.scalars(select(Post.id).where(Post.thread_id == thread_id).order_by(Post.id))
        )


@pytest.fixture
def moderator(app):
    return make_user("Ambasadorka", role="ambassador", scope="XIII")


def reply(user, thread_id, body):
    return discussion.create_reply(user, thread_id, body)


def test_two_replies_to_one_thread_at_once_are_numbered_in_commit_order(app, thread, anna, jan):
    first = Writer(app, reply, anna, thread.id, "Pierwsza").holding()
    second = blocked_behind(app, first, reply, jan, thread.id, "Druga")
    first.commit()
    second.finished()
    assert first.error is None and second.error is None, (first.error, second.error)

    assert get(Thread, thread.id).reply_count == 2
    events = assert_numbered_without_gaps("thread", thread.id)
    assert [(name, subject) for _seq, name, subject in events] == [
        ("post_created", first.result_id),
        ("post_created", second.result_id),
    ]
    assert_numbered_without_gaps("room", thread.room_id)


def test_many_replies_at_once_are_all_kept_and_numbered(app, thread, anna):
    people = [make_user(f"Mieszkaniec {n}") for n in range(4)]
    calls = [
        (reply, person, (thread.id, f"Głos {n}.{k}"))
        for k in range(2)
        for n, person in enumerate([*people, anna])
    ]
    writers = all_at_once(app, calls)

    assert [w.error for w in writers] == [None] * len(writers)
    assert get(Thread, thread.id).reply_count == len(writers)
    events = assert_numbered_without_gaps("thread", thread.id)
    assert sorted(subject for _seq, _name, subject in events) == posts_in(thread.id)[1:]
    assert len(assert_numbered_without_gaps("room", thread.room_id)) == 1 + len(writers)


def test_a_reply_behind_an_uncommitted_lock_is_refused_once_the_lock_commits(
    app, thread, jan, moderator
):
    lock = Writer(app, moderation.lock_thread, moderator, thread.id, "Spokój").holding()
    late = blocked_behind(app, lock, reply, jan, thread.id, "Jeszcze jedno")
    lock.commit()
    late.finished()

    assert lock.error is None
    assert isinstance(late.error, Conflict) and late.error.code == "thread_locked", late.error
    assert get(Thread, thread.id).status == "locked"
    assert get(Thread, thread.id).reply_count == 0
    assert posts_in(thread.id) == [opening_of(thread.id).id]
    # The thread's readers heard of the lock, and of no reply.
    assert [name for _seq, name, _subject in stream_log("thread", thread.id)] == ["thread_updated"]


def test_a_reply_that_holds_the_thread_first_lands_before_the_lock(app, thread, jan, moderator):
    early = Writer(app, reply, jan, thread.id, "Zdążyłem").holding()
    lock = blocked_behind(app, early, moderation.lock_thread, moderator, thread.id, "Koniec")
    early.commit()
    lock.finished()

    assert early.error is None and lock.error is None, (early.error, lock.error)
    assert get(Thread, thread.id).status == "locked"
    assert get(Thread, thread.id).reply_count == 1
    names = [name for _seq, name, _subject in assert_numbered_without_gaps("room", thread.room_id)]
    # Created, updated by the reply, then by the lock: the room saw them in that order.
    assert names == ["thread_created", "thread_updated", "thread_updated"]


def test_two_locks_at_once_lock_once(app, thread, moderator):
    other = make_user("Ambasador", role="ambassador", scope="XIII")
    first = Writer(app, moderation.lock_thread, moderator, thread.id, "Raz").holding()
    second = blocked_behind(app, first, moderation.lock_thread, other, thread.id, "Dwa")
    first.commit()
    second.finished()

    assert first.error is None
    assert isinstance(second.error, Conflict) and second.error.code == "thread_locked"
    room_events = assert_numbered_without_gaps("room", thread.room_id)
    assert [name for _seq, name, _subject in room_events] == ["thread_created", "thread_updated"]


def support_draft(user, draft_id):
    return supports.support(user, db.session.get(Draft, draft_id))


def test_one_person_s_two_supports_at_once_keep_one(app):
    author, ola = make_user("Autorka"), make_user("Ola")
    draft_id = new_draft(author)
    first = Writer(app, support_draft, ola, draft_id).holding()
    second = blocked_behind(app, first, support_draft, ola, draft_id)
    first.commit()
    second.finished()

    assert first.error is None
    assert isinstance(second.error, Conflict), second.error
    assert second.error.code == "already_supported"
    with app_context():
        assert db.session.scalar(select(func.count(Support.id))) == 1


def test_one_person_s_two_flags_of_a_post_at_once_keep_one(app, thread, jan):
    post_id = opening_of(thread.id).id
    first = Writer(app, flags.flag_post, jan, post_id, "spam").holding()
    second = blocked_behind(app, first, flags.flag_post, jan, post_id, "spam")
    first.commit()
    second.finished()

    assert first.error is None
    assert isinstance(second.error, Conflict) and second.error.code == "already_flagged"
    with app_context():
        assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_many_people_support_one_draft_at_once(app):
    author = make_user("Autorka")
    draft_id = new_draft(author)
    people = [make_user(f"Mieszkanka {n}") for n in range(5)]
    writers = all_at_once(app, [(support_draft, person, (draft_id,)) for person in people * 2])

    refused = [w.error for w in writers if w.error is not None]
    assert len(refused) == len(people)
    assert all(isinstance(e, Conflict) and e.code == "already_supported" for e in refused)
    with app_context():
        assert db.session.scalar(select(func.count(Support.id))) == len(people)
    assert_numbered_without_gaps("draft", draft_id)


def test_two_moderators_hiding_one_post_at_once_hide_it_once(app, thread, jan, moderator):
    other = make_user("Ambasador", role="ambassador", scope="XIII")
    post = run(reply, jan, thread.id, "Coś niemiłego")
    first = Writer(app, moderation.hide_post, moderator, post.id, "Obraźliwe").holding()
    second = blocked_behind(app, first, moderation.hide_post, other, post.id, "Też obraźliwe")
    first.commit()
    second.finished()

    assert first.error is None
    assert isinstance(second.error, Conflict) and second.error.code == "post_hidden"
    assert get(Post, post.id).hidden_reason == "Obraźliwe"
    names = [name for _seq, name, _subject in assert_numbered_without_gaps("thread", thread.id)]
    assert names == ["post_created", "post_hidden"]
