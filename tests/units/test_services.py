"""Tagging, the queue with its claims, and official answers, through the services."""

import pytest
from sqlalchemy import select

from forum.areas.models import Room
from forum.discussion import services as discussion
from forum.errors import Conflict, Forbidden, NotFound, ValidationError
from forum.extensions import db
from forum.notifications.models import Notification
from forum.realtime.models import StreamEvent
from forum.units import services
from forum.units.models import OfficialAnswer, UnitTag
from tests.conftest import app_context, count, get, make_user, room_of, run, update


def active_units(thread_id: int) -> list[int]:
    with app_context():
        return list(
            db.session.scalars(
                select(UnitTag.unit_id)
                .where(UnitTag.thread_id == thread_id, UnitTag.removed_at.is_(None))
                .order_by(UnitTag.unit_id)
            )
        )


def test_the_author_tags_her_thread(thread, anna, zzm, zdmk):
    run(services.tag_thread, anna, thread.id, [zzm, zdmk])
    assert active_units(thread.id) == sorted([zzm, zdmk])


def test_tagging_again_changes_nothing(thread, anna, zzm):
    run(services.tag_thread, anna, thread.id, [zzm])
    run(services.tag_thread, anna, thread.id, [zzm])
    assert count(UnitTag) == 1


def test_the_areas_ambassador_and_an_admin_tag(thread, piotr, admin, zzm, zdmk):
    run(services.tag_thread, piotr, thread.id, [zzm])
    run(services.tag_thread, admin, thread.id, [zdmk])
    assert active_units(thread.id) == sorted([zzm, zdmk])


@pytest.mark.parametrize("who", ["jan", "marek", "ewa"])
def test_others_may_not_tag(request, thread, zzm, who):
    with pytest.raises(Forbidden):
        run(services.tag_thread, request.getfixturevalue(who), thread.id, [zzm])
    assert count(UnitTag) == 0


def test_unknown_units_are_a_field_error_and_change_nothing(thread, anna, zzm):
    with pytest.raises(ValidationError) as refused:
        run(services.tag_thread, anna, thread.id, [zzm, 9999, 8888])
    assert "9999" in refused.value.fields["unit_ids"]
    assert "8888" in refused.value.fields["unit_ids"]
    assert count(UnitTag) == 0


def test_the_form_sets_the_whole_list_and_untagging_keeps_the_row(thread, anna, zzm, zdmk):
    run(services.tag_thread, anna, thread.id, [zzm])
    run(services.tag_thread, anna, thread.id, [zdmk], add_only=False)
    assert active_units(thread.id) == [zdmk]
    assert count(UnitTag) == 2  # ZZM's row stays, removed, so its stream can still name it
    removed = get(UnitTag, 1)
    assert removed.removed_at is not None and removed.removed_by_id == anna.id


def test_untag_and_tag_again(thread, anna, zzm):
    run(services.tag_thread, anna, thread.id, [zzm])
    run(services.untag_thread, anna, thread.id, zzm)
    assert active_units(thread.id) == []
    with pytest.raises(NotFound):
        run(services.untag_thread, anna, thread.id, zzm)
    run(services.tag_thread, anna, thread.id, [zzm])
    assert active_units(thread.id) == [zzm] and count(UnitTag) == 2


def test_a_restricted_rooms_thread_is_missing_for_outsiders(app, jan, zzm):
    room = room_of("XIII")
    update(Room, room.id, is_public=False)
    thread = run(discussion.create_thread, make_user("Admin", role="admin"), room.id, "Tajne", "Ok")
    with pytest.raises(NotFound):
        run(services.tag_thread, jan, thread.id, [zzm])
    assert count(UnitTag) == 0


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_lists_threads_unclaimed_first(thread, anna, ewa, zzm):
    other = run(discussion.create_thread, anna, room_of("XIII").id, "Drugi", "Treść drugiego")
    run(services.tag_thread, anna, thread.id, [zzm])
    run(services.tag_thread, anna, other.id, [zzm])
    first = run(services.queue, ewa, zzm)[1].items[0]
    run(services.claim, ewa, first.id)
    with app_context():
        unit, page = services.queue(db.session.merge(ewa), zzm)
        items = page.items
        assert [item.thread_id for item in items] == [other.id, thread.id]
        assert items[1].claimed_by_id == ewa.id


@pytest.mark.parametrize("who", ["jan", "piotr", "zenon"])
def test_only_the_units_experts_and_admins_read_its_queue(request, tagged, admin, zzm, who):
    with pytest.raises(Forbidden):
        run(services.queue, request.getfixturevalue(who), zzm)
    assert run(services.queue, admin, zzm)[1].total == 1


def test_claim_and_give_back(tagged, ewa, olga, zzm):
    item = run(services.queue, ewa, zzm)[1].items[0]
    run(services.claim, ewa, item.id)
    assert get(UnitTag, item.id).claimed_by_id == ewa.id
    run(services.claim, ewa, item.id)  # again: still hers
    with pytest.raises(Conflict) as taken:
        run(services.claim, olga, item.id)
    assert taken.value.code == "already_claimed"
    with pytest.raises(Conflict) as not_hers:
        run(services.release, olga, item.id)
    assert not_hers.value.code == "claimed_by_other"
    run(services.release, ewa, item.id)
    assert get(UnitTag, item.id).claimed_by_id is None
    run(services.claim, olga, item.id)
    assert get(UnitTag, item.id).claimed_by_id == olga.id


