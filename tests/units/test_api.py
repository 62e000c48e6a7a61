"""The units' API: every answer is checked against the OpenAPI document (tests/api)."""

from forum.discussion import services as discussion
from forum.units import services
from forum.units.models import OfficialAnswer, UnitTag
from tests.api.conftest import count
from tests.conftest import get, run


def test_units_are_listed_with_the_viewers_access(api, ewa, zzm, zdmk):
    units = {u["id"]: u for u in api.get("/api/v1/units").get_json()["units"]}
    assert units[zzm]["code"] == "ZZM" and not units[zzm]["can_read_queue"]
    api.login(ewa)
    units = {u["id"]: u for u in api.get("/api/v1/units").get_json()["units"]}
    assert units[zzm]["can_read_queue"] and not units[zdmk]["can_read_queue"]


def test_tag_a_thread_and_untag_it(api, thread, anna, zzm, zdmk):
    api.login(anna)
    answer = api.post(f"/api/v1/threads/{thread.id}/units", json={"unit_ids": [zzm, zdmk]})
    assert answer.status_code == 200
    body = answer.get_json()
    assert [u["code"] for u in body["units"]] == ["ZZM", "ZDMK"] and body["can_tag"]
    gone = api.delete(f"/api/v1/threads/{thread.id}/units/{zzm}")
    assert [u["code"] for u in gone.get_json()["units"]] == ["ZDMK"]
    assert api.delete(f"/api/v1/threads/{thread.id}/units/{zzm}").status_code == 404
    seen = api.get(f"/api/v1/threads/{thread.id}/units").get_json()
    assert [u["code"] for u in seen["units"]] == ["ZDMK"]


def test_unknown_units_are_a_422_naming_the_field(api, thread, anna, zzm):
    api.login(anna)
    refused = api.post(f"/api/v1/threads/{thread.id}/units", json={"unit_ids": [zzm, 424242]})
    assert refused.status_code == 422
    assert "424242" in refused.get_json()["error"]["fields"]["unit_ids"]
    assert count(UnitTag) == 0
    empty = api.post(f"/api/v1/threads/{thread.id}/units", json={"unit_ids": []})
    assert empty.status_code == 422 and "unit_ids" in empty.get_json()["error"]["fields"]
    wrong = api.post(f"/api/v1/threads/{thread.id}/units", json={"unit_ids": ["1"]})
    assert wrong.status_code == 422


def test_who_may_not_tag(api, thread, jan, zzm):
    url = f"/api/v1/threads/{thread.id}/units"
    assert api.post(url, json={"unit_ids": [zzm]}).status_code == 401
    api.login(jan)
    assert api.post(url, json={"unit_ids": [zzm]}).status_code == 403
    assert api.post("/api/v1/threads/999/units", json={"unit_ids": [zzm]}).status_code == 404
    assert count(UnitTag) == 0


def test_the_queue_and_claims(api, tagged, ewa, olga, jan, zzm):
    api.login(jan)
    assert api.get(f"/api/v1/units/{zzm}/queue").status_code == 403
    api.login(ewa)
    queue = api.get(f"/api/v1/units/{zzm}/queue").get_json()
    assert queue["stream"] == f"unit:{zzm}" and queue["last_seq"] == 1
    [item] = queue["items"]
    assert item["thread"]["id"] == tagged.id and item["claimed_by"] is None
    claimed = api.post(f"/api/v1/queue-items/{item['id']}/claim", json={})
    assert claimed.get_json()["item"]["claimed_by"]["id"] == ewa.id
    api.login(olga)
    taken = api.post(f"/api/v1/queue-items/{item['id']}/claim", json={})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "already_claimed"
    refused = api.delete(f"/api/v1/queue-items/{item['id']}/claim")
    assert refused.status_code == 409
    api.login(ewa)
    back = api.delete(f"/api/v1/queue-items/{item['id']}/claim")
    assert back.get_json()["item"]["claimed_by"] is None
    assert api.post("/api/v1/queue-items/999/claim", json={}).status_code == 404


def test_official_answers(api, expert_reply, ewa, zenon, zzm):
    api.login(zenon)
    refused = api.post(f"/api/v1/posts/{expert_reply.id}/official", json={})
    assert refused.status_code == 403
    api.login(ewa)
    marked = api.post(f"/api/v1/posts/{expert_reply.id}/official", json={"unit_id": zzm})
    assert marked.status_code == 200
    assert marked.get_json()["answer"]["unit"]["code"] == "ZZM"
    thread_id = expert_reply.thread_id
    units = api.get(f"/api/v1/threads/{thread_id}/units").get_json()
    assert [a["post"]["id"] for a in units["official_answers"]] == [expert_reply.id]
    removed = api.delete(f"/api/v1/threads/{thread_id}/official-answers/{zzm}")
    assert removed.get_json()["official_answers"] == []
    assert count(OfficialAnswer) == 0


def test_a_residents_reply_is_a_409(api, tagged, jan, ewa):
    reply = run(discussion.create_reply, jan, tagged.id, "Ja też tak myślę.")
    api.login(ewa)
    refused = api.post(f"/api/v1/posts/{reply.id}/official", json={})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "not_expert_answer"


def test_drafts_are_tagged_too(api, draft, anna, jan, zzm, zdmk):
    api.login(anna)
    tagged = api.post(f"/api/v1/drafts/{draft.id}/units", json={"unit_ids": [zzm, zdmk]})
    assert [u["code"] for u in tagged.get_json()["units"]] == ["ZZM", "ZDMK"]
    untagged = api.delete(f"/api/v1/drafts/{draft.id}/units/{zdmk}")
    assert [u["code"] for u in untagged.get_json()["units"]] == ["ZZM"]
    seen = api.get(f"/api/v1/drafts/{draft.id}/units").get_json()
    assert [u["code"] for u in seen["units"]] == ["ZZM"]
    api.login(jan)
    refused = api.post(f"/api/v1/drafts/{draft.id}/units", json={"unit_ids": [zdmk]})
    assert refused.status_code == 403
    assert get(UnitTag, 1).draft_id == draft.id


def test_the_queue_comes_in_pages(api, thread, anna, ewa, zzm):
    from forum.discussion import services as discussion
    from tests.conftest import room_of

    other = run(discussion.create_thread, anna, room_of("XIII").id, "Drugi wątek", "Treść")
    for thread_id in (thread.id, other.id):
        run(services.tag_thread, anna, thread_id, [zzm])
    api.login(ewa)
    first = api.get(f"/api/v1/units/{zzm}/queue?per_page=1").get_json()
    second = api.get(f"/api/v1/units/{zzm}/queue?per_page=1&page=2").get_json()
    assert first["meta"]["total"] == 2 and first["waiting"] == 2
    assert [first["items"][0]["thread"]["id"], second["items"][0]["thread"]["id"]] == [
        thread.id,
        other.id,
    ]
    assert api.get(f"/api/v1/units/{zzm}/queue?page=0").status_code == 422
