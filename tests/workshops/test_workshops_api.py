"""The workshop API: every answer checked against the OpenAPI document (the `api` client)."""

from __future__ import annotations

from datetime import timedelta

from forum.discussion import services as discussion
from forum.extensions import utcnow
from forum.workshops.models import IdeaNeed, WorkshopItem, WorkshopSeries
from tests.conftest import count, run
from tests.workshops.conftest import add, stages
from tests.workshops.test_items import stage_room


def test_anyone_reads_the_series_and_its_pipeline(api, series, ola):
    need = add(ola, series, 1, "Cień")
    idea = add(ola, series, 2, "Drzewa", need_ids=[need])
    listed = api.get("/api/v1/workshops").get_json()["series"]
    assert [(s["id"], s["needs"], s["ideas"]) for s in listed] == [(series, 1, 1)]
    assert [s["kind"] for s in listed[0]["stages"]] == ["needs", "ideas", "proposals"]
    detail = api.get(f"/api/v1/workshops/{series}").get_json()
    assert [(n["id"], n["answered_by"]) for n in detail["needs"]] == [(need, [idea])]
    assert [(i["id"], i["answers"], i["draft"]) for i in detail["ideas"]] == [(idea, [need], None)]
    assert api.get("/api/v1/workshops/999").status_code == 404


def test_an_admin_creates_a_series(api, admin, ola):
    body = {"title": "Warsztaty", "stages": stages(utcnow() + timedelta(days=4))}
    api.login(ola)
    assert api.post("/api/v1/workshops", json=body).status_code == 403
    api.login(admin)
    created = api.post("/api/v1/workshops", json=body)
    assert created.status_code == 201
    assert created.get_json()["series"]["stages"][0]["meeting"]["host"]["id"] == admin.id
    body["stages"] = stages(utcnow() + timedelta(days=60))
    body["stages"][1]["starts_at"] = body["stages"][0]["starts_at"]
    refused = api.post("/api/v1/workshops", json=body)
    assert refused.status_code == 422
    assert "stages.1.starts_at" in refused.get_json()["error"]["fields"]
    body["stages"] = stages(utcnow() + timedelta(days=4))  # the same times as the first
    refused = api.post("/api/v1/workshops", json=body)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "meeting_overlaps"
    later = stages(utcnow() + timedelta(days=90))
    unknown = api.post(
        "/api/v1/workshops", json={**body, "stages": later, "invited_unit_ids": [999]}
    )
    assert unknown.status_code == 422
    assert "invited_unit_ids" in unknown.get_json()["error"]["fields"]
    too_few = api.post("/api/v1/workshops", json={**body, "stages": body["stages"][:2]})
    assert too_few.status_code == 422
    assert count(WorkshopSeries) == 1


def test_needs_and_ideas_through_the_api(api, admin, series, ola):
    assert (
        api.post(
            f"/api/v1/workshops/{series}/stages/1/threads", json={"title": "Cień", "body": "Brak."}
        ).status_code
        == 401
    )
    api.login(ola)
    need = api.post(
        f"/api/v1/workshops/{series}/stages/1/threads", json={"title": "Cień", "body": "Brak."}
    )
    assert need.status_code == 201 and need.get_json()["item"]["kind"] == "need"
    need_id = need.get_json()["item"]["id"]
    third = api.post(
        f"/api/v1/workshops/{series}/stages/3/threads", json={"title": "Wniosek", "body": "…"}
    )
    assert third.status_code == 409 and third.get_json()["error"]["code"] == "stage_takes_no_items"
    idea = api.post(
        f"/api/v1/workshops/{series}/stages/2/threads",
        json={"title": "Drzewa", "body": "Lipy.", "need_ids": [need_id]},
    )
    assert idea.status_code == 201 and idea.get_json()["item"]["answers"] == [need_id]
    idea_id = idea.get_json()["item"]["id"]
    linked = api.put(f"/api/v1/workshop-items/{idea_id}/needs", json={"need_ids": []})
    assert linked.status_code == 200 and linked.get_json()["item"]["answers"] == []
    wrong = api.put(f"/api/v1/workshop-items/{need_id}/needs", json={"need_ids": []})
    assert wrong.status_code == 409 and wrong.get_json()["error"]["code"] == "not_an_idea"
    thread = run(discussion.create_thread, ola, stage_room(series, 1), "Ławki", "W cieniu.")
    assert (
        api.post(
            f"/api/v1/workshops/{series}/stages/1/items", json={"thread_id": thread.id}
        ).status_code
        == 403
    )
    assert api.delete(f"/api/v1/workshop-items/{need_id}").status_code == 403
    api.login(admin)
    marked = api.post(f"/api/v1/workshops/{series}/stages/1/items", json={"thread_id": thread.id})
    assert marked.status_code == 201 and marked.get_json()["item"]["marked_by"]["id"] == admin.id
    elsewhere = api.post(
        f"/api/v1/workshops/{series}/stages/2/items", json={"thread_id": thread.id}
    )
    assert elsewhere.status_code == 422
    assert api.delete(f"/api/v1/workshop-items/{need_id}").status_code == 204
    assert api.delete(f"/api/v1/workshop-items/{need_id}").status_code == 404
    assert count(WorkshopItem) == 2 and count(IdeaNeed) == 0
