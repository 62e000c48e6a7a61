"""A thread of Anna's in XIII Podgórze, the people who may tag it or not, and the experts of
ZZM and ZDMK."""

import pytest
from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.discussion import services as discussion
from forum.extensions import db
from tests.api.conftest import api  # noqa: F401  (the client checked against the document)
from tests.conftest import PASSWORD, app_context, make_user, run


def unit_id(code: str) -> int:
    with app_context():
        return db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))


def logged_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


@pytest.fixture
def zzm(app):
    return unit_id("ZZM")


@pytest.fixture
def zdmk(app):
    return unit_id("ZDMK")


@pytest.fixture
def piotr(app):
    """An ambassador of XIII Podgórze."""
    return make_user("Piotr", role="ambassador", scope="XIII")


@pytest.fixture
def marek(app):
    """An ambassador of I Stare Miasto."""
    return make_user("Marek", role="ambassador", scope="I")


@pytest.fixture
def ewa(app):
    return make_user("Ewa", role="expert", scope="ZZM")


@pytest.fixture
def olga(app):
    """Ewa's colleague at ZZM."""
    return make_user("Olga", role="expert", scope="ZZM")


@pytest.fixture
def zenon(app):
    """An expert of ZDMK."""
    return make_user("Zenon", role="expert", scope="ZDMK")


@pytest.fixture
def admin(app):
    return make_user("Koordynatorka", role="admin")


@pytest.fixture
def tagged(thread, anna, zzm, run_tag):
    """Anna's thread, tagged for ZZM by Anna."""
    run_tag(anna, thread.id, [zzm])
    return thread


@pytest.fixture
def run_tag():
    from forum.units import services

    def tag(user, thread_id, unit_ids, **kwargs):
        return run(services.tag_thread, user, thread_id, unit_ids, **kwargs)

    return tag


@pytest.fixture
def expert_reply(tagged, ewa):
    """Ewa's reply in the tagged thread."""
    return run(discussion.create_reply, ewa, tagged.id, "ZZM sprawdzi teren przy Lipowej.")


def start_draft(user, area_number: str = "XIII"):
    """A draft of the user's in a district, as a promotion or a resident's own start makes it."""
    from forum.areas.models import Area
    from forum.drafts import services as drafts

    def start(actor):
        area = db.session.scalar(
            select(Area).where(Area.kind == "district", Area.number == area_number)
        )
        return drafts.start_draft(actor, area=area, content={"title": "Skwer przy Lipowej"})

    return run(start, user)


@pytest.fixture
def draft(anna):
    """Anna's draft in XIII Podgórze."""
    return start_draft(anna)
