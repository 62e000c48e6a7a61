"""Demo accounts and discussions for `make run`; the passwords are documented in the README."""

from __future__ import annotations

from sqlalchemy import func, select

from forum.accounts.models import ExpertUnit, RoleGrant, User
from forum.accounts.services import hash_password
from forum.areas.models import Area, Room
from forum.discussion import services as discussion
from forum.extensions import db
from forum.moderation import services as moderation

DEMO_USERS = [
    # (display name, e-mail, password, home district, role, area or unit)
    ("Anna Nowak", "anna@example.pl", "mieszkanka-demo", "XIII", None, None),
    ("Jan Zieliński", "jan@example.pl", "mieszkaniec-demo", "XIII", None, None),
    ("Piotr Kowalski", "piotr@example.pl", "ambasador-demo", "XIII", "ambassador", "XIII"),
    ("Ewa Wiśniewska", "ewa@example.pl", "ekspertka-demo", "I", "expert", "ZZM"),
    ("Koordynatorka BO", "admin@example.pl", "admin-demo-123", "I", "admin", None),
]


def _district(number: str) -> Area:
    return db.session.scalar(select(Area).where(Area.kind == "district", Area.number == number))


def seed_demo_data() -> bool:
    """Create the demo accounts and a few threads once (in the caller's transaction); False if
    accounts already exist."""
    if db.session.scalar(select(func.count(User.id))):
        return False
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
    discussion.create_reply(
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
    return True
