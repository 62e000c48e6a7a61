"""Start the forum: Flask-SocketIO on eventlet (the only eventlet-specific code is here).

SOCKETIO_ASYNC_MODE=threading runs the same application without eventlet.
"""

import os

ASYNC_MODE = os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":
    import warnings

    # Known and chosen (see the README): the same code runs with SOCKETIO_ASYNC_MODE=threading.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

from forum import create_app  # noqa: E402  (after monkey-patching)
from forum.cli import prepare_database  # noqa: E402
from forum.extensions import socketio  # noqa: E402

app = create_app()

if __name__ == "__main__":
    with app.app_context():
        prepare_database(with_demo=app.config["SEED_DEMO_DATA"])
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    print(f"Wspólne Projekty: http://{host}:{port}/ ({ASYNC_MODE})", flush=True)
    socketio.run(
        app,
        host=host,
        port=port,
        allow_unsafe_werkzeug=ASYNC_MODE == "threading",
    )
