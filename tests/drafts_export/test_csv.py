"""The CSV export of drafts with their reviews, for the coordinators and the units' experts."""

from __future__ import annotations

import csv
import io

from tests.conftest import Auth, district
from tests.drafts_export.conftest import review


def rows(answer) -> list[dict]:
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_an_expert_exports_drafts_with_one_line_per_review(client, people, drafts):
    review(drafts["zablocie"], "ZZM", people["expert"], opinion="positive", body="Dobrze.")
    Auth(client).login(people["expert"])
    answer = client.get("/drafts/export.csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    lines = rows(answer)
    zablocie = [line for line in lines if line["title"] == "Ławki na Zabłociu"]
    assert [line["review_opinion"] for line in zablocie] == ["needs_changes", "positive"]
    first = zablocie[0]
    assert first["review_unit"] == "ZZM" and first["units"] == "ZZM"
    assert first["review_site_city_owned"] == "yes" and first["review_within_cost_cap"] == ""
    assert first["review_proposed_changes"] == "title: open"
    assert first["cost_total"] == "90000" and first["deliverable_in_year"] == "yes"
    assert first["authors"] == "Autorka" and first["area"] == "Zabłocie"
    others = [line for line in lines if line["title"] != "Ławki na Zabłociu"]
    assert len(others) == 2 and all(line["review_id"] == "" for line in others)


def test_a_formula_in_a_cell_is_made_inert(client, people, drafts):
    Auth(client).login(people["admin"])
    lines = rows(client.get("/drafts/export.csv"))
    zablocie = next(line for line in lines if line["title"] == "Ławki na Zabłociu")
    assert zablocie["locations"].startswith("'=HYPERLINK(")


def test_the_filters_apply(client, people, drafts):
    Auth(client).login(people["admin"])
    lines = rows(client.get(f"/drafts/export.csv?area={district('XIII').id}&status=draft"))
    assert {line["title"] for line in lines} == {"Ławki na Zabłociu", "Zieleń przy Limanowskiego"}
    assert client.get("/drafts/export.csv?area=987654").status_code == 422
    # the export page's form sends empty values for "any"
    assert len(rows(client.get("/drafts/export.csv?status=&area=&unit=&edition="))) == 3


def test_residents_and_guests_may_not_export(client, people, drafts):
    assert client.get("/drafts/export.csv").status_code == 302  # to log in
    Auth(client).login(people["resident"])
    assert client.get("/drafts/export.csv").status_code == 403
    assert client.get("/drafts/export").status_code == 403


def test_the_export_page_offers_the_filters(client, people, drafts):
    Auth(client).login(people["expert"])
    page = client.get("/drafts/export").get_data(as_text=True)
    for label in ("Status", "Area", "Unit", "Budget edition"):
        assert f">{label}</label>" in page
    assert "ZZM:" in page and "Budżet Obywatelski Krakowa 2027" in page


def test_the_export_queries_do_not_grow_with_drafts(client, people, drafts):
    from tests.discussion.test_queries import counted_queries
    from tests.drafts_export.conftest import complete, tag
    from tests.supports.conftest import new_draft

    Auth(client).login(people["admin"])

    def queries() -> int:
        with counted_queries() as statements:
            answer = client.get("/drafts/export.csv")
            answer.get_data()
        return len(statements)

    before = queries()
    for number in range(6):
        draft_id = new_draft(people["author"], title=f"Projekt {number}")
        complete(draft_id)
        tag(draft_id, "ZDMK", people["author"])
        review(draft_id, "ZDMK", people["expert"])
    assert queries() == before <= 14


def test_the_export_streams_in_bounded_pieces_and_yields_between_them(
    client, people, drafts, monkeypatch
):
    """A big export never holds the server's one loop: each piece of the response has at most
    ROWS_PER_CHUNK lines, each batch at most BATCH drafts, and between them the export sleeps
    (time.sleep(0): a yield to the eventlet hub when the server runs on it)."""
    from forum.drafts import export

    monkeypatch.setattr(export, "BATCH", 2)
    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 3)
    events: list = []
    monkeypatch.setattr(export.time, "sleep", lambda seconds: events.append(("sleep", seconds)))
    from tests.supports.conftest import new_draft

    for number in range(6):
        draft_id = new_draft(people["author"], title=f"Projekt {number}")
        review(draft_id, "ZZM", people["expert"])
    Auth(client).login(people["admin"])
    expected = len(rows(client.get("/drafts/export.csv")))
    events.clear()
    answer = client.get("/drafts/export.csv", buffered=False)
    for piece in answer.response:
        text = piece.decode() if isinstance(piece, bytes) else piece
        events.append(("piece", len(list(csv.reader(io.StringIO(text))))))
    pieces = [lines for kind, lines in events if kind == "piece"]
    header, *rest = pieces
    assert header <= 3 + 1 and all(lines <= 3 for lines in rest), pieces
    assert sum(pieces) == 1 + expected and expected >= 9  # the header, then every line
    assert all(seconds == 0 for kind, seconds in events if kind == "sleep")
    # Between any two pieces the export slept at least once.
    kinds = [kind for kind, _value in events]
    for first, second in zip(
        [i for i, k in enumerate(kinds) if k == "piece"],
        [i for i, k in enumerate(kinds) if k == "piece"][1:],
        strict=False,
    ):
        assert "sleep" in kinds[first:second], kinds
    assert kinds.count("sleep") >= expected // 3  # per batch of 2 drafts, per piece of 3 lines
