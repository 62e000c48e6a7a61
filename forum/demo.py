"""Demo accounts and discussions for `make run`; the passwords are documented in the README."""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app
from sqlalchemy import func, select

from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.accounts.services import hash_password
from forum.ambassadors import services as ambassadors
from forum.areas import krakow
from forum.areas.models import Area, Room, RoomMember
from forum.budget.models import Category
from forum.budget.services import categories
from forum.discussion import services as discussion
from forum.discussion.models import Post
from forum.drafts import coauthors, editing, promotion
from forum.drafts import services as drafts
from forum.extensions import db
from forum.flags import services as flags
from forum.meetings.demo_after import seed_after
from forum.meetings.demo_live import seed_live_meeting
from forum.meetings.demo_scheduling import seed_scheduling
from forum.moderation import services as moderation
from forum.reviews.demo import seed_drafts
from forum.supports import services as supports
from forum.units import services as units
from forum.workshops.demo import seed_workshops

DEMO_USERS = [
    # (display name, e-mail, password, home district, role, area or unit)
    ("Anna Nowak", "anna@example.pl", "mieszkanka-demo", "XIII", None, None),
    ("Jan Zieliński", "jan@example.pl", "mieszkaniec-demo", "XIII", None, None),
    ("Piotr Kowalski", "piotr@example.pl", "ambasador-demo", "XIII", "ambassador", "XIII"),
    ("Ewa Wiśniewska", "ewa@example.pl", "ekspertka-demo", "I", "expert", "ZZM"),
    ("Koordynatorka BO", "admin@example.pl", "admin-demo-123", "I", "admin", None),
    ("Tomasz Wójcik", "tomasz@example.pl", "mieszkaniec2-demo", "XIII", None, None),
]


def _district(number: str) -> Area:
    return db.session.scalar(select(Area).where(Area.kind == "district", Area.number == number))


@contextmanager
def without_rate_limits():
    """Demo data is written at once by the forum itself, not by people posting too fast (Piotr
    hosts three meetings, the coordinator three workshops, each with its thread, within a
    second)."""
    config = current_app.config
    enabled = config["RATELIMIT_ENABLED"]
    config["RATELIMIT_ENABLED"] = False
    try:
        yield
    finally:
        config["RATELIMIT_ENABLED"] = enabled


def seed_demo_data() -> bool:
    """Create the demo accounts and a few threads once (in the caller's transaction); False if
    accounts already exist."""
    if db.session.scalar(select(func.count(User.id))):
        return False
    with without_rate_limits():
        _seed_demo_data()
    return True


