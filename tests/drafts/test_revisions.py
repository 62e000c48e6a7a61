"""A draft's history: revisions listed, any two compared as a word-level diff."""

import re

import pytest

from forum.drafts import revisions
from forum.drafts.revisions import diff_html, field_text, word_diff
from forum.errors import NotFound
from tests.conftest import GUEST, app_context, run
from tests.drafts.conftest import save


def texts(segments) -> tuple[str, str]:
    """The old and the new text a diff reads as."""
    old = "".join(s.text for s in segments if s.op != "insert")
    new = "".join(s.text for s in segments if s.op != "delete")
    return old, new


@pytest.mark.parametrize(
    ("old", "new", "html"),
    [
        (
            "Zielony skwer przy ulicy Lipowej.",
            "Zielony park przy ul. Lipowej, z ławkami.",
            "Zielony <del>skwer</del><ins>park</ins> przy <del>ulicy</del><ins>ul.</ins> "
            "Lipowej<ins>, z ławkami</ins>.",
        ),
        ("Skwer przy Lipowej", "Skwer, przy Lipowej", "Skwer<ins>,</ins> przy Lipowej"),
        ("ławki i kosze", "ławki, kosze i latarnie", None),
        ("", "Nowy tekst", "<ins>Nowy tekst</ins>"),
        ("Stary tekst", "", "<del>Stary tekst</del>"),
        ("Bez zmian", "Bez zmian", "Bez zmian"),
        ("Akapit pierwszy.\n\nDrugi.", "Akapit pierwszy.\n\nDrugi, dłuższy.", None),
    ],
)
def test_a_word_diff_reads_as_both_texts(old, new, html):
    segments = word_diff(old, new)
    assert texts(segments) == (old, new)
    if html is not None:
        assert str(diff_html(segments)) == html


def test_a_rewritten_phrase_is_one_deletion_and_one_insertion():
    html = str(diff_html(word_diff("bardzo ładny zielony skwer", "całkiem nowy park miejski")))
    assert html == "<del>bardzo ładny zielony skwer</del><ins>całkiem nowy park miejski</ins>"


def test_the_diff_escapes_what_people_wrote():
    html = str(diff_html(word_diff("<b>a</b>", "<script>alert(1)</script>")))
    assert "<" not in re.sub(r"</?(ins|del)>", "", html)
    assert "&lt;" in html


def test_a_long_text_is_compared_line_by_line_and_still_reads_true():
    old = "\n".join(f"Akapit {n}: " + "słowo " * 300 for n in range(40))
    new = old.replace("Akapit 7:", "Akapit siódmy:").replace("Akapit 30:", "Ostatni:")
    segments = word_diff(old, new)
    assert texts(segments) == (old, new)
    changed = [s.text for s in segments if s.op != "equal"]
    assert changed == ["7", "siódmy", "Akapit 30", "Ostatni"]


def test_a_field_is_shown_as_people_read_it(app):
    with app.test_request_context():
        assert field_text("cost_items", [{"item": "Ławki", "amount": 12000}]) == (
            "Ławki: 12\u00a0000\u00a0zł\nRazem: 12\u00a0000\u00a0zł"
        )
        assert field_text("locations", ["ul. Lipowa", "Rynek Podgórski"]) == (
            "ul. Lipowa\nRynek Podgórski"
        )
        assert field_text("deliverable_in_year", None) == ""
        assert field_text("deliverable_in_year", True) == "Tak"


def test_every_save_is_a_revision_listed_newest_first(app, anna, draft_id):
    save(anna, draft_id, title="Zielony skwer przy Lipowej")
    save(anna, draft_id, note="Opis", description="Ławki i drzewa.")
    with app_context():
        draft, page = revisions.list_revisions(GUEST, draft_id)
        assert [r.number for r in page.items] == [3, 2, 1]
        assert page.items[0].note == "Opis" and page.items[0].author.display_name == "Anna"


def test_two_revisions_compared_field_by_field(app, anna, draft_id):
    save(anna, draft_id, title="Zielony skwer przy Lipowej")
    save(anna, draft_id, locations=["ul. Lipowa 3"], cost_items=[{"item": "Ławki", "amount": 900}])
    comparison = run(revisions.compare, GUEST, draft_id, 1, 3)
    changed = {f.field: str(f.html) for f in comparison.changed}
    assert changed["title"] == "<del>Skwer</del><ins>Zielony skwer</ins> przy Lipowej"
    assert changed["locations"] == "<ins>ul. Lipowa 3</ins>"
    assert "Ławki" in changed["cost_items"]
    assert set(changed) == {"title", "locations", "cost_items"}
    assert "kind" in {f.field for f in comparison.unchanged}


def test_by_default_the_current_revision_against_the_one_before(app, anna, draft_id):
    save(anna, draft_id, title="Nowy tytuł")
    comparison = run(revisions.compare, GUEST, draft_id)
    assert (comparison.old.number, comparison.new.number) == (1, 2)
    assert [f.field for f in comparison.changed] == ["title"]


def test_a_revision_compared_with_itself_has_no_changes(app, draft_id):
    assert run(revisions.compare, GUEST, draft_id, 1, 1).changed == ()


@pytest.mark.parametrize(("old", "new"), [(1, 2), (0, 1), (5, 1)])
def test_a_revision_that_does_not_exist_is_not_found(app, draft_id, old, new):
    with pytest.raises(NotFound):
        run(revisions.compare, GUEST, draft_id, old, new)


def test_an_unknown_draft_has_no_history(app):
    with pytest.raises(NotFound):
        run(revisions.list_revisions, GUEST, 424242)
