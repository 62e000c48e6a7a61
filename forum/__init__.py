"""Wspólne Projekty: the online deliberation forum of Kraków's participatory budget."""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR, CONFIGS, INSTANCE_DIR, kept_secret_key


def create_app(test_config: dict | None = None, config_name: str | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints — wiring only."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    config_name = config_name or os.environ.get("FORUM_CONFIG", "development")
    config_class = CONFIGS[config_name]
    if hasattr(config_class, "check"):
        config_class.check()
    app.config.from_object(config_class)
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = kept_secret_key(app.config["SECRET_KEY_FILE"])

    from forum import cli, i18n, mail, ratelimits, security
    from forum.accounts import sessions
    from forum.accounts import views as accounts_views
    from forum.admin import audit  # noqa: F401  (its model, for create_all)
    from forum.admin import views as admin_views
    from forum.ambassadors import views as ambassadors_views
    from forum.api.v1 import bp as api_v1
    from forum.areas import views as areas_views
    from forum.budget import views as budget_views
    from forum.discussion import sockets as discussion_sockets  # noqa: F401  (registers handlers)
    from forum.discussion import views as discussion_views
    from forum.drafts import coauthor_views, revision_views
    from forum.drafts import export_views as drafts_export_views
    from forum.drafts import views as drafts_views
    from forum.errors import register_error_handlers
    from forum.extensions import babel, csrf, db, login_manager, migrate, socketio
    from forum.flags import views as flags_views
    from forum.idempotency import new_key
    from forum.meetings import live_views as meeting_live_views
    from forum.meetings import minutes_views
    from forum.meetings import views as meetings_views
    from forum.moderation import views as moderation_views
    from forum.notifications import views as notifications_views
    from forum.notifications.services import unread
    from forum.policy import can, status_label
    from forum.realtime import access, dispatch  # noqa: F401  (commit hooks)
    from forum.realtime import sockets as realtime_sockets  # noqa: F401
    from forum.realtime.connections import Connections
    from forum.realtime.message_queue import worker_queue
    from forum.realtime.presence import SharedPresence
    from forum.realtime.streams import last_seq, user_stream
    from forum.realtime.wire import SocketJSON
    from forum.reviews import views as reviews_views
    from forum.supports import views as supports_views
    from forum.units import views as units_views
    from forum.web import decline_websocket_compression, name_the_worker, reject_out_of_range_ids
    from forum.workshops import views as workshops_views

    app.url_value_preprocessor(reject_out_of_range_ids)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A pooled connection the server has closed since (a restart, a failover, an idle
        # timeout of the server or of a proxy between) would fail the request that gets it:
        # one round trip per checkout tests it first, and a dead one is replaced.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {}).setdefault("pool_pre_ping", True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    ratelimits.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    mail.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.user_loader(sessions.load_logged_in_user)
    app.session_interface = sessions.SocketSessionInterface()
    login_manager._session_identifier_generator = sessions.identify_browser
    queue = worker_queue(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Always given: Flask-SocketIO keeps its options from one init_app to the next.
        client_manager=queue,
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
        json=SocketJSON,
    )
    # After init_app, so the handshake header is gone before Socket.IO's middleware sees it.
    app.wsgi_app = decline_websocket_compression(app.wsgi_app)
    app.wsgi_app = security.with_security_headers(app.wsgi_app)  # Socket.IO's answers too
    app.wsgi_app = security.behind_proxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    app.wsgi_app = name_the_worker(app.wsgi_app, app.config["WORKER_NAME"])
    app.extensions["connections"] = Connections(
        app.config["PRESENCE_INTERVAL"],
        app.config["TYPING_INTERVAL"],
        SharedPresence(queue.redis_url, queue.host_id) if queue else None,
    )

    app.register_blueprint(i18n.bp)
    app.register_blueprint(areas_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(discussion_views.bp)
    app.register_blueprint(notifications_views.bp)
    app.register_blueprint(ambassadors_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(flags_views.bp)
    app.register_blueprint(moderation_views.bp)
    app.register_blueprint(drafts_views.bp)
    app.register_blueprint(reviews_views.bp)
    app.register_blueprint(revision_views.bp)
    app.register_blueprint(coauthor_views.bp)
    app.register_blueprint(supports_views.bp)
    app.register_blueprint(drafts_export_views.bp)
    app.register_blueprint(budget_views.bp)
    app.register_blueprint(units_views.bp)
    app.register_blueprint(meetings_views.bp)
    app.register_blueprint(workshops_views.bp)
    app.register_blueprint(minutes_views.bp)
    app.register_blueprint(meeting_live_views.bp)
    app.register_blueprint(api_v1)
    csrf.exempt(api_v1)  # the API takes JSON only, which a cross-site form cannot send
    app.register_blueprint(security.bp)
    csrf.exempt(security.bp)  # browsers send violation reports without a token
    register_error_handlers(app)
    i18n.register_template_helpers(app)
    app.add_template_global(can, "can")
    app.add_template_global(status_label, "draft_status_label")
    app.add_template_global(new_key, "new_idempotency_key")
    app.add_template_global(unread, "unread_notifications")
    app.add_template_global(lambda user: last_seq(user_stream(user.id)), "user_stream_seq")
    cli.register(app)
    return app


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """WAL lets readers go on while one writer commits; SQLite checks foreign keys only if asked."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL skips the fsync of each commit (a crash can lose the last commits,
    # never corrupt the file): a commit then costs microseconds, not a disk flush that would
    # stall every connection under eventlet, where SQLite's C calls block the event loop.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
