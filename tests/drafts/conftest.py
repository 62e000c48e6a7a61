"""People, threads and drafts the draft tests share (the history and co-author tests start and
save theirs through the services)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.areas.models import Area
from forum.budget.models import Category
from forum.drafts import editing, promotion, services
from forum.drafts.models import Draft
from forum.extensions import db
from forum.transactions import transaction
from forum.units.models import UnitTag
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import PASSWORD, actor, app_context, district, make_user, opening_of, run

SHORT = "Skwer z ławkami i drzewami przy ul. Lipowej, dostępny dla wszystkich mieszkańców."


@pytest.fixture
def piotr(app):
    """An ambassador of XIII Podgórze."""
    return make_user("Piotr", role="ambassador", scope="XIII")


@pytest.fixture
def admin(app):
    return make_user("Admin", role="admin")


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def area_id(kind: str = "district", number: str = "XIII") -> int:
    with app_context():
        query = select(Area.id).where(Area.kind == kind)
        if kind == "district":
            query = query.where(Area.number == number)
        return db.session.scalar(query)


def category_id() -> int:
    with app_context():
        return db.session.scalar(select(Category.id).order_by(Category.position))


def unit_id(code: str) -> int:
    with app_context():
        return db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))


def tag_thread(thread_id: int, code: str, by) -> None:
    """Tag a thread for a unit, as part A's service would (a queue item)."""
    with app_context(), transaction():
        db.session.add(UnitTag(unit_id=unit_id(code), thread_id=thread_id, tagged_by_id=by.id))


def complete_fields() -> dict:
    """Every BO field filled in, within the district's allocation."""
    return {
        "title": "Zielony skwer przy Lipowej",
        "short_description": SHORT,
        "category_id": category_id(),
        "locations": ["ul. Lipowa 4, działka 12/3"],
        "description": "Nasadzenia, ławki, kosze.",
        "justification": "Brakuje zieleni.",
        "beneficiaries": "Mieszkańcy Zabłocia.",
        "cost_items": [{"item": "Drzewa", "amount": 40_000}, {"item": "Ławki", "amount": 12_000}],
        "deliverable_in_year": True,
    }


@pytest.fixture
def own_draft(anna):
    """Anna's own draft in XIII Podgórze, revision 1."""
    return run(editing.start_own_draft, anna, area_id(), {"title": "Ławki na Zabłociu"})


@pytest.fixture
def promoted(thread, piotr):
    """Anna's thread, promoted by Piotr citing its opening post."""
    opening = opening_of(thread.id)
    return run(promotion.promote_thread, piotr, thread.id, source_post_ids=(opening.id,))


def start(user, number: str = "XIII", **content) -> int:
    """A draft of the user's in a district (revision 1); its id."""
    with app_context(), transaction():
        area = db.session.get(type(district(number)), district(number).id)
        return services.start_draft(actor(user), area=area, content=content).id


def save(user, draft_id: int, note: str = "", **changes) -> int:
    """Save changes as the user, based on the current revision; the new revision's number."""
    with app_context(), transaction():
        draft = services.load_draft(draft_id)
        return services.save(draft, actor(user), changes, draft.version, note).number


def draft_of(draft_id: int) -> Draft:
    with app_context():
        draft = db.session.get(Draft, draft_id)
        draft.authors  # noqa: B018  (loaded while the session lasts)
        return draft


@pytest.fixture
def draft_id(anna) -> int:
    """Anna's draft in XIII Podgórze, with a title."""
    return start(anna, title="Skwer przy Lipowej")
