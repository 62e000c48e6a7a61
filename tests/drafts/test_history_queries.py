"""The history and co-author pages load in a fixed number of queries, however many revisions,
authors and invitations a draft has."""

import pytest

from forum.drafts import coauthors
from tests.conftest import make_user, run
from tests.discussion.test_queries import counted_queries
from tests.drafts.conftest import save, start


def busy_draft(people: int, saves: int) -> int:
    """A draft with co-authors (some only invited) who each save a few times."""
    lead = make_user("Autorka", role="ambassador", scope="XIII")
    draft_id = start(lead, title="Skwer")
    writers = [lead]
    for number in range(people):
        person = make_user(f"Osoba {number}", role="expert" if number % 2 else None, scope="ZZM")
        run(coauthors.invite, lead, draft_id, person.email)
        if number % 3:
            run(coauthors.accept, person, draft_id)
            writers.append(person)
    for number in range(saves):
        save(writers[number % len(writers)], draft_id, title=f"Skwer {number}")
    return draft_id


@pytest.mark.parametrize(
    "path", ["/drafts/{id}/revisions", "/drafts/{id}/coauthors", "/drafts/{id}/compare"]
)
def test_a_history_page_does_not_grow_with_the_draft(app, client, auth, path):
    small, big = busy_draft(1, 1), busy_draft(6, 12)
    auth.login(make_user("Czytelnik"))
    counts = []
    for draft_id in (small, big):
        with counted_queries() as statements:
            assert client.get(path.format(id=draft_id)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 12, counts
