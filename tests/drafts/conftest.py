"""Drafts for the history and co-author tests: started and saved through the services."""

from __future__ import annotations

import pytest

from forum.drafts import services
from forum.drafts.models import Draft
from forum.extensions import db
from forum.transactions import transaction
from tests.api.conftest import api  # noqa: F401  (the API client that checks each answer)
from tests.conftest import actor, app_context, district


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
