"""The district list and the area tree."""

import re

from sqlalchemy import func, select

from forum.areas import krakow
from forum.areas.models import Area, Room
from forum.areas.services import seed_reference_data
from forum.discussion import services
from forum.extensions import db
from forum.transactions import transaction
from tests.conftest import app_context, make_user, room_of, run


def test_home_page_lists_the_18_districts_in_order(client):
    page = client.get("/").text
    headings = re.findall(r"<h3><a href=\"/areas/\d+\">([^<]+)</a></h3>", page)
    assert len(headings) == 18
    assert headings[0] == "I Stare Miasto"
    assert headings[12] == "XIII Podgórze"
    assert headings[-1] == "XVIII Nowa Huta"


def test_home_page_lists_city_workshops_and_subarea_rooms(client):
    page = client.get("/").text
    for name, _description in krakow.CITY_ROOMS:
        assert name in page
    assert "Zabłocie" in page


def test_home_page_shows_room_activity(client):
    author = make_user("Anna")
    thread = run(services.create_thread, author, room_of("XIII").id, "Wątek", "treść")
    run(services.create_reply, author, thread.id, "odpowiedź")
    page = client.get("/").text
    podgorze = page[page.index("XIII Podgórze</a>") :]
    assert "1 thread" in podgorze[:400] or "1 wątek" in podgorze[:400]
    assert "2 posts" in podgorze[:400] or "2 wpisy" in podgorze[:400]


def test_tree_paths_reflect_ancestry(app):
    with app_context():
        zablocie = db.session.scalars(select(Area).where(Area.slug == "zablocie")).one()
        podgorze = zablocie.parent
        assert podgorze.number == "XIII" and podgorze.parent.kind == "city"
        assert zablocie.is_within(podgorze.id) and zablocie.is_within(podgorze.parent.id)
        assert not podgorze.is_within(zablocie.id)


def test_every_district_has_a_room_and_city_rooms_are_city_track(app):
    with app_context():
        districts = db.session.scalars(select(Area).where(Area.kind == "district")).all()
        assert all(district.rooms for district in districts)
        city_rooms = db.session.scalars(select(Room).where(Room.track == "city")).all()
        assert len(city_rooms) == 3 and all(room.area.kind == "city" for room in city_rooms)


def test_seeding_reference_data_twice_adds_nothing(app):
    with app_context(), transaction():
        areas = db.session.scalar(select(func.count(Area.id)))
        assert seed_reference_data() is False
        assert db.session.scalar(select(func.count(Area.id))) == areas


def test_slugify_polish():
    assert krakow.slugify("XVII Wzgórza Krzesławickie") == "xvii-wzgorza-krzeslawickie"
    assert krakow.slugify("Łagiewniki-Borek Fałęcki") == "lagiewniki-borek-falecki"
