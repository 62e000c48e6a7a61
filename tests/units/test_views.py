"""The units' pages: the queue, the tagging form, claiming, marking and taking back answers."""

import re

from forum.discussion import services as discussion
from forum.units.models import OfficialAnswer, UnitTag
from tests.conftest import count, get, run
from tests.units.conftest import logged_in


def test_the_thread_shows_its_units_and_the_authors_link_to_choose_them(app, tagged, anna, jan):
    page = logged_in(app, anna).get(f"/threads/{tagged.id}").get_data(as_text=True)
    assert "tag-unit" in page and f"/threads/{tagged.id}/units" in page
    page = logged_in(app, jan).get(f"/threads/{tagged.id}").get_data(as_text=True)
    assert "tag-unit" in page and f"/threads/{tagged.id}/units" not in page


def test_the_tagging_form_ticks_the_tagged_units_and_saves_the_whole_list(
    app, tagged, anna, zzm, zdmk
):
    client = logged_in(app, anna)
    form = client.get(f"/threads/{tagged.id}/units").get_data(as_text=True)
    assert re.search(rf'value="{zzm}"[^>]*checked|checked[^>]*value="{zzm}"', form)
    answer = client.post(f"/threads/{tagged.id}/units", data={"unit_ids": [str(zdmk)]})
    assert answer.status_code == 302
    assert [t.unit_id for t in [get(UnitTag, 1), get(UnitTag, 2)] if t.removed_at is None] == [zdmk]


def test_an_unknown_unit_shows_the_form_again_with_its_error(app, thread, anna):
    answer = logged_in(app, anna).post(f"/threads/{thread.id}/units", data={"unit_ids": ["999"]})
    assert answer.status_code == 422 and "999" in answer.get_data(as_text=True)
    assert count(UnitTag) == 0


def test_others_do_not_get_the_tagging_form(app, thread, jan):
    assert logged_in(app, jan).get(f"/threads/{thread.id}/units").status_code == 403
    assert app.test_client().get(f"/threads/{thread.id}/units").status_code in (302, 401)


def test_the_queue_page_and_claiming(app, tagged, ewa, olga, zzm):
    client = logged_in(app, ewa)
    page = client.get(f"/units/{zzm}").get_data(as_text=True)
    assert tagged.title in page and 'data-stream="unit:' in page
    [item_id] = [int(i) for i in re.findall(r'data-item-id="(\d+)"', page)]
    taken = client.post(f"/units/items/{item_id}/claim", data={"next": f"/units/{zzm}"})
    assert taken.status_code == 302 and taken.location.endswith(f"/units/{zzm}")
    assert get(UnitTag, item_id).claimed_by_id == ewa.id
    page = client.get(f"/units/{zzm}").get_data(as_text=True)
    assert f"/units/items/{item_id}/release" in page
    other = logged_in(app, olga)
    refused = other.post(f"/units/items/{item_id}/claim", data={"next": f"/units/{zzm}"})
    assert refused.status_code == 302 and get(UnitTag, item_id).claimed_by_id == ewa.id
    assert "Ewa" in other.get(f"/units/{zzm}").get_data(as_text=True)
    client.post(f"/units/items/{item_id}/release")
    assert get(UnitTag, item_id).claimed_by_id is None


def test_only_the_units_experts_see_its_queue(app, tagged, jan, zenon, zzm):
    assert logged_in(app, jan).get(f"/units/{zzm}").status_code == 403
    assert logged_in(app, zenon).get(f"/units/{zzm}").status_code == 403
    assert logged_in(app, zenon).get("/units/999").status_code == 404


def test_an_experts_start_page_shows_the_queue(app, tagged, ewa, jan):
    page = logged_in(app, ewa).get("/").get_data(as_text=True)
    assert "my-queues" in page and tagged.title in page and "units-live.js" in page
    assert "my-queues" not in logged_in(app, jan).get("/").get_data(as_text=True)


def test_marking_an_official_answer_from_the_thread(app, expert_reply, ewa, anna, zzm):
    thread_id = expert_reply.thread_id
    client = logged_in(app, ewa)
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "tag-expert-answer" in page and f"/posts/{expert_reply.id}/official" in page
    assert "/official" not in logged_in(app, anna).get(f"/threads/{thread_id}").get_data(
        as_text=True
    )
    marked = client.post(f"/posts/{expert_reply.id}/official", data={"unit_id": str(zzm)})
    assert marked.status_code == 302 and count(OfficialAnswer) == 1
    page = logged_in(app, anna).get(f"/threads/{thread_id}").get_data(as_text=True)
    assert "official-answer" in page and "tag-official" in page
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert f"/posts/{expert_reply.id}/official" not in page  # marked already: take it back
    assert page.count(f"/threads/{thread_id}/official/{zzm}/remove") == 2  # top, and the reply
    confirm = client.get(f"/threads/{thread_id}/official/{zzm}/remove")
    assert confirm.status_code == 200 and "<form" in confirm.get_data(as_text=True)
    assert client.post(f"/threads/{thread_id}/official/{zzm}/remove").status_code == 302
    assert count(OfficialAnswer) == 0


def test_the_confirmation_page_for_a_reply_that_cannot_be_an_answer(app, tagged, jan, ewa):
    reply = run(discussion.create_reply, jan, tagged.id, "Też tak uważam.")
    assert logged_in(app, ewa).get(f"/posts/{reply.id}/official").status_code == 409
    assert logged_in(app, jan).get(f"/posts/{reply.id}/official").status_code == 403


def test_the_draft_tagging_page(app, draft, anna, jan, zzm):
    client = logged_in(app, anna)
    assert client.get(f"/drafts/{draft.id}/units").status_code == 200
    saved = client.post(f"/drafts/{draft.id}/units", data={"unit_ids": [str(zzm)]})
    assert saved.status_code == 302 and saved.location.endswith(f"/drafts/{draft.id}")
    assert get(UnitTag, 1).draft_id == draft.id
    assert logged_in(app, jan).get(f"/drafts/{draft.id}/units").status_code == 403


def test_an_odd_queue_page_is_a_404(app, tagged, ewa, zzm):
    client = logged_in(app, ewa)
    assert client.get(f"/units/{zzm}?page=abc").status_code == 404
    assert client.get(f"/units/{zzm}?page=2").status_code == 200  # past the last: empty