def _seed_demo_data() -> None:
    users = {}
    for name, email, password, home, role, scope in DEMO_USERS:
        user = User(
            display_name=name,
            email=email,
            password_hash=hash_password(password),
            home_area=_district(home),
        )
        if role == "ambassador":
            user.role_grants.append(RoleGrant(role=role, area=_district(scope)))
        elif role == "expert":
            unit = db.session.scalar(select(ExpertUnit).where(ExpertUnit.code == scope))
            user.role_grants.append(RoleGrant(role=role, unit=unit))
        elif role == "admin":
            user.role_grants.append(RoleGrant(role=role))
        db.session.add(user)
        users[email.split("@")[0]] = user
    db.session.flush()

    podgorze = db.session.scalar(select(Room).where(Room.slug == "xiii-podgorze"))
    thread = discussion.create_thread(
        users["anna"],
        podgorze.id,
        "Więcej zieleni na Zabłociu",
        "Proponuję **skwer z drzewami** przy ul. Lipowej. Co o tym myślicie?",
    )
    reply = discussion.create_reply(
        users["jan"], thread.id, "Dobry pomysł, ale czy ta działka należy do miasta?"
    )
    expert_answer = discussion.create_reply(
        users["ewa"],
        thread.id,
        "Sprawdzimy w ZZM. Teren przy Lipowej jest w części miejski.",
        parent_id=reply.id,
    )
    discussion.create_reply(users["piotr"], thread.id, "Zapraszam na spotkanie w czwartek.")
    rules = discussion.create_thread(
        users["piotr"],
        podgorze.id,
        "Zasady rozmowy w pokoju dzielnicy",
        "Piszemy życzliwie i na temat. Posty łamiące zasady ukrywam z podaniem powodu.",
    )
    moderation.pin_thread(users["piotr"], rules.id, "Zasady dotyczą wszystkich wątków.")

    # Zabłocie's room, where the ambassador had to step in: the moderation log has entries.
    zablocie = db.session.scalar(select(Room).where(Room.slug == "zablocie"))
    walk = discussion.create_thread(
        users["piotr"],
        zablocie.id,
        "Spacer badawczy po Zabłociu: zapisy",
        "Zapisy na sobotni spacer badawczy. Ile osób chętnych?",
    )
    discussion.create_reply(users["anna"], walk.id, "Zapisuję się z sąsiadką.")
    rude = discussion.create_reply(
        users["jan"], walk.id, "Kto by chodził na takie spacery, strata czasu i tyle."
    )
    moderation.hide_post(users["piotr"], rude.id, "Wycieczki osobiste zamiast rozmowy o spacerze.")
    moderation.lock_thread(users["piotr"], walk.id, "Zapisy zamknięte: komplet uczestników.")

    users["piotr"].bio = (
        "Mieszkam na Podgórzu od urodzenia. Pomagam sąsiadom zamienić pomysły we wnioski "
        "do budżetu obywatelskiego; dyżur w czwartki 17–19 w Domu Kultury Podgórze."
    )
    zablocie = db.session.scalar(select(Room).where(Room.slug == "zablocie")).area
    ambassadors.apply(
        users["jan"],
        zablocie.id,
        "Od lat działam w radzie osiedla Zabłocie i chciałbym pomóc sąsiadom pisać wnioski.",
        "jan@example.pl, po 18:00",
    )
    _add_restricted_rooms(users)
    _seed_flags(users)
    _seed_units(users, thread)
    _seed_drafts(users, thread, expert_answer)
    seed_drafts(users)  # one draft at each status, reviewed (forum/reviews/demo.py)
    _seed_draft_history(users)
    _seed_supports(users)
    seed_workshops(users)  # the city workshop series (forum/workshops/demo.py)
    seed_scheduling(users)  # an upcoming meeting with sign-ups (forum/meetings/demo_scheduling.py)
    seed_after(users)  # a past meeting with minutes (forum/meetings/demo_after.py)
    seed_live_meeting(users)  # a meeting running now in Zabłocie (forum/meetings/demo_live.py)


# Restricted rooms: (name, description, members by e-mail name).
RESTRICTED_ROOMS = [
    (
        "Koordynacja ambasadorów",
        "Pokój ambasadorów, ekspertów i zespołu miasta; widzą go tylko jego członkowie.",
        ("piotr", "ewa", "admin"),
    ),
    ("ZZM — pokój wewnętrzny", "Wewnętrzne ustalenia ekspertów ZZM.", ("ewa",)),
]


def _add_restricted_rooms(users: dict[str, User]) -> None:
    city = db.session.scalar(select(Area).where(Area.kind == "city"))
    position = len(city.rooms)
    for offset, (name, description, members) in enumerate(RESTRICTED_ROOMS):
        room = Room(
            area=city,
            name=name,
            slug=krakow.slugify(name),
            track="city",
            description=description,
            is_public=False,
            position=position + offset,
        )
        db.session.add(room)
        db.session.flush()
        db.session.add_all(RoomMember(room_id=room.id, user_id=users[m].id) for m in members)
    db.session.flush()
    coordination = db.session.scalar(select(Room).where(Room.slug == "koordynacja-ambasadorow"))
    discussion.create_thread(
        users["admin"],
        coordination.id,
        "Dyżury ambasadorów w marcu",
        "Proszę o wpisanie terminów dyżurów w dzielnicach do końca tygodnia.",
    )


