"""The series' pipeline: each need with the ideas that answer it, each idea with the draft it
became and each unit's review of it, the units' official answers, and what is still waiting."""

from __future__ import annotations

from sqlalchemy import select

from forum.budget.models import Category
from forum.discussion import services as discussion
from forum.drafts import editing, promotion, status
from forum.extensions import db
from forum.reviews import services as reviews
from forum.units import services as units
from forum.workshops import services
from forum.workshops.models import WorkshopItem
from tests.conftest import actor, app_context, get, make_user, opening_of, run
from tests.workshops.conftest import add

CONTENT = {
    "title": "Drzewa przy piaskownicach",
    "short_description": "Dwadzieścia drzew przy piaskownicach miejskich placów zabaw, by dzieci "
    "bawiły się latem w cieniu, a nie w pełnym słońcu.",
    "locations": ["Place zabaw w parkach miejskich"],
    "description": "Nasadzenia drzew o szerokich koronach przy piaskownicach.",
    "justification": "Latem place zabaw nagrzewają się i stoją puste.",
    "beneficiaries": "Dzieci i ich opiekunowie.",
    "cost_items": [{"item": "Drzewa z nasadzeniem i pielęgnacją", "amount": 200_000}],
    "deliverable_in_year": True,
}


def pipeline_of(viewer, series_id: int) -> services.Pipeline:
    series = services.load_series(series_id)
    return services.pipeline(actor(viewer), series)


def test_the_pipeline_follows_a_need_to_a_reviewed_draft(admin, series, ola, ewa):
    shade = add(ola, series, 1, "Cień na placach zabaw")
    water = add(ola, series, 1, "Woda pitna w parkach")
    jan = make_user("Jan")
    trees = add(jan, series, 2, "Drzewa przy piaskownicach", need_ids=[shade])
    lone = add(jan, series, 2, "Mapa placów zabaw")
    # ZZM answers the need officially in its thread.
    need_thread = get(WorkshopItem, shade).thread_id
    run(units.tag_thread, ola, need_thread, [1])
    answer = run(discussion.create_reply, ewa, need_thread, "ZZM sprawdzi nasadzenia.")
    run(units.mark_official, ewa, answer.id)
    # Workshop 3: the idea becomes a draft, sent for review, reviewed by ZZM.
    idea_thread = get(WorkshopItem, trees).thread_id
    draft = run(
        promotion.promote_thread, admin, idea_thread, source_post_ids=(opening_of(idea_thread).id,)
    )
    with app_context():
        greenery = db.session.scalar(select(Category.id).where(Category.code == "greenery"))
    run(editing.edit_draft, jan, draft.id, {**CONTENT, "category_id": greenery}, 1)
    run(units.tag_draft, jan, draft.id, [1])
    run(status.move, jan, draft.id, "in_review")
    run(reviews.add_review, ewa, draft.id, opinion="positive", body="Dobre miejsca.")

    with app_context():
        pipeline = pipeline_of(make_user("Gość"), series)
        assert [line.id for line in pipeline.needs] == [water, shade]  # newest first
        assert [line.id for line in pipeline.ideas] == [lone, trees]
        assert [line.id for line in pipeline.ideas_for(pipeline.by_id()[shade])] == [trees]
        assert [line.id for line in pipeline.waiting_needs] == [water]
        assert [line.id for line in pipeline.lone_ideas] == [lone]
        assert [unit.code for unit in pipeline.by_id()[shade].official] == ["ZZM"]
        idea = pipeline.by_id()[trees]
        assert idea.draft.id == draft.id and idea.draft.status == "in_review"
        assert [(r.unit.code, r.review.opinion, r.current) for r in idea.reviews] == [
            ("ZZM", "positive", True)
        ]
        assert [line.id for line in pipeline.drafts] == [trees]
        assert services.item_counts([series])[series] == {"need": 2, "idea": 2, "draft": 1}


def test_a_deleted_thread_leaves_the_pipeline_with_its_links(series, ola):
    shade = add(ola, series, 1, "Cień")
    idea = add(ola, series, 2, "Drzewa", need_ids=[shade])
    run(discussion.delete_post, ola, opening_of(get(WorkshopItem, shade).thread_id).id)
    with app_context():
        pipeline = pipeline_of(ola, series)
        assert pipeline.needs == []
        assert [line.id for line in pipeline.lone_ideas] == [idea]
        assert services.item_counts([series])[series]["need"] == 0
