"""Needs and ideas: residents start them as threads of the stage's room, the room's moderators
mark or unmark the room's threads, an idea says which needs of its series it answers."""

from __future__ import annotations

import pytest

from forum.discussion import services as discussion
from forum.discussion.models import Thread
from forum.errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from forum.extensions import db
from forum.workshops import services
from forum.workshops.models import IdeaNeed, WorkshopItem, WorkshopSeries
from tests.conftest import GUEST, app_context, count, get, make_user, room_of, run
from tests.workshops.conftest import add, create


def stage_room(series_id: int, number: int) -> int:
    with app_context():
        series = db.session.get(WorkshopSeries, series_id)
        return series.stages[number - 1].meeting.room_id


def test_a_resident_adds_a_need_as_a_thread_of_the_first_workshop(series, ola):
    need = get(WorkshopItem, add(ola, series, 1, "Cień na placach zabaw"))
    thread = get(Thread, need.thread_id)
    assert need.kind == "need" and need.marked_by_id == ola.id
    assert thread.author_id == ola.id and thread.room_id == stage_room(series, 1)


def test_an_idea_names_the_needs_it_answers(series, ola):
    shade = add(ola, series, 1, "Cień na placach zabaw")
    water = add(ola, series, 1, "Woda pitna w parkach")
    idea = add(make_user("Jan"), series, 2, "Drzewa przy piaskownicach", need_ids=[shade])
    assert get(WorkshopItem, idea).kind == "idea"
    assert get(Thread, get(WorkshopItem, idea).thread_id).room_id == stage_room(series, 2)
    with app_context():
        assert [(a.idea_id, a.need_id) for a in db.session.scalars(db.select(IdeaNeed))] == [
            (idea, shade)
        ]
    assert water


def test_an_idea_may_answer_only_needs_of_its_own_series(admin, series, ola):
    need = add(ola, series, 1, "Cień na placach zabaw")
    threads = count(Thread)
    with pytest.raises(ValidationError) as refused:
        add(ola, series, 2, "Pomysł", need_ids=[need + 1000])
    assert set(refused.value.fields) == {"need_ids"}
    idea = add(ola, series, 2, "Pomysł bez potrzeby")
    with pytest.raises(ValidationError):  # an idea is not a need
        add(ola, series, 2, "Pomysł na pomysł", need_ids=[idea])
    assert count(Thread) == threads + 1 and count(IdeaNeed) == 0


def test_the_third_workshop_takes_no_items(series, ola):
    with pytest.raises(Conflict) as refused:
        add(ola, series, 3, "Wniosek")
    assert refused.value.code == "stage_takes_no_items"
    with pytest.raises(ValidationError):  # a need answers nothing
        add(ola, series, 1, "Potrzeba", need_ids=[1])
    assert count(WorkshopItem) == 0


def test_a_guest_adds_nothing(series):
    with pytest.raises(NotAuthenticated):
        add(GUEST, series, 1, "Cień")
    assert count(WorkshopItem) == 0


def test_a_suspended_resident_adds_nothing(series, ola):
    from datetime import timedelta

    from forum.accounts.models import User
    from forum.extensions import utcnow
    from tests.conftest import update

    update(User, ola.id, suspended_until=utcnow() + timedelta(days=3))
    with pytest.raises(Forbidden) as refused:
        add(ola, series, 1, "Cień")
    assert refused.value.code == "suspended"
    assert count(WorkshopItem) == 0


def thread_in(user, room_id: int, title: str = "Ławki w cieniu") -> int:
    return run(discussion.create_thread, user, room_id, title, "Czy da się?").id


def test_moderators_mark_and_unmark_threads_of_the_stage_room(admin, series, ola):
    thread_id = thread_in(ola, stage_room(series, 1))
    with pytest.raises(Forbidden):
        run(services.mark_thread, ola, series, 1, thread_id)
    item = run(services.mark_thread, admin, series, 1, thread_id)
    assert (item.kind, item.marked_by_id) == ("need", admin.id)
    again = run(services.mark_thread, admin, series, 1, thread_id)
    assert again.id == item.id and count(WorkshopItem) == 1
    from datetime import timedelta

    from forum.extensions import utcnow
    from tests.workshops.conftest import stages

    # Another series in the same workshop rooms: a thread is an item of one stage at most.
    other = create(admin, title="Druga seria", stages=stages(utcnow() + timedelta(days=40)))
    with pytest.raises(Conflict) as refused:
        run(services.mark_thread, admin, other, 1, thread_id)
    assert refused.value.code == "already_marked"
    idea = add(ola, series, 2, "Drzewa", need_ids=[item.id])
    with pytest.raises(Forbidden):
        run(services.unmark, ola, item.id)
    run(services.unmark, admin, item.id)
    assert get(WorkshopItem, item.id) is None and get(Thread, thread_id) is not None
    assert count(IdeaNeed) == 0 and get(WorkshopItem, idea) is not None


