"""The draft pages load in a fixed number of queries, however many units, authors, cited posts
or drafts there are."""

from forum.discussion import services as discussion
from forum.drafts import editing, promotion
from forum.drafts.models import DraftAuthor
from forum.extensions import db
from forum.transactions import transaction
from tests.conftest import app_context, make_user, opening_of, room_of, run
from tests.discussion.test_queries import queries_for
from tests.drafts.conftest import area_id, tag_thread

UNITS = ("ZZM", "ZDMK", "WE", "ZIS", "MOPS")


def promoted_draft(units: int, replies: int, coauthors: int) -> int:
    ambassador = make_user("Amb", role="ambassador", scope="XIII")
    author = make_user("Autorka")
    thread = run(discussion.create_thread, author, room_of("XIII").id, "Skwer", "Pomysł")
    cited = [opening_of(thread.id).id]
    for number in range(replies):
        replier = make_user(f"Osoba {number}")
        cited.append(run(discussion.create_reply, replier, thread.id, f"Wpis {number}").id)
    for code in UNITS[:units]:
        tag_thread(thread.id, code, ambassador)
    draft = run(promotion.promote_thread, ambassador, thread.id, source_post_ids=tuple(cited))
    with app_context(), transaction():
        for number in range(coauthors):
            person = make_user(f"Współautor {number}")
            db.session.add(DraftAuthor(draft_id=draft.id, user_id=person.id, role="coauthor"))
    return draft.id


def test_the_draft_page_does_not_grow_with_what_it_shows(client):
    small = promoted_draft(units=1, replies=1, coauthors=0)
    large = promoted_draft(units=5, replies=8, coauthors=6)
    small_count = queries_for(client, f"/drafts/{small}")
    large_count = queries_for(client, f"/drafts/{large}")
    assert small_count == large_count, (small_count, large_count)
    # The draft with its people, units and cited posts; its status moves, reviews, supports
    # (the tally and the viewer's own) and status changes: each one query, however many.
    assert large_count <= 14, large_count


def test_the_drafts_list_does_not_grow_with_drafts(client):
    author = make_user("Autorka")
    run(editing.start_own_draft, author, area_id(), {"title": "Pierwszy"})
    few = queries_for(client, "/drafts")
    for number in range(15):
        run(editing.start_own_draft, author, area_id("city"), {"title": f"Szkic {number}"})
    assert queries_for(client, "/drafts") == few <= 4
