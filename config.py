"""Configuration classes; environment variables override the defaults."""

import os
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Production refuses a shorter SECRET_KEY;
# `python -c "import secrets; print(secrets.token_hex(32))"` makes one of 64 characters.
SECRET_KEY_MIN_LENGTH = 32


def kept_secret_key(path: str | Path) -> str:
    """The random key kept in `path`, made (readable by its owner only) if there is none yet.

    The file appears whole or not at all: written under another name, then linked into place,
    so two processes starting at once agree on one key.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(draft)
    key = path.read_text().strip()
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise RuntimeError(f"{path} holds no usable key: delete it to make a new one.")
    return key


class Config:
    # None: the development server keeps a random key in SECRET_KEY_FILE (see kept_secret_key).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = None
    # Reverse proxies in front of the forum whose X-Forwarded-For and X-Forwarded-Proto are
    # believed (0: none; the client address and http/https are the connection's own). The
    # per-address rate limits and HSTS need it behind a proxy.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'forum.db'}"
    )
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # One of several workers behind nginx: every response names it in a cookie, so that nginx
    # keeps each client on its worker (README, "Production: several workers"). Empty: no cookie.
    WORKER_NAME = os.environ.get("WORKER_NAME", "")
    # Origins allowed to open a socket, comma-separated; none set means the forum's own only.
    SOCKETIO_CORS_ORIGINS = [
        origin.strip()
        for origin in os.environ.get("SOCKETIO_CORS_ORIGINS", "").split(",")
        if origin.strip()
    ] or None
    # Engine.IO's heartbeat: a ping every interval; no pong within the timeout closes the link.
    SOCKETIO_PING_INTERVAL = float(os.environ.get("SOCKETIO_PING_INTERVAL", "25"))
    SOCKETIO_PING_TIMEOUT = float(os.environ.get("SOCKETIO_PING_TIMEOUT", "20"))
    # Seconds between presence updates of one channel; between typing signals of one person.
    PRESENCE_INTERVAL = 1.0
    TYPING_INTERVAL = 3.0
    # Live events stay in the log this long for clients that reconnect; older ones reload.
    EVENT_LOG_RETENTION_DAYS = float(os.environ.get("EVENT_LOG_RETENTION_DAYS", "7"))
    # A write repeated with the same idempotency key within this window gets the first answer.
    IDEMPOTENCY_KEY_HOURS = float(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24"))
    # Minutes before a meeting's start when the people signed up and invited are reminded.
    MEETING_REMINDER_MINUTES = int(os.environ.get("MEETING_REMINDER_MINUTES", "60"))
    # "eventlet" in production (run.py); "threading" works with the same code.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")

    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("pl", "en")

    # A request body larger than this is refused with 413 before any parsing.
    MAX_CONTENT_LENGTH = 64 * 1024
    # werkzeug's scrypt: deliberately slow; tests use cheaper parameters.
    PASSWORD_HASH_METHOD = "scrypt"

    # Rate limits (forum/ratelimits.py), in the `limits` package's notation: "10/minute",
    # "3 per 10 minutes", several joined by ";". Each may be set in the environment.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    # memory:// counts in this process; several workers share redis://host:6379/1.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Per person, whichever way in (form, API, socket).
    RATELIMIT_REPLY = os.environ.get("RATELIMIT_REPLY", "10/minute")
    RATELIMIT_THREAD = os.environ.get("RATELIMIT_THREAD", "3/minute;10/hour")
    RATELIMIT_EDIT = os.environ.get("RATELIMIT_EDIT", "20/minute")
    # Each invitation tells whether an address has an account: few, so no one can sift a list.
    RATELIMIT_INVITE = os.environ.get("RATELIMIT_INVITE", "10/hour;30/day")
    # Per client address.
    RATELIMIT_REGISTRATION = os.environ.get("RATELIMIT_REGISTRATION", "5/hour")
    # Anyone may post a CSP report and each is logged: bounded so no one can flood the log.
    RATELIMIT_CSP_REPORT = os.environ.get("RATELIMIT_CSP_REPORT", "30/minute")
    # Socket events, per person (per connection for a guest).
    RATELIMIT_SOCKET_JOIN = os.environ.get("RATELIMIT_SOCKET_JOIN", "30 per 10 seconds")
    RATELIMIT_SOCKET_LEAVE = os.environ.get("RATELIMIT_SOCKET_LEAVE", "30 per 10 seconds")
    RATELIMIT_SOCKET_POST_REPLY = os.environ.get("RATELIMIT_SOCKET_POST_REPLY", "10/minute")
    RATELIMIT_SOCKET_TYPING = os.environ.get("RATELIMIT_SOCKET_TYPING", "20 per 10 seconds")
    # Logins: failures allowed before a lock-out (per account, per address), the first lock-out
    # in seconds (each further failure doubles it, up to the maximum), how long failures count.
    LOGIN_FREE_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FREE_FAILURES_PER_ACCOUNT", "5"))
    LOGIN_FREE_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FREE_FAILURES_PER_ADDRESS", "20"))
    LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "30"))
    LOGIN_LOCKOUT_MAX_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_MAX_SECONDS", "900"))
    LOGIN_FAILURE_MEMORY_SECONDS = int(os.environ.get("LOGIN_FAILURE_MEMORY_SECONDS", "86400"))
    THREADS_PER_PAGE = 20
    MAX_REPLY_DEPTH = 6
    # A thread page (and the API's read) shows the opening post and a slice of at most this many
    # replies: whole top-level replies with their replies, cut inside one only when it alone is
    # larger (forum/discussion/services.py). About 1.3x a 30-post thread's rendering.
    THREAD_SLICE_POSTS = int(os.environ.get("THREAD_SLICE_POSTS", "40"))
    TITLE_MAX_LENGTH = 150
    # A post is rendered on the one event loop, so the longest body bounds how long one request can
    # hold everyone: markdown-it-py and bleach cost up to ~20-30 µs of CPU per character (a table of
    # hundreds of rows; bench/render.py), so 1,500 characters took at most ~45 ms (20,000 allowed
    # 0.7 s); with nh3 instead of bleach, markdown-it-py is most of it, ~10 µs per character at
    # worst (`[` repeated: ~15 ms). 1,500 characters (about 220 words) is half as much again as
    # Decidim, the participatory-budget platform many cities run, allows a comment by default
    # (1,000): room for an argued opening post.
    BODY_MAX_LENGTH = 1_500

    # Outgoing mail (forum/mail.py). Without MAIL_SERVER, messages are written to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_TLS = os.environ.get("MAIL_TLS", "starttls")  # "starttls", "ssl" (port 465) or "off"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Wspólne Projekty <noreply@localhost>")
    # The forum's public address for links in messages, e.g. https://forum.example.pl
    MAIL_BASE_URL = os.environ.get("MAIL_BASE_URL", "")
    # A registration link works this long, once.
    REGISTRATION_LINK_HOURS = 48

    # make run starts with demo accounts and threads; production never does.
    SEED_DEMO_DATA = os.environ.get("SEED_DEMO_DATA", "1") == "1"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE") or INSTANCE_DIR / "secret_key"


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    RATELIMIT_ENABLED = False  # tests that need limits turn them on
    RATELIMIT_STORAGE_URI = "memory://"  # a fresh store per app: each test counts from zero
    PRESENCE_INTERVAL = 0.01
    SEED_DEMO_DATA = False
    MAIL_SERVER = ""  # messages go to the outbox the tests read


class ProductionConfig(Config):
    SEED_DEMO_DATA = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls):
        if not cls.SECRET_KEY:
            raise RuntimeError("Set SECRET_KEY: production never makes up its own key.")
        if len(cls.SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
            raise RuntimeError(
                f"SECRET_KEY is too short: production needs {SECRET_KEY_MIN_LENGTH} characters"
                " or more."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
