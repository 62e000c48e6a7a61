"""Drafts with content, unit tags and reviews, made directly as a test's setup."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.budget.models import Category
from forum.drafts.models import Draft
from forum.extensions import db
from forum.reviews.models import ProposedChange, Review
from forum.transactions import transaction
from forum.units.models import UnitTag
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import app_context, make_user
from tests.supports.conftest import city_slug, new_draft

COMPLETE = {
    "short_description": "Sześć ławek z oparciami i dwa stoły do gry w szachy na skwerze przy "
    "ulicy Lipowej, w cieniu istniejących lip.",
    "locations": ['=HYPERLINK("http://evil")', "Skwer przy ul. Lipowej"],
    "description": "Ławki z drewna dębowego.\nStoły z blatem z planszą.",
    "justification": "Na Zabłociu brakuje miejsc do odpoczynku.",
    "beneficiaries": "Mieszkańcy Zabłocia, seniorzy.",
    "cost_items": [{"item": "Ławki", "amount": 60000}, {"item": "Stoły", "amount": 30000}],
    "deliverable_in_year": True,
}


def unit_id(code: str) -> int:
    with app_context():
        return db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))


def complete(draft_id: int, **values) -> None:
    with app_context(), transaction():
        draft = db.session.get(Draft, draft_id)
        draft.category_id = db.session.scalar(select(Category.id).limit(1))
        for name, value in {**COMPLETE, **values}.items():
            setattr(draft, name, value)


def tag(draft_id: int, code: str, by) -> None:
    with app_context(), transaction():
        db.session.add(UnitTag(unit_id=unit_id(code), draft_id=draft_id, tagged_by_id=by.id))


def review(draft_id: int, code: str, expert, **values) -> int:
    with app_context(), transaction():
        row = Review(
            draft_id=draft_id,
            unit_id=unit_id(code),
            revision_number=1,
            author_id=expert.id,
            opinion=values.pop("opinion", "needs_changes"),
            site_city_owned=True,
            within_cost_cap=None,
            body=values.pop("body", "Proszę dopisać stoły."),
            **values,
        )
        row.changes.append(ProposedChange(draft_id=draft_id, field="title", value="Ławki"))
        db.session.add(row)
        db.session.flush()
        return row.id


@pytest.fixture
def people(app):
    return {
        "author": make_user("Autorka"),
        "expert": make_user("Ewa", role="expert", scope="ZZM"),
        "admin": make_user("Koordynatorka", role="admin"),
        "resident": make_user("Ola"),
    }


@pytest.fixture
def drafts(people):
    """Three drafts: Zabłocie's (complete, tagged ZZM, reviewed), XIII's, and a city-wide one."""
    author = people["author"]
    ids = {
        "zablocie": new_draft(author, "zablocie", "Ławki na Zabłociu"),
        "podgorze": new_draft(author, "xiii-podgorze", "Zieleń przy Limanowskiego"),
        "city": new_draft(author, city_slug(), "Rowery miejskie"),
    }
    complete(ids["zablocie"])
    tag(ids["zablocie"], "ZZM", author)
    review(ids["zablocie"], "ZZM", people["expert"])
    return ids


@pytest.fixture(autouse=True)
def english(request):
    """Pages in English, so the tests read the source strings (Polish is the default)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").set_cookie("lang", "en")
