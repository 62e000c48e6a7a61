"""The browser's side of a login: Flask-Login plus a token of a login the server can end.

The session cookie is signed but lives in the browser, so a copy of it would outlive a logout.
It therefore carries the token of a server-side login (accounts.models.UserSession), checked on
every request and every socket event: logging out ends that login, and every copy of the cookie
with it.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user
from flask_login.utils import _create_identifier
from itsdangerous import BadSignature

from forum.accounts import services
from forum.accounts.models import User
from forum.schemas import id_from_text

TOKEN = "login_token"
_IDENTIFIER = "forum.login_identifier"


def begin(user: User) -> None:
    """Log the user in on this browser, with a new login the server can end."""
    token = services.start_session(user)
    session.clear()  # nothing from before the login carries over (no session fixation)
    login_user(user)
    session[TOKEN] = token


def end(everywhere: bool = False) -> None:
    """Log out here, or on every device; the ended logins' sockets are closed on commit."""
    if current_user.is_authenticated:
        if everywhere:
            services.end_all_sessions(current_user)
        elif current_user.session_id is not None:
            services.end_session(current_user.session_id)
    logout_user()
    session.pop(TOKEN, None)


def load_logged_in_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while the cookie's login is still open."""
    token, user_id = session.get(TOKEN), id_from_text(user_id)
    if not isinstance(token, str) or user_id is None:
        return None
    return services.session_user(user_id, token)


# How many decoded session cookies SocketSessionInterface keeps (a few hundred bytes each).
DECODED_COOKIES = 1024
_PLAIN_VALUES = (str, int, float, bool, type(None))


class SocketSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a Socket.IO event reuses its connection's session, and a
    cookie seen before is not checked and decoded again.

    Flask-SocketIO handles each event in a request context of the connection's own environ, in
    which Flask opens the session from the cookie again (checking its signature, decoding it),
    only for Flask-SocketIO to replace it at once with the copy it keeps for the connection
    (``environ["saved_session"]``, made at the first event from that same cookie). From the
    second event on, that copy is the session opened: the same object, one decoding less per
    event. The login in it is still checked against the server's live logins on every event.

    A browser sends the same cookie with every request until its session changes, and checking
    the signature and decoding the cookie cost about a tenth of a reply's work. So the last
    DECODED_COOKIES cookies are kept decoded, by their exact text and the secret key (the same
    text always decodes to the same values), with the time they were signed: one past the
    session's lifetime is refused as Flask refuses it. Only sessions of plain values are kept,
    since a list or a dict in one (flashed messages) may be changed in place.
    """

    def __init__(self):
        self.decoded: OrderedDict[tuple, tuple[dict, float]] = OrderedDict()

    def open_session(self, app, request):
        kept = request.environ.get("saved_session")
        if kept is not None:
            return kept
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, cookie)
        found = self.decoded.get(key)
        if found is None:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(
                    cookie, max_age=max_age, return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            if not all(isinstance(value, _PLAIN_VALUES) for value in data.values()):
                return self.session_class(data)
            found = self.decoded[key] = (data, signed_at.timestamp())
            if len(self.decoded) > DECODED_COOKIES:
                self.decoded.popitem(last=False)
        data, signed_at = found
        if time.time() - signed_at > max_age:  # as itsdangerous refuses it: SignatureExpired
            self.decoded.pop(key, None)
            return self.session_class()
        return self.session_class(data)


def identify_browser() -> str:
    """Flask-Login's session identifier (a SHA-512 of the address and the user agent), computed
    once per WSGI environ: a socket's events all share their connection's environ (the same
    address and headers), so once per connection instead of once per event."""
    environ = request.environ
    identifier = environ.get(_IDENTIFIER)
    if identifier is None:
        identifier = environ[_IDENTIFIER] = _create_identifier()
    return identifier
