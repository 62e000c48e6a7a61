"""Demo workshop series of the current edition, made through the services: the first two
workshops held (needs, then ideas answering them), the third still ahead, and one idea already a
draft in review that ZZM has reviewed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.accounts.models import ExpertUnit
from forum.budget.models import Category
from forum.discussion import services as discussion
from forum.discussion.models import Post
from forum.drafts import editing, promotion, status
from forum.extensions import db, utcnow
from forum.meetings import times
from forum.reviews import services as reviews
from forum.schemas import parse
from forum.units import services as units
from forum.workshops import services
from forum.workshops.schemas import SeriesInput


def _opening(thread_id: int) -> int:
    return db.session.scalar(
        select(Post.id).where(Post.thread_id == thread_id, Post.parent_id.is_(None))
    )


def seed_workshops(users: dict) -> None:
    anna, jan, tomasz = users["anna"], users["jan"], users["tomasz"]
    admin, ewa, piotr = users["admin"], users["ewa"], users["piotr"]
    # Evening workshops at 17:00 in Kraków: three weeks ago, last week, in five days.
    today = times.local(utcnow()).replace(hour=17, minute=0, second=0, microsecond=0)
    starts = [
        times.to_utc((today + timedelta(days=days)).replace(tzinfo=None)) for days in (-21, -7, 5)
    ]
    data = parse(
        SeriesInput,
        {
            "title": "Warsztaty miejskie BO 2027",
            "description": "Trzy warsztaty online z ekspertami miasta: zbieramy potrzeby "
            "mieszkańców, szukamy pomysłów, które na nie odpowiadają, i zamieniamy najlepsze "
            "we wnioski do budżetu obywatelskiego.",
            "stages": [
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=2)).isoformat(),
                }
                for start in starts
            ],
            "invited_unit_ids": [
                db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))
                for code in ("ZZM", "ZDMK")
            ],
        },
    )
    series = services.create_series(admin, data, now=starts[0] - timedelta(days=7))
    needs_room = series.stages[0].meeting.room_id

    # Workshop 1: needs, two started from the series page, one marked by the coordinator.
    shade = services.start_item(
        anna,
        series.id,
        1,
        "Cień na placach zabaw",
        "Latem place zabaw w parkach nagrzewają się do południa i stoją puste.",
    )
    crossings = services.start_item(
        jan,
        series.id,
        1,
        "Bezpieczna droga do szkoły",
        "Przy wielu szkołach brakuje bezpiecznych przejść i wyniesionych skrzyżowań.",
    )
    benches = discussion.create_thread(
        piotr,
        needs_room,
        "Ławki dla seniorów na trasach do przychodni",
        "Seniorzy z Podgórza mówią, że nie mają gdzie odpocząć po drodze do lekarza.",
    )
    services.mark_thread(admin, series.id, 1, benches.id)
    services.start_item(
        tomasz,
        series.id,
        1,
        "Miejsca do naprawy rowerów",
        "Brakuje stacji z pompką i narzędziami przy trasach rowerowych.",
    )

    # ZZM answers the first need officially in its thread.
    zzm = db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == "ZZM"))
    units.tag_thread(anna, shade.thread_id, [zzm])
    answer = discussion.create_reply(
        ewa,
        shade.thread_id,
        "ZZM może sadzić drzewa przy placach zabaw na terenach miejskich; "
        "najlepiej lipy i klony o szerokich koronach.",
    )
    units.mark_official(ewa, answer.id)

    # Workshop 2: ideas, two answering needs, one answering none yet.
    trees = services.start_item(
        anna,
        series.id,
        2,
        "Drzewa przy piaskownicach",
        "Posadźmy drzewa o szerokich koronach przy piaskownicach miejskich placów zabaw.",
        (shade.id,),
    )
    services.start_item(
        jan,
        series.id,
        2,
        "Wyniesione przejścia przy szkołach",
        "Przejścia wyniesione do poziomu chodnika przy pięciu szkołach podstawowych.",
        (crossings.id,),
    )
    services.start_item(
        tomasz,
        series.id,
        2,
        "Mapa poidełek i toalet",
        "Jedna mapa miejskich poidełek i toalet publicznych, także w wersji papierowej.",
    )

    # Workshop 3 (ahead): the tree idea is already a draft in review, reviewed by ZZM.
    draft = promotion.promote_thread(
        admin, trees.thread_id, source_post_ids=(_opening(trees.thread_id),)
    )
    editing.edit_draft(
        anna,
        draft.id,
        {
            "short_description": "Dwadzieścia drzew o szerokich koronach przy piaskownicach "
            "miejskich placów zabaw, by dzieci bawiły się latem w cieniu.",
            "category_id": db.session.scalar(
                select(Category.id).where(Category.code == "greenery")
            ),
            "locations": ["Place zabaw w parkach miejskich (lista w opisie)"],
            "description": "Nasadzenia lip i klonów przy piaskownicach w parku Bednarskiego, "
            "parku Jordana i na Plantach Nowohuckich, z pielęgnacją przez trzy lata.",
            "justification": "Latem place zabaw bez cienia stoją puste w najcieplejsze dni.",
            "beneficiaries": "Dzieci, ich rodzice i opiekunowie.",
            "cost_items": [{"item": "Drzewa z nasadzeniem i pielęgnacją", "amount": 240_000}],
            "deliverable_in_year": True,
        },
        version=1,
        note="Uzupełnione po drugim warsztacie",
    )
    units.tag_draft(anna, draft.id, [zzm])
    status.move(anna, draft.id, "in_review", "Prosimy ZZM o ocenę przed trzecim warsztatem.")
    reviews.add_review(
        ewa,
        draft.id,
        opinion="positive",
        checklist={"site_city_owned": True, "within_competence": True},
        body="Place zabaw są na terenach ZZM; koszt nasadzeń z pielęgnacją jest realny.",
    )
