"""Reference "floor": a bare python-socketio server on eventlet, every setting at its default.

Same versions as the forum (requirements.txt: python-socketio 5.18.1, eventlet 0.41.3), same shape
as the Node reference: a client emits ``join`` ({"thread_id": 1}) and joins the room ``thread:1``;
``POST /publish`` with a JSON body broadcasts that body to the room its ``stream`` field names
(``thread:<id>``, as the forum's envelope; ``thread:1`` without one) as one ``post_created`` event.
Nothing else: no database, no sessions, no presence. eventlet's websocket accepts
permessage-deflate when a client offers it (the default, and the known cost). Defaults also mean:
HTTP long-polling and the upgrade to websocket are both accepted, and ``cors_allowed_origins``
unset accepts a request whose Origin is the server's own (what the browser-like clients send; the
forum's default too) or that has none. Any other path (the clients' page GET) is 404.

DECLINE_DEFLATE=1 removes the offer from every request before eventlet sees it (as the forum's
``decline_websocket_compression`` does): the same floor without compression.

    HOST=127.0.0.1 PORT=5101 .venv/bin/python bench/python_server.py
"""

import os
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import json  # noqa: E402

import eventlet.wsgi  # noqa: E402
import socketio  # noqa: E402

sio = socketio.Server(async_mode="eventlet")


@sio.on("join")
def join(sid, data):
    channel = f"thread:{int(data['thread_id'])}"
    sio.enter_room(sid, channel)
    return {"channel": channel}


def http_app(environ, start_response):
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
    if path == "/publish" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length))
        room = data.get("stream") if isinstance(data.get("stream"), str) else "thread:1"
        sio.emit("post_created", data, to=room)
        start_response("204 No Content", [])
        return [b""]
    if path == "/health":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


app = socketio.WSGIApp(sio, http_app)

if os.environ.get("DECLINE_DEFLATE") == "1":
    _inner = app

    def app(environ, start_response):  # noqa: F811
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return _inner(environ, start_response)


if __name__ == "__main__":
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5101"))
    deflate = "declined" if os.environ.get("DECLINE_DEFLATE") == "1" else "accepted"
    print(f"python-socketio reference on http://{host}:{port}/ (deflate {deflate})", flush=True)
    # As Flask-SocketIO's socketio.run() does for eventlet: eventlet.listen + eventlet.wsgi.server.
    eventlet.wsgi.server(eventlet.listen((host, port)), app, log_output=False)
