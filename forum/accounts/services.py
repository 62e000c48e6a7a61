"""Accounts: registering, logging in and out (revocable logins), roles, loading people."""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from forum import ratelimits
from forum.accounts.models import ExpertUnit, RoleGrant, User, UserSession, with_grants
from forum.areas.models import Area
from forum.errors import NotAuthenticated, NotFound, ValidationError
from forum.extensions import db, utcnow
from forum.policy import ensure
from forum.realtime import access
from forum.schemas import id_from_text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PASSWORD_MIN_LENGTH = 10
NAME_MIN_LENGTH, NAME_MAX_LENGTH = 2, 60
ROLES = ("ambassador", "expert", "admin")
# Compared against when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = None


def load_user(user_id: int) -> User | None:
    """The user with the grants the policy and badges need, in one round of queries."""
    return db.session.get(User, user_id, options=[with_grants()])


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def register(
    display_name: str | None, email: str | None, password: str | None, home_area_id
) -> User:
    """Create a resident's account."""
    ratelimits.hit_from_address(ratelimits.REGISTRATION)  # before hashing and writing
    display_name = (display_name or "").strip()
    email = (email or "").strip().lower()
    password = password or ""
    errors = {}
    if not NAME_MIN_LENGTH <= len(display_name) <= NAME_MAX_LENGTH:
        errors["display_name"] = _(
            "Give a name of %(low)d to %(high)d characters.",
            low=NAME_MIN_LENGTH,
            high=NAME_MAX_LENGTH,
        )
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = _("Give a valid e-mail address.")
    elif db.session.scalar(select(func.count()).where(User.email == email)):
        errors["email"] = _("An account with this e-mail address already exists.")
    if len(password) < PASSWORD_MIN_LENGTH:
        errors["password"] = _(
            "The password needs at least %(num)d characters.", num=PASSWORD_MIN_LENGTH
        )
    area_id = id_from_text(home_area_id)
    home_area = db.session.get(Area, area_id) if area_id is not None else None
    if home_area is None or home_area.kind != "district":
        errors["home_area_id"] = _("Choose your district.")
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    user = User(
        display_name=display_name,
        email=email,
        password_hash=hash_password(password),
        home_area=home_area,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str | None, password: str | None) -> User:
    """The user with these credentials; one vague error for a wrong e-mail or password."""
    global _DUMMY_HASH
    email = (email or "").strip().lower()
    ratelimits.check_login(email)  # during a lock-out even the right password is refused
    user = db.session.scalar(select(User).where(User.email == email).options(with_grants()))
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not a password")
        check_password_hash(_DUMMY_HASH, password or "")
    elif check_password_hash(user.password_hash, password or ""):
        ratelimits.login_succeeded(email)
        return user
    ratelimits.login_failed(email)
    message = _("Wrong e-mail address or password.")
    raise NotAuthenticated(message, {"password": message}, code="wrong_credentials")


# --- logins ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> str:
    """Open a login for the user; the token goes into the browser's (signed) session cookie."""
    token = secrets.token_urlsafe(32)
    login = UserSession(user_id=user.id, token_hash=_token_hash(token))
    db.session.add(login)
    db.session.flush()
    user.session_id = login.id
    return token


def session_user(user_id: int, token: str) -> User | None:
    """The user of a login that is still open, with the login's id; None if it ended."""
    row = db.session.execute(
        select(User, UserSession.id)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == user_id,
            UserSession.token_hash == _token_hash(token),
            UserSession.ended_at.is_(None),
        )
        .options(with_grants())
    ).one_or_none()
    if row is None:
        return None
    user, user.session_id = row
    return user


def end_session(session_id: int) -> None:
    """End one login for good: its cookie no longer works, its open sockets are closed."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    access.sessions_ended([session_id])


def end_all_sessions(user: User) -> int:
    """Log out everywhere: every open login of the user ends; how many there were."""
    ids = list(
        db.session.scalars(
            select(UserSession.id).where(
                UserSession.user_id == user.id, UserSession.ended_at.is_(None)
            )
        )
    )
    if ids:
        db.session.execute(
            update(UserSession).where(UserSession.id.in_(ids)).values(ended_at=utcnow())
        )
        access.sessions_ended(ids)
    return len(ids)


def active_session_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(UserSession.id)).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None)
        )
    )


# --- roles -------------------------------------------------------------------------------


def user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(_("There is no such user."))
    return user


def grant_role(actor, user: User, role: str, scope: Area | ExpertUnit | None = None) -> RoleGrant:
    """Make the user an ambassador of an area, an expert of a unit, or an admin.

    `actor` is the admin doing it, or None for the operator on the command line.
    """
    if actor is not None:
        ensure(actor, "roles.manage", user)
    area = scope if isinstance(scope, Area) else None
    unit = scope if isinstance(scope, ExpertUnit) else None
    fits = {"ambassador": area is not None, "expert": unit is not None, "admin": scope is None}
    if not fits.get(role):
        raise ValidationError(_("Some fields need correcting."), {"role": _("No such role.")})
    for grant in user.role_grants:
        if (grant.role, grant.area, grant.unit) == (role, area, unit):
            return grant  # granted already
    grant = RoleGrant(role=role, area=area, unit=unit)
    user.role_grants.append(grant)
    db.session.flush()
    access.user_access_changed(user.id)
    return grant


def withdraw_role(actor, grant: RoleGrant) -> None:
    """Take a role back; the person's open sockets lose what it gave them at once."""
    if actor is not None:
        ensure(actor, "roles.manage", grant.user)
    user = grant.user
    user.role_grants.remove(grant)
    db.session.flush()
    access.user_access_changed(user.id)


def districts() -> list[Area]:
    return list(
        db.session.scalars(select(Area).where(Area.kind == "district").order_by(Area.position))
    )
