"""Registering, logging in and loading accounts."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.models import RoleGrant, User
from forum.areas.models import Area
from forum.errors import NotAuthenticated, ValidationError
from forum.extensions import db

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PASSWORD_MIN_LENGTH = 10
NAME_MIN_LENGTH, NAME_MAX_LENGTH = 2, 60
# Compared against when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = None


def load_user(user_id: int) -> User | None:
    """The user with the grants the policy and badges need, in one round of queries."""
    return db.session.get(
        User,
        user_id,
        options=[
            selectinload(User.role_grants).options(
                joinedload(RoleGrant.area), joinedload(RoleGrant.unit)
            )
        ],
    )


def _is_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) < 19


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def register(
    display_name: str | None, email: str | None, password: str | None, home_area_id
) -> User:
    """Create a resident's account."""
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
    home_area = db.session.get(Area, int(home_area_id)) if _is_id(home_area_id) else None
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
    db.session.commit()
    return user


def authenticate(email: str | None, password: str | None) -> User:
    """The user with these credentials; one vague error for a wrong e-mail or password."""
    global _DUMMY_HASH
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not a password")
        check_password_hash(_DUMMY_HASH, password or "")
    elif check_password_hash(user.password_hash, password or ""):
        return user
    message = _("Wrong e-mail address or password.")
    raise NotAuthenticated(message, {"password": message}, code="wrong_credentials")


def districts() -> list[Area]:
    return list(
        db.session.scalars(select(Area).where(Area.kind == "district").order_by(Area.position))
    )
