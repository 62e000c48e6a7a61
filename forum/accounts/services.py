"""Accounts: registering (confirmed by e-mail), logging in and out, roles, loading people."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from forum import mail, ratelimits, text
from forum.accounts.models import (
    GRANT_COLUMNS,
    GRANT_ORDER,
    ExpertUnit,
    PendingRegistration,
    RoleGrant,
    User,
    UserSession,
    grants_outerjoin,
    load_grants,
    with_grants,
)
from forum.accounts.passwords import check_password
from forum.admin import audit
from forum.areas.models import Area
from forum.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationError,
)
from forum.extensions import as_loaded, db, read_columns, set_loaded, utcnow
from forum.notifications import services as notifications
from forum.policy import ensure
from forum.realtime import access
from forum.schemas import id_from_text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MIN_LENGTH, NAME_MAX_LENGTH = 2, 60
ROLES = ("ambassador", "expert", "admin")
# Compared against when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = None


def load_user(user_id: int) -> User | None:
    """The user with the grants the policy and badges need, in one round of queries."""
    return db.session.get(User, user_id, options=[with_grants()])


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _clean_display_name(display_name: str | None) -> tuple[str, str | None]:
    """The name as stored (forum/text.py) and what is wrong with it, or None."""
    display_name, problem = text.clean(display_name)
    if problem:
        return display_name, problem
    if not NAME_MIN_LENGTH <= len(display_name) <= NAME_MAX_LENGTH:
        return display_name, _(
            "Give a name of %(low)d to %(high)d characters.",
            low=NAME_MIN_LENGTH,
            high=NAME_MAX_LENGTH,
        )
    staff_word = text.impersonates(display_name)
    if staff_word:
        return display_name, _(
            "The name may not look like a staff title or badge (%(word)s); choose another.",
            word=staff_word,
        )
    return display_name, None


def register(
    display_name: str | None, email: str | None, password: str | None, home_area_id
) -> str:
    """Start a resident's registration; the address it answers to, told the same either way.

    Whether the address has an account shows only in its mailbox: a new address gets a link
    that finishes the registration (finish_registration), an account's owner a warning that
    someone tried. Nothing is stored for an address that has an account.
    """
    ratelimits.hit_from_address(ratelimits.REGISTRATION)  # before hashing and writing
    display_name, name_problem = _clean_display_name(display_name)
    email = (email or "").strip().lower()
    password = password or ""
    errors = {}
    if name_problem:
        errors["display_name"] = name_problem
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = _("Give a valid e-mail address.")
    password_problem = check_password(password, email, display_name)
    if password_problem:
        errors["password"] = password_problem
    area_id = id_from_text(home_area_id)
    home_area = db.session.get(Area, area_id) if area_id is not None else None
    if home_area is None or home_area.kind != "district":
        errors["home_area_id"] = _("Choose your district.")
    if errors:
        raise ValidationError(_("Some fields need correcting."), errors)
    password_hash = hash_password(password)  # either way, so both answers take as long
    if db.session.scalar(select(func.count()).where(User.email == email)):
        mail.send(
            email,
            _("Someone tried to register with your address"),
            render_template("accounts/register_mail_known.txt", login=mail.link("accounts.login")),
        )
        return email
    hours = current_app.config["REGISTRATION_LINK_HOURS"]
    token = secrets.token_urlsafe(32)
    # One waiting registration per address (the newest link), and none past its time.
    db.session.execute(
        delete(PendingRegistration).where(
            (PendingRegistration.email == email)
            | (PendingRegistration.created_at < utcnow() - timedelta(hours=hours))
        )
    )
    db.session.add(
        PendingRegistration(
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            home_area_id=home_area.id,
            token_hash=_token_hash(token),
        )
    )
    db.session.flush()
    link = mail.link("accounts.confirm_registration", token=_link_signer().dumps(token))
    mail.send(
        email,
        _("Finish your registration"),
        render_template("accounts/register_mail_link.txt", link=link, hours=hours),
    )
    return email


def _link_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="registration-link")


def pending_registration(link_token: str) -> PendingRegistration:
    """The registration a link finishes, or a refusal that says what is wrong with the link."""
    return _pending(link_token, consume=False)


def finish_registration(link_token: str) -> User:
    """Make the account a registration link stands for; the link (and any other one for the
    same address) stops working."""
    pending = _pending(link_token, consume=True)
    db.session.execute(
        delete(PendingRegistration).where(PendingRegistration.email == pending.email)
    )
    user = User(
        display_name=pending.display_name,
        email=pending.email,
        password_hash=pending.password_hash,
        home_area_id=pending.home_area_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _pending(link_token: str, consume: bool) -> PendingRegistration:
    hours = current_app.config["REGISTRATION_LINK_HOURS"]
    try:
        token = _link_signer().loads(link_token, max_age=hours * 3600)
    except SignatureExpired:
        raise DomainError(
            ngettext(
                "This link has expired: it works for %(num)d hour. Register again.",
                "This link has expired: it works for %(num)d hours. Register again.",
                hours,
            ),
            code="link_expired",
        ) from None
    except BadSignature:
        raise DomainError(
            _("This link is not valid. Copy the whole link from the message."),
            code="link_invalid",
        ) from None
    token_is = PendingRegistration.token_hash == _token_hash(token)
    if consume:
        # Deleting first takes the write lock, so two uses of one link cannot both succeed.
        returned = delete(PendingRegistration).where(token_is).returning(PendingRegistration)
        pending = db.session.scalar(returned)
    else:
        pending = db.session.scalar(select(PendingRegistration).where(token_is))
    if pending is None:
        raise DomainError(
            _(
                "This link no longer works: it was used already, or a newer one was sent. "
                "Log in, or register again."
            ),
            code="link_used",
        )
    if db.session.scalar(select(func.count()).where(User.email == pending.email)):
        raise Conflict(
            _("An account with this e-mail address exists already. Log in."),
            code="account_exists",
        )
    return pending


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
        if user.is_suspended:
            raise suspension_refusal(user)
        return user
    ratelimits.login_failed(email)
    message = _("Wrong e-mail address or password.")
    raise NotAuthenticated(message, {"password": message}, code="wrong_credentials")


def suspension_refusal(user: User) -> Forbidden:
    """Why a suspended person may not log in: until when, and the admin's reason."""
    if user.suspended_indefinitely:
        message = _(
            "Your account is suspended until the city's coordinators lift it. Reason: %(reason)s",
            reason=user.suspension_reason or "",
        )
    else:
        message = _(
            "Your account is suspended until %(until)s. Reason: %(reason)s",
            until=format_datetime(user.suspended_until, "short"),
            reason=user.suspension_reason or "",
        )
    return Forbidden(message, code="suspended")


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


