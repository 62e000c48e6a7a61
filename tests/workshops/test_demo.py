"""The demo's workshop series: items at every stage, seeded with the rate limits on (as `make
run` does)."""

from __future__ import annotations

from forum.demo import seed_demo_data
from forum.drafts.models import Draft
from forum.extensions import db
from forum.transactions import transaction
from forum.workshops import services
from forum.workshops.models import WorkshopSeries
from tests.conftest import GUEST, app_context


def test_the_demo_series_has_items_at_every_stage(app):
    app.config["RATELIMIT_ENABLED"] = True
    with app_context(), transaction():
        assert seed_demo_data()
    with app_context():
        [series] = db.session.scalars(db.select(WorkshopSeries)).all()
        assert [s.meeting.status() for s in series.stages] == ["ended", "ended", "upcoming"]
        pipeline = services.pipeline(GUEST, series)
        assert len(pipeline.needs) == 4 and len(pipeline.ideas) == 3
        assert pipeline.waiting_needs and pipeline.lone_ideas and pipeline.answered_needs
        [line] = pipeline.drafts
        assert isinstance(line.draft, Draft) and line.draft.status == "in_review"
        assert [(r.unit.code, r.review.opinion) for r in line.reviews] == [("ZZM", "positive")]
        assert [u.code for u in pipeline.needs[-1].official] == ["ZZM"]  # the oldest
    assert app.config["RATELIMIT_ENABLED"] is True
