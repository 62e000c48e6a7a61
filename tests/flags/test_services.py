"""Flagging a post, the moderators' queue, and resolving: dismiss or hide."""

import pytest
from sqlalchemy import select

from forum.discussion import services as discussion
from forum.discussion.models import Post
from forum.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationError
from forum.extensions import db
from forum.flags import services
from forum.flags.models import Flag
from forum.moderation import services as moderation
from forum.moderation.models import ModerationEntry
from forum.notifications.models import Notification
from forum.realtime.models import Stream, StreamEvent
from tests.conftest import (
    GUEST,
    app_context,
    count,
    district,
    get,
    make_member,
    make_user,
    room_of,
    run,
    update,
)


def test_a_resident_flags_a_post_with_a_reason_and_words(jan, post):
    flag = run(services.flag_post, jan, post.id, "offensive", "  Obraża  sąsiadów ")
    stored = get(Flag, flag.id)
    assert (stored.reason, stored.text) == ("offensive", "Obraża  sąsiadów")
    assert stored.flagger_id == jan.id
    assert stored.is_open and stored.outcome is None


@pytest.mark.parametrize(
    ("reason", "words", "field"),
    [
        ("nonsense", "", "reason"),
        (None, "", "reason"),
        ("other", "", "text"),
        ("other", "   ", "text"),
        ("spam", "x" * 501, "text"),
        ("spam", "a\u202eb", "text"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(jan, post, reason, words, field):
    with pytest.raises(ValidationError) as raised:
        run(services.flag_post, jan, post.id, reason, words)
    assert field in raised.value.fields
    assert count(Flag) == 0


def test_other_with_words_and_the_limit_itself_are_fine(jan, ola, post):
    run(services.flag_post, jan, post.id, "other", "Reklama w przebraniu")
    run(services.flag_post, ola, post.id, "spam", "x" * 500)
    assert count(Flag) == 2


@pytest.mark.parametrize(
    ("who", "error", "code"),
    [
        ("guest", NotAuthenticated, "not_authenticated"),
        ("author", Conflict, "own_post"),
    ],
)
def test_who_may_not_flag(author, post, who, error, code):
    user = {"guest": GUEST, "author": author}[who]
    with pytest.raises(error) as raised:
        run(services.flag_post, user, post.id, "spam")
    assert raised.value.code == code


def test_a_deleted_post_a_missing_one_and_a_restricted_room(author, jan, post, app):
    with pytest.raises(NotFound):
        run(services.flag_post, jan, 999_999, "spam")
    room = room_of("XIII")
    update(type(room), room.id, is_public=False)
    secret = make_user("Członkini")
    make_member(secret, room.id)
    thread = run(discussion.create_thread, secret, room.id, "Tajne", "Treść")
    with pytest.raises(NotFound):  # missing and forbidden look the same
        run(services.flag_post, jan, thread.id, "spam")
    run(discussion.delete_post, author, post.id)
    with pytest.raises(Conflict) as raised:
        run(services.flag_post, jan, post.id, "spam")
    assert raised.value.code == "post_deleted"


def test_a_suspended_resident_may_not_flag(jan, post):
    from datetime import timedelta

    from forum.accounts.models import User
    from forum.extensions import utcnow

    update(User, jan.id, suspended_until=utcnow() + timedelta(days=1))
    with pytest.raises(Forbidden) as raised:
        run(services.flag_post, jan, post.id, "spam")
    assert raised.value.code == "suspended"


def test_one_open_flag_per_person_and_post(jan, post, piotr):
    run(services.flag_post, jan, post.id, "spam")
    with pytest.raises(Conflict) as raised:
        run(services.flag_post, jan, post.id, "offensive")
    assert raised.value.code == "already_flagged"
    # Once resolved, the same person may flag the post again.
    run(services.dismiss, piotr, post.id, "")
    run(services.flag_post, jan, post.id, "offensive")
    assert count(Flag) == 2


def test_the_database_refuses_a_second_open_flag_that_slipped_past_the_check(
    jan, post, monkeypatch
):
    """Two requests at once both find no open flag: the index decides, and the later one gets
    the same 409 with its transaction intact."""
    run(services.flag_post, jan, post.id, "spam")
    monkeypatch.setattr(services, "open_flag_of", lambda user, post: None)
    with app_context():
        from forum.accounts.services import load_user

        user = load_user(jan.id)
        with pytest.raises(Conflict) as raised:
            services.flag_post(user, post.id, "offensive")
        assert raised.value.code == "already_flagged"
        # The transaction goes on: it can still read and write.
        assert db.session.scalar(select(db.func.count(Flag.id))) == 1
        db.session.rollback()
    assert count(Flag) == 1


def test_a_flag_is_published_on_every_area_up_to_the_city(jan, post, zablocie):
    flag = run(services.flag_post, jan, post.id, "spam")
    with app_context():
        area = db.session.get(type(zablocie), zablocie.id).area
        expected = area.ancestor_ids
        rows = db.session.execute(
            select(Stream.target_id, StreamEvent.name, StreamEvent.subject_id)
            .join(StreamEvent, StreamEvent.stream_id == Stream.id)
            .where(Stream.kind == "area")
        ).all()
    assert len(expected) == 3  # city, district, osiedle
    assert sorted(rows) == sorted((area_id, "flag_raised", flag.id) for area_id in expected)


def test_a_flag_in_a_restricted_room_is_not_published(jan, app):
    room = room_of("XIII")
    update(type(room), room.id, is_public=False)
    make_member(jan, room.id)
    member = make_user("Członkini")
    make_member(member, room.id)
    thread = run(discussion.create_thread, member, room.id, "Tajne", "Treść")
    with app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    run(services.flag_post, jan, post_id, "spam")
    assert count(Flag) == 1
    with app_context():
        assert not db.session.scalars(select(Stream).where(Stream.kind == "area")).all()


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_of_each_moderator(jan, ola, post, piotr, marek, admin, author):
    run(services.flag_post, jan, post.id, "spam")
    with app_context():
        from forum.accounts.services import load_user

        assert services.open_count(load_user(piotr.id)) == 1
        assert services.open_count(load_user(admin.id)) == 1
        assert services.open_count(load_user(marek.id)) == 0
        assert services.open_count(load_user(jan.id)) == 0
        assert services.open_count(GUEST) == 0
    assert [g.post.id for g in queued(piotr)] == [post.id]
    assert [g.post.id for g in queued(admin)] == [post.id]
    assert queued(marek) == []
    with pytest.raises(Forbidden):
        run(services.queue, jan)
    with pytest.raises(NotAuthenticated):
        run(services.queue, GUEST)
    # One area of theirs: the osiedle inside the district, yes; another district, no.
    assert len(queued(piotr, area_id=post_area(post))) == 1
    with pytest.raises(Forbidden):
        run(services.queue, piotr, area_id=district("I").id)
    with pytest.raises(NotFound):
        run(services.queue, piotr, area_id=999_999)


def queued(user, **kwargs) -> list:
    """The flagged posts of the queue's page."""
    return run(services.queue, user, **kwargs)[0].items


def post_area(post) -> int:
    with app_context():
        return db.session.get(Post, post.id).thread.room.area_id


def test_an_osiedle_ambassador_sees_the_osiedle_only(jan, post, author):
    with app_context():
        from forum.accounts.models import RoleGrant
        from forum.areas.models import Area

        zablocie = db.session.scalar(select(Area).where(Area.slug == "zablocie"))
        kasia = make_user("Kasia")
        db.session.add(RoleGrant(user_id=kasia.id, role="ambassador", area_id=zablocie.id))
        db.session.commit()
    run(services.flag_post, jan, post.id, "spam")
    other = run(discussion.create_thread, author, room_of("XIII").id, "W dzielnicy", "Treść")
    with app_context():
        other_post = db.session.scalar(select(Post.id).where(Post.thread_id == other.id))
    run(services.flag_post, jan, other_post, "spam")
    assert [g.post.id for g in queued(kasia)] == [post.id]


def test_several_flaggers_mark_a_post_for_attention_and_put_it_first(
    jan, ola, post, piotr, author, zablocie
):
    newer = run(discussion.create_thread, author, zablocie.id, "Drugi", "Treść")
    with app_context():
        newer_post = db.session.scalar(select(Post.id).where(Post.thread_id == newer.id))
    run(services.flag_post, jan, post.id, "spam")
    run(services.flag_post, ola, post.id, "offensive", "Wulgarne")
    run(services.flag_post, jan, newer_post, "off_topic")
    groups = queued(piotr)
    assert [g.post.id for g in groups] == [post.id, newer_post]
    assert groups[0].needs_attention and groups[0].flagger_count == 2
    assert not groups[1].needs_attention
    assert [f.flagger_id for f in groups[0].flags] == [ola.id, jan.id]  # newest first


# --- resolving -----------------------------------------------------------------------------


def test_dismissing_resolves_every_open_flag_logs_it_and_tells_each_flagger(jan, ola, post, piotr):
    run(services.flag_post, jan, post.id, "spam")
    run(services.flag_post, ola, post.id, "offensive")
    flags = run(services.dismiss, piotr, post.id, " Nie łamie zasad. ")
    assert len(flags) == 2
    with app_context():
        for flag in db.session.scalars(select(Flag)):
            assert flag.outcome == "dismissed" and flag.resolved_by_id == piotr.id
            assert flag.resolved_at is not None and flag.resolution_note == "Nie łamie zasad."
        entry = db.session.scalars(select(ModerationEntry)).one()
        assert (entry.action, entry.post_id, entry.reason) == (
            "flag_dismissed",
            post.id,
            "Nie łamie zasad.",
        )
        notes = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert [(n.user_id, n.kind, n.message, n.post_id) for n in notes] == [
        (jan.id, "flag_dismissed", "Nie łamie zasad.", post.id),
        (ola.id, "flag_dismissed", "Nie łamie zasad.", post.id),
    ]
    assert not get(Post, post.id).is_hidden


def test_hiding_hides_the_post_and_tells_each_flagger_and_its_author(jan, ola, post, piotr):
    run(services.flag_post, jan, post.id, "spam")
    run(services.flag_post, ola, post.id, "spam")
    run(services.hide, piotr, post.id, "Reklama")
    hidden = get(Post, post.id)
    assert hidden.is_hidden and hidden.hidden_reason == "Reklama"
    with app_context():
        assert {f.outcome for f in db.session.scalars(select(Flag))} == {"hidden"}
        notes = db.session.scalars(select(Notification)).all()
    assert sorted((n.user_id, n.kind, n.message) for n in notes) == sorted(
        [
            (jan.id, "flag_upheld", "Reklama"),
            (ola.id, "flag_upheld", "Reklama"),
            (hidden.author_id, "post_hidden", "Reklama"),
        ]
    )


def test_hiding_with_a_bad_reason_changes_nothing(jan, post, piotr):
    run(services.flag_post, jan, post.id, "spam")
    with pytest.raises(ValidationError):
        run(services.hide, piotr, post.id, "x")
    assert get(Post, post.id).hidden_at is None
    assert get(Flag, 1).is_open
    assert count(Notification) == 0


def test_resolving_twice_is_a_conflict(jan, post, piotr, admin):
    run(services.flag_post, jan, post.id, "spam")
    run(services.dismiss, piotr, post.id, "")
    for resolve, args in ((services.dismiss, ("",)), (services.hide, ("Reklama",))):
        with pytest.raises(Conflict) as raised:
            run(resolve, admin, post.id, *args)
        assert raised.value.code == "flag_resolved"


def test_a_post_hidden_meanwhile_resolves_its_flags_as_upheld(jan, post, piotr):
    run(services.flag_post, jan, post.id, "spam")
    run(moderation.hide_post, piotr, post.id, "Reklama")
    run(services.hide, piotr, post.id, "Inny powód")
    assert get(Flag, 1).outcome == "hidden"
    assert get(Post, post.id).hidden_reason == "Reklama"


@pytest.mark.parametrize("resolve", ["dismiss", "hide"])
def test_only_the_areas_moderators_resolve(jan, post, marek, author, resolve):
    run(services.flag_post, jan, post.id, "spam")
    for user, error in ((marek, Forbidden), (author, Forbidden), (GUEST, NotAuthenticated)):
        with pytest.raises(error):
            run(getattr(services, resolve), user, post.id, "Powód")
    assert get(Flag, 1).is_open


def test_a_moderator_told_of_nothing_open_and_others_told_no(post, piotr, jan):
    with pytest.raises(Conflict):
        run(services.dismiss, piotr, post.id, "")
    with pytest.raises(Forbidden):
        run(services.dismiss, jan, post.id, "")


def test_the_demo_queue_has_a_post_that_needs_attention(app):
    from forum.accounts.models import User
    from forum.demo import seed_demo_data
    from forum.transactions import transaction

    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        piotr = db.session.scalar(select(User).where(User.email == "piotr@example.pl"))
    [group] = queued(piotr)
    assert group.needs_attention and group.post.author.display_name == "Tomasz Wójcik"