def _seed_flags(users: dict) -> None:
    """A post two residents flagged: the queue marks it for attention."""
    zablocie = db.session.scalar(select(Room).where(Room.slug == "zablocie"))
    advert = discussion.create_thread(
        users["tomasz"],
        zablocie.id,
        "Okna PCV – promocja tylko dziś",
        "Najtańsze okna w Krakowie! Dzwoń: 600 000 000. Montaż gratis.",
    )
    post_id = db.session.scalar(
        select(Post.id).where(Post.thread_id == advert.id, Post.parent_id.is_(None))
    )
    flags.flag_post(users["anna"], post_id, "spam")
    flags.flag_post(users["jan"], post_id, "other", "To reklama firmy, nie projekt do budżetu.")


def _seed_drafts(users: dict, thread, expert_answer: Post) -> None:
    """The green-square thread promoted by its ambassador and worked out by Anna, and a
    city-wide draft Tomasz started on his own and has only named so far."""
    opening = db.session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
    )
    draft = promotion.promote_thread(
        users["piotr"], thread.id, source_post_ids=(opening, expert_answer.id)
    )
    greenery = db.session.scalar(select(Category.id).order_by(Category.position))
    editing.edit_draft(
        users["anna"],
        draft.id,
        {
            "title": "Zielony skwer przy Lipowej",
            "short_description": (
                "Skwer z drzewami, krzewami i ławkami na miejskiej działce przy ul. Lipowej "
                "na Zabłociu: miejsce odpoczynku w cieniu dla mieszkańców i pracowników."
            ),
            "category_id": greenery,
            "locations": ["ul. Lipowa 4 (działka 12/3, obręb Podgórze)"],
            "description": (
                "Nasadzenie 12 drzew i 200 krzewów, sześć ławek z oparciami, kosze na śmieci "
                "i alejka z nawierzchni przepuszczalnej.\n\nTeren jest miejski (ZZM sprawdzi "
                "granice działki)."
            ),
            "justification": "Na Zabłociu brakuje zieleni i cienia; działka stoi pusta.",
            "beneficiaries": "Mieszkańcy Zabłocia, pracownicy okolicznych biur, rodziny z dziećmi.",
            "cost_items": [
                {"item": "Drzewa i krzewy z nasadzeniem", "amount": 96_000},
                {"item": "Ławki i kosze", "amount": 28_000},
                {"item": "Alejka", "amount": 60_000},
            ],
            "deliverable_in_year": True,
        },
        version=1,
        note="Uzupełnione pola wniosku",
    )
    city = db.session.scalar(select(Area).where(Area.kind == "city"))
    editing.start_own_draft(users["tomasz"], city.id, {"title": "Stacje naprawy rowerów w parkach"})


def _seed_draft_history(users: dict) -> None:
    """A draft Tomasz started on his own and wrote with Jan over several saves (its history
    and a comparison have something to show); Piotr is invited and has not answered yet."""
    greenery = next(c for c in categories() if c.code == "greenery")
    draft = drafts.start_draft(
        users["tomasz"],
        area=_district("XIII"),
        content={"title": "Ławki przy Wiśle", "category_id": greenery.id},
        note="Pierwszy zarys",
    )
    drafts.save(
        draft,
        users["tomasz"],
        {
            "title": "Ławki i zieleń na bulwarze Podgórskim",
            "short_description": "Pięć ławek z oparciami i nasadzenia krzewów na bulwarze "
            "Podgórskim, między kładką Bernatka a mostem Powstańców Śląskich.",
            "locations": ["Bulwar Podgórski, odcinek od kładki Bernatka do mostu"],
        },
        draft.version,
        note="Opis i miejsce",
    )
    coauthors.invite(users["tomasz"], draft.id, users["jan"].email)
    coauthors.accept(users["jan"], draft.id)
    drafts.save(
        draft,
        users["jan"],
        {
            "description": "Na bulwarze brakuje miejsc do odpoczynku w cieniu. Proponujemy pięć "
            "ławek z oparciami i podłokietnikami oraz nasadzenia krzewów wzdłuż alejki.",
            "beneficiaries": "Spacerowicze, seniorzy i rodziny z dziećmi.",
            "cost_items": [
                {"item": "Ławki z oparciami (5 szt.)", "amount": 25_000},
                {"item": "Nasadzenia krzewów", "amount": 18_000},
            ],
        },
        draft.version,
        note="Opis, odbiorcy i koszty",
    )
    coauthors.invite(users["tomasz"], draft.id, users["piotr"].email)


