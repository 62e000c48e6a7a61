"""Promotion, promotion requests, starting one's own draft, and an author's save."""

import pytest

from forum.discussion import services as discussion
from forum.drafts import editing, promotion
from forum.drafts.models import Draft, DraftAuthor, DraftRevision, DraftSourcePost
from forum.drafts.services import VersionConflict
from forum.errors import Conflict, Forbidden, NotAuthenticated, ValidationError
from forum.extensions import db
from forum.moderation import services as moderation
from forum.notifications.models import Notification
from forum.units.models import UnitTag
from tests.conftest import (
    GUEST,
    app_context,
    count,
    get,
    make_user,
    opening_of,
    room_of,
    run,
    update,
)
from tests.drafts.conftest import area_id, complete_fields, tag_thread, unit_id


def test_promotion_prefills_the_draft_from_the_thread(thread, piotr, anna, promoted):
    opening = opening_of(thread.id)
    draft = get(Draft, promoted.id)
    assert draft.title == "Skwer przy Lipowej" and draft.description == opening.body_source
    assert draft.source_thread_id == thread.id and draft.status == "draft" and draft.version == 1
    assert draft.area_id == room_of("XIII").area_id and draft.kind == "district"
    assert count(DraftSourcePost, DraftSourcePost.draft_id == draft.id) == 1
    revision = get(DraftRevision, 1)
    assert revision.content["title"] == "Skwer przy Lipowej" and "Skwer" in revision.note


def test_the_threads_author_is_first_author_and_told(thread, piotr, anna, promoted):
    with app_context():
        authors = db.session.scalars(
            db.select(DraftAuthor).where(DraftAuthor.draft_id == promoted.id)
        ).all()
        assert {(a.user_id, a.role) for a in authors} == {
            (anna.id, "author"),
            (piotr.id, "coauthor"),
        }
        assert all(a.accepted_at is not None for a in authors)
        [told] = db.session.scalars(
            db.select(Notification).where(Notification.kind == "thread_promoted")
        ).all()
    assert (told.user_id, told.draft_id, told.thread_id) == (anna.id, promoted.id, thread.id)


def test_promotion_keeps_the_threads_unit_tags(thread, piotr):
    tag_thread(thread.id, "ZZM", piotr)
    tag_thread(thread.id, "ZDMK", piotr)
    draft = run(promotion.promote_thread, piotr, thread.id)
    with app_context():
        units = db.session.scalars(
            db.select(UnitTag.unit_id).where(UnitTag.draft_id == draft.id)
        ).all()
    assert sorted(units) == sorted([unit_id("ZZM"), unit_id("ZDMK")])


def test_a_thread_becomes_one_draft(thread, piotr, promoted):
    with pytest.raises(Conflict) as refused:
        run(promotion.promote_thread, piotr, thread.id)
    assert refused.value.code == "already_promoted"
    assert count(Draft) == 1


@pytest.mark.parametrize("who", ["author", "resident", "other_ambassador", "guest"])
def test_only_the_areas_ambassadors_and_admins_promote(thread, anna, who):
    user = {
        "author": anna,
        "resident": make_user("Jan"),
        "other_ambassador": make_user("Ola", role="ambassador", scope="I"),
        "guest": GUEST,
    }[who]
    with pytest.raises((Forbidden, NotAuthenticated)):
        run(promotion.promote_thread, user, thread.id)
    assert count(Draft) == 0


def test_an_admin_promotes_too(thread, admin):
    assert run(promotion.promote_thread, admin, thread.id).source_thread_id == thread.id


def test_cited_posts_must_be_the_threads_and_shown(thread, anna, piotr, jan):
    other = run(discussion.create_thread, jan, room_of("XIII").id, "Inny wątek", "Treść")
    hidden = run(discussion.create_reply, jan, thread.id, "Spam")
    run(moderation.hide_post, piotr, hidden.id, "Reklama bez związku z tematem.")
    for post_id in (opening_of(other.id).id, hidden.id, 987654):
        with pytest.raises(ValidationError) as refused:
            run(promotion.promote_thread, piotr, thread.id, source_post_ids=(post_id,))
        assert "source_post_ids" in refused.value.fields
    assert count(Draft) == 0


def test_a_promotion_request_tells_the_areas_ambassadors_once(thread, anna, piotr):
    district_ambassador = make_user("Ola", role="ambassador", scope="XIII")
    make_user("Elsewhere", role="ambassador", scope="I")
    assert run(promotion.request_promotion, anna, thread.id) == 2
    assert run(promotion.request_promotion, anna, thread.id) == 0  # still unread: not again
    with app_context():
        told = db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "promotion_requested")
        ).all()
    assert sorted(told) == sorted([piotr.id, district_ambassador.id])


def test_without_ambassadors_the_request_goes_to_the_coordinators(thread, anna, admin):
    assert run(promotion.request_promotion, anna, thread.id) == 1
    assert count(Notification, Notification.user_id == admin.id) == 1


def test_only_the_threads_author_asks_for_promotion(thread, jan, piotr):
    with pytest.raises(Forbidden):
        run(promotion.request_promotion, jan, thread.id)
    assert count(Notification) == 0


def test_a_promoted_thread_cannot_be_asked_for(thread, anna, promoted):
    with pytest.raises(Conflict) as refused:
        run(promotion.request_promotion, anna, thread.id)
    assert refused.value.code == "already_promoted"