def test_only_threads_of_the_stage_room_are_marked(admin, series, ola):
    elsewhere = thread_in(ola, room_of("XIII").id)
    with pytest.raises(ValidationError) as refused:
        run(services.mark_thread, admin, series, 1, elsewhere)
    assert set(refused.value.fields) == {"thread_id"}
    in_stage_two = thread_in(ola, stage_room(series, 2))
    with pytest.raises(ValidationError):  # stage 1's room is not stage 2's
        run(services.mark_thread, admin, series, 1, in_stage_two)
    with app_context():
        workshop_thread = db.session.get(WorkshopSeries, series).stages[0].meeting.thread_id
    with pytest.raises(ValidationError):  # the workshop's own discussion
        run(services.mark_thread, admin, series, 1, workshop_thread)
    deleted = thread_in(ola, stage_room(series, 1), "Do usunięcia")
    with app_context():
        opening = db.session.scalar(db.select(Thread).where(Thread.id == deleted))
        assert opening is not None
    from tests.conftest import opening_of

    run(discussion.delete_post, ola, opening_of(deleted).id)
    with pytest.raises(Conflict) as refused:
        run(services.mark_thread, admin, series, 1, deleted)
    assert refused.value.code == "thread_deleted"
    assert count(WorkshopItem) == 0


def test_the_markable_threads_are_the_room_threads_not_marked_yet(admin, series, ola):
    first = thread_in(ola, stage_room(series, 1), "Pierwszy")
    second = thread_in(ola, stage_room(series, 1), "Drugi")
    run(services.mark_thread, admin, series, 1, first)
    with app_context():
        stage = services.stage_of(series, 1)
        from tests.conftest import actor

        assert [t.id for t in services.markable_threads(actor(admin), stage)] == [second]


def test_the_idea_author_links_needs_and_the_list_replaces_the_links(series, ola):
    shade = add(ola, series, 1, "Cień")
    water = add(ola, series, 1, "Woda")
    jan = make_user("Jan")
    idea = add(jan, series, 2, "Drzewa i poidełka", need_ids=[shade])
    run(services.link_needs, jan, idea, (water,))
    with app_context():
        assert [a.need_id for a in db.session.get(WorkshopItem, idea).answers] == [water]
    with pytest.raises(Forbidden):  # not her idea, not a moderator
        run(services.link_needs, ola, idea, (shade,))
    with pytest.raises(Conflict) as refused:
        run(services.link_needs, ola, shade, (water,))
    assert refused.value.code == "not_an_idea"
    with pytest.raises(ValidationError):
        run(services.link_needs, jan, idea, (idea,))
    run(services.link_needs, jan, idea, ())
    assert count(IdeaNeed) == 0


def test_needs_of_another_series_are_not_linked(admin, series, ola):
    from datetime import timedelta

    from forum.extensions import utcnow
    from tests.workshops.conftest import stages

    other = create(admin, title="Druga seria", stages=stages(utcnow() + timedelta(days=40)))
    foreign = add(ola, other, 1, "Potrzeba z innej serii")
    idea = add(ola, series, 2, "Pomysł")
    with pytest.raises(ValidationError) as refused:
        run(services.link_needs, ola, idea, (foreign,))
    assert set(refused.value.fields) == {"need_ids"}
    assert count(IdeaNeed) == 0


def test_items_are_news_on_the_workshops_meeting_and_replies_are_not(
    app, connect, admin, series, ola
):
    """The series page follows its workshops' meetings: a need added, an idea's needs linked,
    a mark taken off each come on the stage's meeting; a reply in the workshop's room does not."""
    from forum.realtime import events

    with app_context():
        stages = db.session.get(WorkshopSeries, series).stages
        needs_meeting, ideas_meeting = stages[0].meeting_id, stages[1].meeting_id
    sock = connect(app.test_client())
    for meeting_id in (needs_meeting, ideas_meeting):
        sock.emit(events.JOIN, {"stream": f"meeting:{meeting_id}"})
    sock.get_received()

    def news() -> list[int]:
        return [e["meeting"]["id"] for e in sock.received_named(events.MEETING_UPDATED)]

    need = add(ola, series, 1, "Cień na placach zabaw")
    assert news() == [needs_meeting]
    idea = add(ola, series, 2, "Drzewa przy piaskownicach")
    assert news() == [ideas_meeting]
    run(services.link_needs, ola, idea, (need,))
    assert news() == [ideas_meeting]
    run(discussion.create_reply, ola, get(WorkshopItem, need).thread_id, "Też tak uważam.")
    assert news() == []
    run(services.unmark, admin, idea)
    assert news() == [ideas_meeting]
