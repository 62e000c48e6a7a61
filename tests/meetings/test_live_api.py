"""The API of a running meeting: agenda moves, questions and their marks (every answer checked
against the OpenAPI document by the `api` client)."""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.meetings.models import AgendaItem, Meeting, MeetingQuestion
from tests.conftest import app_context, count, get
from tests.meetings.live_helpers import running, zzm


def items(meeting_id: int) -> list[int]:
    with app_context():
        return list(
            db.session.scalars(
                select(AgendaItem.id)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )


def test_the_host_moves_the_agenda(api, piotr, live_meeting):
    api.login(piotr)
    url = f"/api/v1/meetings/{live_meeting}/agenda/current"
    answer = api.post(url, json={"step": "next"})
    assert answer.status_code == 200
    first, second, third = items(live_meeting)
    assert answer.json["current_item_id"] == first and answer.json["status"] == "live"
    answer = api.post(url, json={"item_id": third})
    assert answer.json["current_item_id"] == third
    assert [i["started_at"] is not None for i in answer.json["agenda"]] == [True, False, True]
    answer = api.post(url, json={"step": "next"})
    assert answer.status_code == 409 and answer.json["error"]["code"] == "agenda_end"
    answer = api.post(url, json={"item_id": second, "step": "next"})
    assert answer.status_code == 422
    assert api.post(url, json={}).status_code == 422
    assert api.post(url, json={"item_id": 10**6}).status_code == 404
    assert get(Meeting, live_meeting).current_item_id == third


def test_refused_moves(api, piotr, ola, meeting, live_meeting):
    body = {"step": "next"}
    answer = api.post(f"/api/v1/meetings/{live_meeting}/agenda/current", json=body)
    assert answer.status_code == 401
    api.login(ola)
    answer = api.post(f"/api/v1/meetings/{live_meeting}/agenda/current", json=body)
    assert answer.status_code == 403 and answer.json["error"]["code"] == "not_host"
    api.logout()
    api.login(piotr)
    answer = api.post(f"/api/v1/meetings/{meeting}/agenda/current", json=body)
    assert answer.status_code == 409 and answer.json["error"]["code"] == "meeting_not_live"
    assert "nie zaczęło" in answer.json["error"]["message"]
    for meeting_id in (meeting, live_meeting):
        assert get(Meeting, meeting_id).current_item_id is None


def test_questions_asked_listed_and_marked(api, piotr, ola, ewa):
    meeting_id = running(piotr, invited_unit_ids=[zzm()])
    url = f"/api/v1/meetings/{meeting_id}/questions"
    assert api.post(url, json={"body": "Ile drzew?"}).status_code == 401
    api.login(ola)
    answer = api.post(url, json={"body": "Ile drzew?", "unit_id": zzm()})
    assert answer.status_code == 201
    question = answer.json
    assert question["unit"]["code"] == "ZZM" and question["answered"] is False
    answer = api.post(url, json={"body": "Ile ławek?", "unit_id": zzm() + 100})
    assert answer.status_code == 422 and "unit_id" in answer.json["error"]["fields"]
    assert api.post(url, json={"body": ""}).status_code == 422
    mark = f"/api/v1/meeting-questions/{question['id']}/answered"
    answer = api.put(mark, json={"answered": True})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "not_host"
    listed = api.get(url).json
    assert [q["body"] for q in listed["questions"]] == ["Ile drzew?"]
    assert listed["last_seq"] >= 2
    api.logout()
    api.login(piotr)
    answer = api.put(mark, json={"answered": True})
    assert answer.status_code == 200 and answer.json["answered"] is True
    assert answer.json["answered_at"] is not None
    assert api.put(mark, json={"answered": "yes"}).status_code == 422
    assert (
        api.put("/api/v1/meeting-questions/999999/answered", json={"answered": True}).status_code
        == 404
    )
    assert count(MeetingQuestion) == 1


def test_a_meeting_with_no_experts_takes_no_questions(api, ola, piotr, live_meeting):
    api.login(ola)
    answer = api.post(f"/api/v1/meetings/{live_meeting}/questions", json={"body": "Halo?"})
    assert answer.status_code == 409 and answer.json["error"]["code"] == "no_experts_invited"
    assert api.get("/api/v1/meetings/999999/questions").status_code == 404
