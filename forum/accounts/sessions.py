"""The browser's side of a login: Flask-Login plus a token of a login the server can end.

The session cookie is signed but lives in the browser, so a copy of it would outlive a logout.
It therefore carries the token of a server-side login (accounts.models.UserSession), checked on
every request and every socket event: logging out ends that login, and every copy of the cookie
with it.
"""

from __future__ import annotations

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user
from flask_login.utils import _create_identifier

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


class SocketSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a Socket.IO event reuses its connection's session.

    Flask-SocketIO handles each event in a request context of the connection's own environ, in
    which Flask opens the session from the cookie again (checking its signature, decoding it),
    only for Flask-SocketIO to replace it at once with the copy it keeps for the connection
    (``environ["saved_session"]``, made at the first event from that same cookie). From the
    second event on, that copy is the session opened: the same object, one decoding less per
    event. The login in it is still checked against the server's live logins on every event.
    """

    def open_session(self, app, request):
        kept = request.environ.get("saved_session")
        if kept is not None:
            return kept
        return super().open_session(app, request)


def identify_browser() -> str:
    """Flask-Login's session identifier (a SHA-512 of the address and the user agent), computed
    once per WSGI environ: a socket's events all share their connection's environ (the same
    address and headers), so once per connection instead of once per event."""
    environ = request.environ
    identifier = environ.get(_IDENTIFIER)
    if identifier is None:
        identifier = environ[_IDENTIFIER] = _create_identifier()
    return identifier
