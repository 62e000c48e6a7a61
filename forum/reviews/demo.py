"""Demo drafts, one at each status, moved and reviewed through the services (so their history,
notifications and events are what real use would leave)."""

from __future__ import annotations

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.areas.models import Area
from forum.budget.models import Category
from forum.drafts import status
from forum.drafts.models import Draft, DraftAuthor
from forum.drafts.services import start_draft
from forum.extensions import db, utcnow
from forum.reviews import services as reviews
from forum.reviews.models import CHECKLIST
from forum.units.models import UnitTag


def _content(title: str, short: str, category: str, places: list[str], costs: dict) -> dict:
    return {
        "title": title,
        "short_description": short,
        "category_id": db.session.scalar(select(Category.id).where(Category.code == category)),
        "locations": places,
        "description": f"{short} Szczegóły uzgodnimy z mieszkańcami na spotkaniu w dzielnicy.",
        "justification": "Mieszkańcy od lat zgłaszają tę potrzebę radzie dzielnicy.",
        "beneficiaries": "Mieszkańcy Podgórza i osoby odwiedzające dzielnicę.",
        "cost_items": [_item(name, amount) for name, amount in costs.items()],
        "deliverable_in_year": True,
    }


def _draft(author, content: dict, coauthors=(), units=("ZZM",)) -> Draft:
    podgorze = db.session.scalar(select(Area).where(Area.kind == "district", Area.number == "XIII"))
    draft = start_draft(author, area=podgorze, content=content)
    for user in coauthors:
        draft.authors.append(
            DraftAuthor(user_id=user.id, invited_by_id=author.id, accepted_at=utcnow())
        )
    for code in units:
        unit = db.session.scalar(select(ExpertUnit).where(ExpertUnit.code == code))
        db.session.add(UnitTag(unit=unit, draft_id=draft.id, tagged_by_id=author.id))
    db.session.flush()
    db.session.expire(draft, ["unit_tags"])
    return draft


def _changes(review) -> list[int]:
    return [change.id for change in review.changes]


def seed_drafts(users: dict) -> None:
    """One draft at each status of the machine, by the demo residents, reviewed by ZZM."""
    anna, jan, tomasz = users["anna"], users["jan"], users["tomasz"]
    ewa, piotr = users["ewa"], users["piotr"]

    # draft: incomplete; its page lists what BO still needs.
    start_draft(
        tomasz,
        area=db.session.scalar(select(Area).where(Area.kind == "district", Area.number == "XIII")),
        content={"title": "Ławki na Rynku Podgórskim", "locations": ["Rynek Podgórski"]},
    )

    # in_review: ZZM's review proposes changes the authors have yet to decide on.
    lipowa = _draft(
        anna,
        _content(
            "Skwer przy Lipowej",
            "Skwer z drzewami i ławkami przy ul. Lipowej, na miejscu dzikiego parkingu, "
            "dla mieszkańców Zabłocia.",
            "greenery",
            ["ul. Lipowa 3"],
            {"Drzewa i nasadzenia": 90_000, "Ławki i kosze": 25_000},
        ),
        coauthors=(jan,),
    )
    status.move(anna, lipowa.id, "in_review", "Prosimy ZZM o ocenę przed złożeniem.")
    reviews.add_review(
        ewa,
        lipowa.id,
        opinion="needs_changes",
        checklist={"site_city_owned": True, "within_cost_cap": True, "within_competence": True},
        cost_remarks="Nasadzenia z pielęgnacją przez 3 lata kosztują ok. 120 000 zł.",
        body="Teren przy Lipowej 3 jest miejski. Proponujemy urealnić koszt nasadzeń.",
        changes=[("cost_items", [_item("Drzewa z pielęgnacją", 120_000)])],
    )

    # revised: one change accepted, one declined, then moved to revised.
    bernatka = _draft(
        jan,
        _content(
            "Zieleń przy Kładce Bernatka",
            "Donice z roślinami i cień przy wejściu na Kładkę Bernatka od strony Podgórza, "
            "gdzie latem nie ma gdzie się schronić.",
            "greenery",
            ["Bulwar Podgórski przy Kładce Bernatka"],
            {"Donice z roślinami": 60_000},
        ),
    )
    status.move(jan, bernatka.id, "in_review")
    review = reviews.add_review(
        ewa,
        bernatka.id,
        opinion="needs_changes",
        checklist={"site_city_owned": True, "deliverable_in_year": True},
        body="Donice tak, ale z nawadnianiem; tytuł warto doprecyzować.",
        changes=[
            ("title", "Donice i cień przy Kładce Bernatka"),
            (
                "cost_items",
                [{"item": "Donice", "amount": 60_000}, {"item": "Nawadnianie", "amount": 15_000}],
            ),
        ],
    )
    title, costs = _changes(review)
    reviews.decline_change(jan, title, "Zostawiamy krótszy tytuł, mieści się w limicie.")
    reviews.accept_change(jan, costs)
    status.move(jan, bernatka.id, "revised", "Uwagi ZZM uwzględnione.")

    # ready: reviewed, revised, and marked ready by the area's ambassador.
    podworko = _draft(
        anna,
        _content(
            "Zielone podwórko przy Józefińskiej",
            "Rozszczelnienie asfaltu i zieleń na podwórku przy ul. Józefińskiej, z miejscem "
            "do siedzenia dla sąsiadów.",
            "greenery",
            ["ul. Józefińska 12, podwórko"],
            {"Rozbiórka asfaltu": 70_000, "Nasadzenia": 50_000, "Ławki": 15_000},
        ),
    )
    status.move(anna, podworko.id, "in_review")
    reviews.add_review(
        ewa,
        podworko.id,
        opinion="positive",
        checklist=dict.fromkeys(CHECKLIST, True),
        body="Projekt wykonalny w ciągu roku, koszty realne.",
    )
    status.move(anna, podworko.id, "revised")
    status.move(piotr, podworko.id, "ready", "Gotowe do złożenia w BO.")

    # withdrawn: a negative review, and the author withdrew it.
    fontanna = _draft(
        tomasz,
        _content(
            "Fontanna na Zabłociu",
            "Fontanna z pitnikiem na placu przy ul. Zabłocie, miejsce spotkań i ochłody "
            "w upalne dni dla mieszkańców osiedla.",
            "other",
            ["ul. Zabłocie 20"],
            {"Fontanna z pitnikiem": 400_000},
        ),
    )
    status.move(tomasz, fontanna.id, "in_review")
    reviews.add_review(
        ewa,
        fontanna.id,
        opinion="negative",
        checklist={"site_city_owned": False, "within_competence": False},
        body="Działka przy Zabłociu 20 nie należy do miasta.",
    )
    status.move(tomasz, fontanna.id, "withdrawn", "Teren prywatny: szukamy innego miejsca.")


def _item(name: str, amount: int) -> dict:
    return {"item": name, "amount": amount}