def test_an_expert_who_left_the_unit_leaves_her_items_to_colleagues(tagged, ewa, olga, zzm):
    from forum.accounts.models import RoleGrant

    item = run(services.queue, ewa, zzm)[1].items[0]
    run(services.claim, ewa, item.id)
    with app_context():
        db.session.execute(db.delete(RoleGrant).where(RoleGrant.user_id == ewa.id))
        db.session.commit()
    run(services.release, olga, item.id)
    assert get(UnitTag, item.id).claimed_by_id is None


@pytest.mark.parametrize("who", ["zenon", "admin", "jan"])
def test_only_the_units_experts_claim(request, tagged, ewa, zzm, who):
    item = run(services.queue, ewa, zzm)[1].items[0]
    with pytest.raises(Forbidden):
        run(services.claim, request.getfixturevalue(who), item.id)
    assert get(UnitTag, item.id).claimed_by_id is None


def test_a_removed_item_cannot_be_claimed(tagged, anna, ewa, zzm):
    item = run(services.queue, ewa, zzm)[1].items[0]
    run(services.untag_thread, anna, tagged.id, zzm)
    with pytest.raises(Conflict) as removed:
        run(services.claim, ewa, item.id)
    assert removed.value.code == "item_removed"


def test_each_change_is_published_on_the_units_stream(tagged, anna, ewa, zzm):
    item = run(services.queue, ewa, zzm)[1].items[0]
    run(services.claim, ewa, item.id)
    run(services.release, ewa, item.id)
    run(services.untag_thread, anna, tagged.id, zzm)
    with app_context():
        names = db.session.scalars(select(StreamEvent.name).order_by(StreamEvent.id)).all()
    assert [n for n in names if n == "queue_updated"] == ["queue_updated"] * 4


# --- official answers --------------------------------------------------------------------------


def test_an_expert_marks_a_colleagues_reply_and_the_author_is_told(expert_reply, olga, anna):
    answer = run(services.mark_official, olga, expert_reply.id)
    assert (answer.post_id, answer.marked_by_id) == (expert_reply.id, olga.id)
    with app_context():
        told = db.session.scalars(
            select(Notification).where(Notification.kind == "official_answer")
        ).all()
        assert [(n.user_id, n.post_id, n.actor_id) for n in told] == [
            (anna.id, expert_reply.id, olga.id)
        ]
        thread = db.session.get(type(expert_reply.thread), expert_reply.thread_id)
        assert [a.post_id for a in services.official_answers(thread)] == [expert_reply.id]


def test_marking_again_changes_nothing_and_tells_nobody_again(expert_reply, ewa):
    run(services.mark_official, ewa, expert_reply.id)
    run(services.mark_official, ewa, expert_reply.id)
    assert count(OfficialAnswer) == 1
    assert count(Notification, Notification.kind == "official_answer") == 1


def test_a_newer_answer_takes_the_place_of_the_units_earlier_one(expert_reply, ewa, olga):
    run(services.mark_official, ewa, expert_reply.id)
    newer = run(discussion.create_reply, olga, expert_reply.thread_id, "Teren jest miejski.")
    run(services.mark_official, ewa, newer.id)
    assert count(OfficialAnswer) == 1
    assert get(OfficialAnswer, 1).post_id == newer.id


def test_a_residents_reply_cannot_be_an_official_answer(tagged, jan, ewa):
    reply = run(discussion.create_reply, jan, tagged.id, "Moim zdaniem tak.")
    with pytest.raises(Conflict) as refused:
        run(services.mark_official, ewa, reply.id)
    assert refused.value.code == "not_expert_answer"
    assert count(OfficialAnswer) == 0


def test_another_units_expert_may_not_mark(expert_reply, zenon, piotr, anna):
    for who in (zenon, piotr, anna):
        with pytest.raises(Forbidden):
            run(services.mark_official, who, expert_reply.id)
    assert count(OfficialAnswer) == 0


def test_naming_a_unit_the_reply_cannot_answer_for_is_a_field_error(expert_reply, ewa, zdmk):
    with pytest.raises(ValidationError) as refused:
        run(services.mark_official, ewa, expert_reply.id, zdmk)
    assert "unit_id" in refused.value.fields


def test_taking_an_answer_back(expert_reply, ewa, olga, zenon, zzm):
    run(services.mark_official, ewa, expert_reply.id)
    with pytest.raises(Forbidden):
        run(services.remove_official, zenon, expert_reply.thread_id, zzm)
    run(services.remove_official, olga, expert_reply.thread_id, zzm)
    assert count(OfficialAnswer) == 0
    with pytest.raises(NotFound):
        run(services.remove_official, olga, expert_reply.thread_id, zzm)


def test_a_deleted_answer_is_not_shown(expert_reply, ewa):
    run(services.mark_official, ewa, expert_reply.id)
    run(discussion.delete_post, ewa, expert_reply.id)
    with app_context():
        thread = db.session.get(type(expert_reply.thread), expert_reply.thread_id)
        assert services.official_answers(thread) == []


def test_a_promoted_thread_hands_its_units_to_the_draft(tagged, anna, piotr, zzm, zdmk):
    from forum.areas.models import Area
    from forum.discussion.models import Thread
    from forum.drafts import services as drafts

    run(services.tag_thread, piotr, tagged.id, [zdmk])

    def promote(user):
        thread = db.session.get(Thread, tagged.id)
        area = db.session.get(Area, thread.room.area_id)
        draft = drafts.start_draft(user, area=area, thread=thread)
        services.carry_tags(user, thread, draft)
        return draft

    draft = run(promote, piotr)
    with app_context():
        units = db.session.scalars(
            select(UnitTag.unit_id).where(UnitTag.draft_id == draft.id).order_by(UnitTag.unit_id)
        ).all()
    assert list(units) == sorted([zzm, zdmk])
