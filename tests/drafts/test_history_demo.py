"""The demo shows a draft's history and co-authors at once."""

from sqlalchemy import select

from forum.demo import seed_demo_data
from forum.drafts.models import Draft
from forum.extensions import db
from forum.transactions import transaction
from tests.conftest import app_context


def test_the_demo_has_a_draft_with_history_and_co_authors(app, client):
    with app_context(), transaction():
        seed_demo_data()
    with app_context():
        draft = db.session.scalar(select(Draft).where(Draft.title.like("Ławki i zieleń%")))
        places = {(a.user.display_name, a.accepted_at is not None) for a in draft.authors}
        draft_id, version = draft.id, draft.version
    assert version == 3
    assert places == {("Tomasz Wójcik", True), ("Jan Zieliński", True), ("Piotr Kowalski", False)}
    page = client.get(f"/drafts/{draft_id}/compare?old=1&new=3").text
    assert "<ins>" in page and "<del>" in page
