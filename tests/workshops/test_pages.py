"""The workshop pages: the list, a series' page (stages, pipeline, the forms to add needs and
ideas, shown only to those who may use them), creating a series, marking, unmarking, and the
needs an idea answers; without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forum.discussion import services as discussion
from forum.discussion.models import Thread
from forum.extensions import utcnow
from forum.meetings.times import local_input
from forum.workshops.models import IdeaNeed, WorkshopItem, WorkshopSeries
from tests.conftest import count, get, make_user, run
from tests.workshops.conftest import add, create, logged_in
from tests.workshops.test_items import stage_room


def text(response) -> str:
    return response.get_data(as_text=True)


def test_everyone_sees_the_list_and_the_series(client, series, ola):
    add(ola, series, 1, "Cień na placach zabaw")
    page = client.get("/workshops")
    assert page.status_code == 200 and "Warsztaty BO 2027" in text(page)
    assert "/workshops/new" not in text(page)
    page = client.get(f"/workshops/{series}")
    assert page.status_code == 200
    body = text(page)
    assert "Cień na placach zabaw" in body and "/meetings/" in body
    assert 'name="need-title"' not in body  # a guest is asked to log in instead
    assert client.get("/workshops/999").status_code == 404


def test_the_series_page_shows_the_krakow_times(app, admin):
    times = [
        {"starts_at": "2026-10-24T18:00", "ends_at": "2026-10-24T20:00"},
        {"starts_at": "2026-10-25T18:30", "ends_at": "2026-10-25T20:00"},
        {"starts_at": "2026-10-31T18:00", "ends_at": "2026-10-31T20:00"},
    ]
    series_id = create(admin, now=datetime(2026, 10, 1, tzinfo=UTC), stages=times)
    body = text(app.test_client().get(f"/workshops/{series_id}"))
    assert "25 paź 2026, 18:30" in body and "24 paź 2026, 18:00" in body


def test_a_resident_adds_a_need_and_an_idea_from_the_page(app, series, ola):
    client = logged_in(app, ola)
    page = text(client.get(f"/workshops/{series}"))
    assert 'name="need-title"' in page and 'name="idea-title"' in page
    assert f"/workshops/{series}/stages/1/mark" not in page  # not a moderator
    answer = client.post(
        f"/workshops/{series}/stages/1/threads",
        data={"need-title": "Cień na placach", "need-body": "Brakuje drzew."},
    )
    assert answer.status_code == 302 and "/threads/" in answer.location
    need = next(iter(_items()))
    page = text(client.get(f"/workshops/{series}"))
    assert f'id="answers-{need}"' in page
    answer = client.post(
        f"/workshops/{series}/stages/2/threads",
        data={"idea-title": "Drzewa", "idea-body": "Posadźmy lipy.", "need_ids": [str(need)]},
    )
    assert answer.status_code == 302
    assert count(IdeaNeed) == 1


def _items() -> list[int]:
    from forum.extensions import db
    from tests.conftest import app_context

    with app_context():
        return list(db.session.scalars(db.select(WorkshopItem.id).order_by(WorkshopItem.id)))


def test_a_refused_need_keeps_the_words_and_writes_nothing(app, series, ola):
    client = logged_in(app, ola)
    answer = client.post(
        f"/workshops/{series}/stages/1/threads",
        data={"need-title": "x", "need-body": "Moje słowa zostają."},
    )
    assert answer.status_code == 422
    assert "Moje słowa zostają." in text(answer) and 'aria-invalid="true"' in text(answer)
    answer = client.post(
        f"/workshops/{series}/stages/2/threads",
        data={"idea-title": "Pomysł", "idea-body": "Treść", "need_ids": ["77"]},
    )
    assert answer.status_code == 422
    assert count(WorkshopItem) == 0 and count(Thread) == 3  # the three workshops' threads


def test_admins_create_a_series_from_the_form(app, admin, ola):
    assert logged_in(app, ola).get("/workshops/new").status_code == 403
    client = logged_in(app, admin)
    form = client.get("/workshops/new")
    assert form.status_code == 200 and 'type="datetime-local"' in text(form)
    start = utcnow() + timedelta(days=5)
    data = {"edition_id": "1", "title": "Warsztaty", "description": "Opis"}
    for n in (1, 2, 3):
        data[f"stage_{n}_starts_at"] = local_input(start + timedelta(days=7 * (n - 1)))
        data[f"stage_{n}_ends_at"] = local_input(start + timedelta(days=7 * (n - 1), hours=2))
    refused = client.post("/workshops/new", data={**data, "stage_2_starts_at": "jutro"})
    assert refused.status_code == 422
    assert 'id="stage_2_starts_at-error"' in text(refused) and count(WorkshopSeries) == 0
    refused = client.post("/workshops/new", data={**data, "stage_3_room_id": "1"})
    assert refused.status_code == 422 and 'id="stage_3_room_id-error"' in text(refused)
    refused = client.post("/workshops/new", data={**data, "invited_unit_ids": ["1", "999"]})
    assert refused.status_code == 422 and 'id="unit-1" checked' in text(refused)
    created = client.post("/workshops/new", data={**data, "invited_unit_ids": ["1"]})
    assert created.status_code == 302 and count(WorkshopSeries) == 1


def test_moderators_mark_threads_from_the_mark_page(app, admin, series, ola):
    thread = run(discussion.create_thread, ola, stage_room(series, 1), "Ławki", "W cieniu.")
    assert logged_in(app, ola).get(f"/workshops/{series}/stages/1/mark").status_code == 403
    client = logged_in(app, admin)
    assert f"/workshops/{series}/stages/1/mark" in text(client.get(f"/workshops/{series}"))
    page = client.get(f"/workshops/{series}/stages/1/mark")
    assert page.status_code == 200 and "Ławki" in text(page)
    assert client.get(f"/workshops/{series}/stages/3/mark").status_code == 409
    marked = client.post(f"/workshops/{series}/stages/1/mark", data={"thread_id": str(thread.id)})
    assert marked.status_code == 302 and count(WorkshopItem) == 1
    wrong = client.post(f"/workshops/{series}/stages/2/mark", data={"thread_id": str(thread.id)})
    assert wrong.status_code == 422 and count(WorkshopItem) == 1
    item = _items()[0]
    confirm = client.get(f"/workshop-items/{item}/unmark")
    assert confirm.status_code == 200 and '<form method="post">' in text(confirm)
    assert logged_in(app, ola).post(f"/workshop-items/{item}/unmark").status_code == 403
    done = client.post(f"/workshop-items/{item}/unmark")
    assert done.status_code == 302 and count(WorkshopItem) == 0
    assert get(Thread, thread.id) is not None


def test_the_idea_author_chooses_its_needs(app, series, ola):
    shade = add(ola, series, 1, "Cień")
    water = add(ola, series, 1, "Woda")
    jan = make_user("Jan")
    idea = add(jan, series, 2, "Drzewa", need_ids=[shade])
    assert logged_in(app, ola).get(f"/workshop-items/{idea}/needs").status_code == 403
    client = logged_in(app, jan)
    page = client.get(f"/workshop-items/{idea}/needs")
    assert page.status_code == 200
    assert f'value="{shade}" id="need-{shade}" checked' in text(page)
    saved = client.post(f"/workshop-items/{idea}/needs", data={"need_ids": [str(water)]})
    assert saved.status_code == 302 and saved.location.endswith(f"#item-{idea}")
    refused = client.post(f"/workshop-items/{idea}/needs", data={"need_ids": ["999"]})
    assert refused.status_code == 422
    from forum.extensions import db
    from tests.conftest import app_context

    with app_context():
        assert [a.need_id for a in db.session.get(WorkshopItem, idea).answers] == [water]
    assert client.get(f"/workshop-items/{shade}/needs").status_code == 403  # not her need


def test_a_need_thread_and_a_workshop_meeting_link_to_their_series(client, series, ola):
    need = get(WorkshopItem, add(ola, series, 1, "Cień na placach zabaw"))
    page = text(client.get(f"/threads/{need.thread_id}"))
    assert f'href="/workshops/{series}#item-{need.id}"' in page
    from forum.extensions import db
    from tests.conftest import app_context

    with app_context():
        stage = db.session.get(WorkshopSeries, series).stages[1]
        meeting_id, meeting_thread = stage.meeting_id, stage.meeting.thread_id
    page = text(client.get(f"/meetings/{meeting_id}"))
    assert f'href="/workshops/{series}"' in page and "Warsztat 2: pomysły" in page
    assert "/workshops/" not in text(client.get(f"/threads/{meeting_thread}"))