def _seed_supports(users: dict) -> None:
    """A complete district draft of Zabłocie with supports: four from XIII Podgórze counted
    toward the 15, and the expert's from I Stare Miasto shown apart."""
    zablocie = db.session.scalar(select(Area).where(Area.slug == "zablocie"))
    draft = drafts.start_draft(
        users["anna"],
        area=zablocie,
        note="Szkic z dyskusji o zieleni na Zabłociu.",
        content={
            "title": "Stoły do gry w szachy przy Zabłociu 20",
            "short_description": "Sześć ławek z oparciami i dwa stoły do gry w szachy na "
            "skwerze przy ul. Zabłocie 20, w cieniu istniejących drzew, dla sąsiadów "
            "w każdym wieku.",
            "category_id": db.session.scalar(
                select(Category.id).where(Category.code == "greenery")
            ),
            "locations": ["Skwer przy ul. Zabłocie 20 (działka miejska)"],
            "description": "Ławki z drewna dębowego na betonowych stopach.\n"
            "Dwa stoły z planszą do szachów i warcabów.",
            "justification": "Na Zabłociu brakuje miejsc, gdzie można usiąść w cieniu.",
            "beneficiaries": "Mieszkańcy Zabłocia, seniorzy z pobliskiego klubu, rodziny.",
            "cost_items": [
                {"item": "Sześć ławek z montażem", "amount": 54000},
                {"item": "Dwa stoły do gry", "amount": 26000},
            ],
            "deliverable_in_year": True,
        },
    )
    for name in ("anna", "jan", "piotr", "tomasz", "ewa"):
        supports.support(users[name], draft)


def _seed_units(users: dict, greenery) -> None:
    """ZZM's queue: Anna's thread about greenery, which Ewa took on and answered officially,
    and Jan's about trees, not yet taken on; ZDMK's: Tomasz's crossing, tagged by Piotr."""
    zzm, zdmk = (
        db.session.scalar(select(ExpertUnit.id).where(ExpertUnit.code == code))
        for code in ("ZZM", "ZDMK")
    )
    units.tag_thread(users["anna"], greenery.id, [zzm])
    [item] = units.queue(users["ewa"], zzm)[1].items
    units.claim(users["ewa"], item.id)
    answer = db.session.scalar(
        select(Post.id).where(Post.thread_id == greenery.id, Post.author_id == users["ewa"].id)
    )
    units.mark_official(users["ewa"], answer)
    podgorze = db.session.scalar(select(Room).where(Room.slug == "xiii-podgorze"))
    trees = discussion.create_thread(
        users["jan"],
        podgorze.id,
        "Drzewa na Rynku Podgórskim",
        "Czy da się posadzić kilka dużych drzew od strony ul. Limanowskiego?",
    )
    units.tag_thread(users["jan"], trees.id, [zzm])
    crossing = discussion.create_thread(
        users["tomasz"],
        podgorze.id,
        "Przejście dla pieszych przy Kalwaryjskiej",
        "Brakuje bezpiecznego przejścia koło szkoły. Kogo o to pytać?",
    )
    units.tag_thread(users["piotr"], crossing.id, [zdmk])