def test_a_resident_starts_a_draft_of_their_own(anna):
    draft = run(editing.start_own_draft, anna, area_id("city"), {"title": "Rowery miejskie"})
    stored = get(Draft, draft.id)
    assert stored.kind == "city" and stored.source_thread_id is None
    assert stored.created_by_id == anna.id and stored.title == "Rowery miejskie"


@pytest.mark.parametrize(
    ("area", "title", "field"),
    [(None, "Tytuł", "area_id"), (987654, "Tytuł", "area_id"), ("district", " ", "title")],
)
def test_starting_a_draft_needs_an_area_and_a_title(anna, area, title, field):
    area = area_id() if area == "district" else area
    with pytest.raises(ValidationError) as refused:
        run(editing.start_own_draft, anna, area, {"title": title})
    assert field in refused.value.fields
    assert count(Draft) == 0


def test_a_guest_cannot_start_a_draft(app):
    with pytest.raises(NotAuthenticated):
        run(editing.start_own_draft, GUEST, area_id(), {"title": "Tytuł"})


def test_starting_over_the_allocation_is_refused(anna):
    fields = {"title": "Drogo", "cost_items": [{"item": "Most", "amount": 9_000_000}]}
    with pytest.raises(ValidationError) as refused:
        run(editing.start_own_draft, anna, area_id(), fields)
    assert refused.value.code == "over_cost_cap"
    assert count(Draft) == 0


def test_a_save_keeps_only_what_changed_as_a_new_revision(anna, own_draft):
    revision = run(editing.edit_draft, anna, own_draft.id, complete_fields(), 1, "Wszystko")
    assert revision.number == 2 and revision.note == "Wszystko"
    assert get(Draft, own_draft.id).version == 2
    # The same words again change nothing: no revision.
    assert run(editing.edit_draft, anna, own_draft.id, complete_fields(), 2) is None
    assert count(DraftRevision) == 2


def test_a_save_on_an_old_revision_is_a_conflict_that_keeps_both_texts(anna, own_draft):
    run(editing.edit_draft, anna, own_draft.id, {"title": "Ławki i stoły"}, 1)
    with pytest.raises(VersionConflict) as conflict:
        run(editing.edit_draft, anna, own_draft.id, {"title": "Ławki przy rzece"}, 1)
    answer = conflict.value.to_dict()["error"]
    assert answer["code"] == "version_conflict"
    assert answer["conflict"]["current_version"] == 2
    assert answer["conflict"]["current"]["title"] == "Ławki i stoły"
    assert answer["conflict"]["yours"]["title"] == "Ławki przy rzece"
    assert get(Draft, own_draft.id).title == "Ławki i stoły" and count(DraftRevision) == 2


def test_a_non_author_cannot_save(jan, own_draft):
    with pytest.raises(Forbidden) as refused:
        run(editing.edit_draft, jan, own_draft.id, {"title": "Moje"}, 1)
    assert refused.value.code == "not_draft_author"


def test_a_closed_draft_cannot_be_saved(anna, own_draft):
    update(Draft, own_draft.id, status="ready")
    with pytest.raises(Conflict) as refused:
        run(editing.edit_draft, anna, own_draft.id, {"title": "Później"}, 1)
    assert refused.value.code == "draft_closed"


def test_bad_fields_are_named(anna, own_draft):
    with pytest.raises(ValidationError) as refused:
        run(
            editing.edit_draft,
            anna,
            own_draft.id,
            {"cost_items": [{"item": "X", "amount": 0}], "category_id": 987654, "colour": "red"},
            1,
        )
    assert set(refused.value.fields) == {"cost_items", "category_id", "colour"}
    assert count(DraftRevision) == 1


def test_the_demo_has_a_promoted_complete_draft_and_one_just_started(app):
    from forum.demo import seed_demo_data
    from forum.drafts.rules import missing
    from forum.transactions import transaction

    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        # The first two are this part's; the other parts' demo drafts come after them.
        drafts = db.session.scalars(db.select(Draft).order_by(Draft.id)).all()[:2]
        assert [d.source_thread_id is not None for d in drafts] == [True, False]
        assert missing(drafts[0]) == {} and drafts[0].version == 2
        assert [tag.unit.code for tag in drafts[0].unit_tags] == ["ZZM"]  # kept from the thread
        assert "category_id" in missing(drafts[1])


def test_a_draft_in_review_keeps_what_bo_requires(anna, piotr):
    from forum.drafts import status
    from forum.transactions import transaction

    draft_id = run(editing.start_own_draft, anna, area_id(), {"title": "Ławki"}).id
    run(editing.edit_draft, anna, draft_id, complete_fields(), 1)
    with app_context(), transaction():
        db.session.add(UnitTag(unit_id=unit_id("ZZM"), draft_id=draft_id, tagged_by_id=piotr.id))
    run(status.move, anna, draft_id, "in_review")
    with pytest.raises(ValidationError) as refused:
        run(editing.edit_draft, anna, draft_id, {"justification": ""}, 2)
    assert refused.value.code == "draft_incomplete" and "justification" in refused.value.fields
    run(editing.edit_draft, anna, draft_id, {"justification": "Bo brakuje ławek."}, 2)
    with app_context():
        assert db.session.get(Draft, draft_id).justification == "Bo brakuje ławek."