@functools.cache
def _session_user_query():
    """One statement, on every request and socket event: the login, the person, their grants
    and their mutes (which the policy reads for any write, and for a page's reply forms), read
    as columns (see session_user).

    Built once (on first use, when every model is mapped): SQLAlchemy then computes its cache
    key once, instead of once per request.
    """
    person, login = User.__table__, UserSession.__table__
    mute = User.mutes.property.mapper.local_table
    joined = person.join(login, login.c.user_id == person.c.id)
    return (
        select(person, login.c.id.label("login_id"), *GRANT_COLUMNS, mute)
        .select_from(
            grants_outerjoin(joined, person).outerjoin(mute, User.mutes.property.primaryjoin)
        )
        .where(
            person.c.id == bindparam("user_id"),
            login.c.token_hash == bindparam("token_hash"),
            login.c.ended_at.is_(None),
        )
        .order_by(GRANT_ORDER, mute.c.id)
    )


def session_user(user_id: int, token: str) -> User | None:
    """The user of a login that is still open, with the login's id; None if it ended.

    Its rows (one per grant and mute) become objects of the session as the ORM would load them
    (extensions.as_loaded), for about a quarter of the Python work of the ORM's loading with
    its eager joins (542 → 150 calls).
    """
    rows = read_columns(
        _session_user_query(), {"user_id": user_id, "token_hash": _token_hash(token)}
    ).all()
    if not rows:
        return None
    user = as_loaded(User, rows[0])
    load_grants(user, rows)
    mute = User.mutes.property.mapper
    mutes = {found.id: found for row in rows if (found := as_loaded(mute.class_, row))}
    set_loaded(user, "mutes", list(mutes.values()))
    user.session_id = rows[0].login_id
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


def _role_label(grant: RoleGrant) -> str:
    return f"{grant.role} {grant.scope_label}".strip()


def grant_role(
    actor,
    user: User,
    role: str,
    scope: Area | ExpertUnit | None = None,
    *,
    announce: bool = True,
) -> RoleGrant:
    """Make the user an ambassador of an area, an expert of a unit, or an admin.

    `actor` is the admin doing it, or None for the operator on the command line. The change is
    audited; a new ambassador is told in their inbox unless `announce` is False (an approved
    application tells them in its own words).
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
    audit.record(actor, "role_granted", f"user:{user.id}", _role_label(grant))
    if role == "ambassador" and announce:
        notifications.notify(
            user.id,
            "ambassador_appointed",
            actor_id=actor.id if actor is not None else None,
            area_id=area.id,
        )
    access.user_access_changed(user.id)
    return grant


def withdraw_role(actor, grant: RoleGrant, message: str = "") -> None:
    """Take a role back; the person's open sockets lose what it gave them at once.

    The change is audited, and a withdrawn ambassador is told, with the admin's message if any.
    """
    if actor is not None:
        ensure(actor, "roles.manage", grant.user)
    user = grant.user
    audit.record(actor, "role_withdrawn", f"user:{user.id}", _role_label(grant))
    if grant.role == "ambassador":
        notifications.notify(
            user.id,
            "ambassador_withdrawn",
            actor_id=actor.id if actor is not None else None,
            area_id=grant.area_id,
            message=message,
        )
    user.role_grants.remove(grant)
    db.session.flush()
    access.user_access_changed(user.id)


def districts() -> list[Area]:
    return list(
        db.session.scalars(select(Area).where(Area.kind == "district").order_by(Area.position))
    )
