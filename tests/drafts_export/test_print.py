"""The printable BO form."""

from __future__ import annotations


def test_the_form_shows_every_field_in_the_bo_order(client, drafts):
    page = client.get(f"/drafts/{drafts['zablocie']}/print").get_data(as_text=True)
    order = [
        "Type",
        "Title",
        "Short description",
        "Category",
        "Area",
        "Full description",
        "Justification",
        "Beneficiaries",
        "Cost estimate",
        "Deliverable within one year",
        "Authors",
        "Supports",
    ]
    positions = [page.index(f"</span> {label}") for label in order]
    assert positions == sorted(positions)
    assert "Ławki na Zabłociu" in page
    assert "60 000 zł" in page and "90 000 zł" in page  # an item and the total
    assert "Allocation of XIII Podgórze" in page and "1 200 000 zł" in page
    assert "Zabłocie (XIII Podgórze)" in page
    assert "not complete yet" not in page
    assert "0 of 15 supporters living in XIII Podgórze" in page


def test_an_incomplete_draft_says_what_is_missing(client, drafts):
    page = client.get(f"/drafts/{drafts['podgorze']}/print").get_data(as_text=True)
    assert "This draft is not complete yet" in page
    assert "Missing: Describe the proposal in full." in page


def test_the_text_is_escaped(client, drafts):
    from forum.drafts.models import Draft
    from tests.conftest import update

    update(Draft, drafts["podgorze"], description="<script>alert(1)</script>")
    page = client.get(f"/drafts/{drafts['podgorze']}/print").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_a_city_wide_draft_needs_no_list(client, drafts):
    page = client.get(f"/drafts/{drafts['city']}/print").get_data(as_text=True)
    assert "City-wide proposal" in page
    assert "needs no list of supporters" in page


def test_the_print_stylesheet_hides_the_sites_frame():
    from config import BASE_DIR

    css = (BASE_DIR / "static" / "css" / "forum.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert "@page" in print_rules and ".site-header" in print_rules


def test_an_unknown_draft_is_a_404(client):
    assert client.get("/drafts/987654/print").status_code == 404


def test_the_form_and_the_supports_page_queries_do_not_grow_with_supporters(client, drafts):
    from forum.drafts.models import Draft
    from forum.extensions import db
    from forum.supports.services import support
    from tests.conftest import make_user, run
    from tests.discussion.test_queries import counted_queries

    def queries(path: str) -> int:
        with counted_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    paths = [f"/drafts/{drafts['zablocie']}/print", f"/drafts/{drafts['zablocie']}/supports"]
    before = [queries(path) for path in paths]
    for number in range(8):
        person = make_user(f"Sąsiad {number}", home="XIII" if number % 2 else "I")
        run(lambda who: support(who, db.session.get(Draft, drafts["zablocie"])), person)
    assert [queries(path) for path in paths] == before
    assert max(before) <= 10
