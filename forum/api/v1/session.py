"""Log in and out for API clients (the session cookie, as in the browser)."""

from flask_login import current_user

from forum.accounts import services, sessions
from forum.accounts.schemas import Credentials, LoggedIn, SessionAnswer, user_view
from forum.api.v1.base import operation


@operation(
    "GET", "/session", summary="The logged-in user, or null for a guest.", answer=SessionAnswer
)
def session_user():
    return SessionAnswer(user=user_view(current_user) if current_user.is_authenticated else None)


@operation(
    "POST",
    "/session",
    summary="Log in; the session cookie then authenticates the next requests.",
    body=Credentials,
    answer=LoggedIn,
    errors={401: ("wrong_credentials",), 403: ("suspended",), 429: ("rate_limited",)},
)
def log_in(body: Credentials):
    account = services.authenticate(body.email, body.password)
    sessions.begin(account)
    return LoggedIn(user=user_view(account))


@operation(
    "DELETE",
    "/session",
    summary="Log out: this login ends on the server, and its open sockets are closed.",
    answer=None,
    status=204,
)
def log_out():
    sessions.end()


@operation(
    "DELETE",
    "/sessions",
    summary="Log out everywhere: every login of this user ends, every socket of theirs closes.",
    answer=None,
    status=204,
)
def log_out_everywhere():
    sessions.end(everywhere=True)
