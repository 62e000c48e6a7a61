#!/usr/bin/env python3
"""The write path in one process: what one reply costs, by phase, and how many replies a core does.

    .venv/bin/python bench/writepath.py                      # API and form, 2000 replies, 3 runs
    .venv/bin/python bench/writepath.py --replies 300 --runs 1 --path api --profile

A fresh SQLite file database (WAL, as run.py uses it), the forum's production settings apart from
the secret and a cheap password hash for seeding: CSRF on for the form, rate limits on (moving
window, in memory) with an allowance as large as the run. Ten residents with logins of their own
(each a Flask test client with its session cookie) reply in turn, 1 KB of Markdown each, to
threads opened by an eleventh (so each reply also notifies the thread's author). No socket is
connected: the broadcast has no listeners. Everything runs in this process, on one thread, as one
eventlet hub would: replies/s is CPU-bound, taken on this process's CPU time (the machine may be
shared) and on the wall clock. The process is monkey-patched by eventlet and the app runs in
SOCKETIO_ASYNC_MODE=eventlet, as run.py serves (`--threading`: without eventlet).

Per run: one plain pass (replies/s, p50 of one reply) and one instrumented pass (the same number of
replies) that splits each reply's CPU time into exclusive phases:

- render: `_render_body` (text.clean, markdown-it-py with linkify, nh3), minus any SQL in it;
- service: the rest of the reply's service (loading and checking the thread, policy, the
  ORM's unit of work and flush, notifications), without its SQL;
- SQL: the DB-API's execute of each statement (SQLite's own work plus the driver; SQLite does
  part of a SELECT's work while its rows are fetched, which counts in the phase that reads them);
- commit: `Session.commit` apart from its hooks' work and SQL (ORM bookkeeping, SQLite's COMMIT);
- publish: numbering events on their streams before the commit, the payloads, and the emits after
  it (forum/realtime/streams.py, forum/realtime/dispatch.py), without their SQL;
- request: everything else (WSGI, routing, session cookie, login loading, CSRF, JSON parsing,
  the answer's rendering, the test client).

Statements per reply are counted with SQLAlchemy's `before_cursor_execute`; `--statements` lists
one reply's. `--rooms K` spreads the replies over K threads in K rooms. `--profile` prints
cProfile's top functions for one extra pass.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "--threading" in sys.argv:
    os.environ["SOCKETIO_ASYNC_MODE"] = "threading"
else:  # as run.py serves: eventlet, monkey-patched before anything else is imported
    os.environ["SOCKETIO_ASYNC_MODE"] = "eventlet"
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

AUTHORS = 10
PHASES = ("render", "service", "SQL", "commit", "publish", "request")

BODY = """Proponuję, żeby **skwer przy Lipowej** dostał nowe ławki i trochę cienia: dziś w południe
nie da się tam usiąść, a to jedyne miejsce na odpoczynek między przystankiem a targiem.

Co konkretnie:

- sześć ławek z oparciem (dla starszych osób to ważne),
- dwa lub trzy drzewa w dużych donicach, jeśli korzenie nie mogą iść w grunt,
- kosz na śmieci przy każdej ławce.

Koszt szacuję na *około 120 tys. zł*; podobny projekt w Dębnikach kosztował 110 tys. zł, opis jest
tutaj: https://budzet.krakow.pl/projekty/przyklad oraz w [protokole](https://example.pl/protokol).

> Zieleń w mieście to nie luksus, tylko zdrowie.

Czy ktoś wie, czy teren należy do miasta, czy do spółdzielni? Jeśli do spółdzielni, trzeba by
najpierw zapytać zarząd. Chętnie pomogę zebrać podpisy pod wnioskiem `#{n}`.

Dla porównania: w zeszłym roku na Podgórzu zgłoszono **trzy** podobne projekty, z czego dwa
przeszły głosowanie. Warto się pospieszyć, bo nabór kończy się w marcu.
"""


# The load generator's filler (bench/load/load.js): the 18 rooms scenario's posts are plain text.
FILLER = (
    "Proponuję, żeby w ramach budżetu obywatelskiego odnowić skwer przy ulicy Kalwaryjskiej: "
    "nowe ławki, więcej drzew, stojaki na rowery i poidełko. Koszt szacuję na około 300 tys. zł. "
)
PLAIN = False  # --body plain


class Phases:
    """Exclusive CPU time per phase: a phase's own time, without the phases running inside it."""

    def __init__(self):
        self.clock = time.thread_time
        self.totals = Counter()
        self.stack: list[list] = []  # [phase, start, time of inner phases]
        self.statements = 0
        self.listed: list[str] | None = None

    def enter(self, phase: str) -> None:
        self.stack.append([phase, self.clock(), 0.0])

    def leave(self) -> None:
        phase, start, inner = self.stack.pop()
        spent = self.clock() - start
        self.totals[phase] += spent - inner
        if self.stack:
            self.stack[-1][2] += spent

    def wrap(self, phase: str, function):
        def timed(*args, **kwargs):
            self.enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        timed.__wrapped__ = function
        return timed


def make_app(database: Path, replies: int):
    from forum import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "bench-" + "x" * 40,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # seeding only
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_REPLY": f"{replies + 100}/minute",
            "SEED_DEMO_DATA": False,
            "WTF_CSRF_ENABLED": True,
        },
        config_name="development",
    )


def seed(app, rooms: int, own_threads: bool = False):
    """The schema, Kraków's areas, 11 residents, `rooms` threads; logged-in clients with their
    CSRF tokens: the ten repliers', or (own_threads) only the threads' author's."""
    from forum.accounts.models import User
    from forum.accounts.services import hash_password
    from forum.areas.models import Area, Room
    from forum.areas.services import seed_reference_data
    from forum.budget.services import seed_budget_data
    from forum.discussion.models import Post, Thread
    from forum.extensions import db
    from forum.transactions import transaction

    with app.app_context(), transaction():
        db.create_all()
        seed_reference_data()
        seed_budget_data()
        area = db.session.scalars(db.select(Area).where(Area.number == "XIII")).first()
        people = []
        for number in range(AUTHORS + 1):
            user = User(
                display_name=f"Mieszkaniec {number}",
                email=f"bench{number}@example.pl",
                password_hash=hash_password("bench password"),
                home_area=area,
            )
            db.session.add(user)
            people.append(user)
        db.session.flush()
        all_rooms = db.session.scalars(db.select(Room).order_by(Room.id)).all()
        open_rooms = [room for room in all_rooms if room.is_public and not room.is_archived][:rooms]
        if len(open_rooms) < rooms:
            raise SystemExit(f"only {len(open_rooms)} open rooms")
        threads = []
        for number, room in enumerate(open_rooms):
            thread = Thread(room=room, author=people[0], title=f"Wątek {number}")
            opening = Post(thread=thread, author=people[0], body_source="Start", body_html="")
            db.session.add_all([thread, opening])
            threads.append(thread)
        db.session.flush()
        thread_ids = [thread.id for thread in threads]
        emails = [people[0].email] if own_threads else [user.email for user in people[1:]]
    app.config["WTF_CSRF_ENABLED"] = False
    clients = []
    for email in emails:
        client = app.test_client()
        answer = client.post("/login", data={"email": email, "password": "bench password"})
        assert answer.status_code == 302, answer.status_code
        clients.append(client)
    app.config["WTF_CSRF_ENABLED"] = True
    tokens = []
    for client in clients:
        page = client.get(f"/threads/{thread_ids[0]}").get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', page)[1])
    return thread_ids, clients, tokens


def plain_body(n: int, length: int = 1000) -> str:
    """The load generator's post (bench/load/load.js, bodyText): an id, then filler."""
    text = f"B{n}T{n}.000 "
    while len(text) < length:
        text += FILLER
    return text[:length]


def reply_once(path: str, client, token: str, thread_id: int, n: int) -> None:
    body = plain_body(n) if PLAIN else BODY.replace("{n}", str(n))
    if path == "api":
        answer = client.post(f"/api/v1/threads/{thread_id}/posts", json={"body": body})
        expected = 201
    else:
        answer = client.post(
            f"/threads/{thread_id}/replies", data={"body": body, "csrf_token": token}
        )
        expected = 302
    if answer.status_code != expected:
        raise SystemExit(f"{path} reply answered {answer.status_code}: {answer.get_data()[:300]!r}")


def run_pass(path, clients, tokens, thread_ids, replies, start, timings=None):
    """`replies` replies in turn from the authors; (CPU seconds, wall seconds)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(replies):
        author = i % len(clients)
        t0 = time.perf_counter()
        thread_id = thread_ids[i % len(thread_ids)]
        reply_once(path, clients[author], tokens[author], thread_id, start + i)
        if timings is not None:
            timings.append(time.perf_counter() - t0)
    return time.process_time() - cpu0, time.perf_counter() - wall0


class Instrumented:
    """Phase timers and a statement counter put on the forum's functions for one pass."""

    def __init__(self, app, phases: Phases):
        self.app, self.phases = app, phases
        self.undo = []

    def patch(self, owner, name, phase):
        original = getattr(owner, name)
        setattr(owner, name, self.phases.wrap(phase, original))
        self.undo.append(lambda: setattr(owner, name, original))

    def listener(self, target, name, function, phase):
        wrapped = self.phases.wrap(phase, function)
        event.remove(target, name, function)
        event.listen(target, name, wrapped)

        def restore():
            event.remove(target, name, wrapped)
            event.listen(target, name, function)

        self.undo.append(restore)

    def __enter__(self):
        from forum.discussion import services
        from forum.realtime import dispatch, streams

        phases = self.phases
        self.patch(services, "_render_body", "render")
        self.patch(services, "create_reply", "service")
        self.patch(Session, "commit", "commit")
        self.patch(streams, "publish", "publish")
        self.listener(Session, "before_commit", streams._number_published_events, "publish")
        self.listener(Session, "after_commit", dispatch._deliver, "publish")
        # the API and the form call services.create_reply by attribute: patched above
        with self.app.app_context():
            from forum.extensions import db

            engine = db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            phases.statements += 1
            if phases.listed is not None:
                phases.listed.append(" ".join(statement.split())[:150])
            phases.enter("SQL")

        def after(conn, cursor, statement, parameters, context, executemany):
            phases.leave()

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        self.undo.append(lambda: event.remove(engine, "before_cursor_execute", before))
        self.undo.append(lambda: event.remove(engine, "after_cursor_execute", after))
        return self

    def __exit__(self, *exc):
        for undo in reversed(self.undo):
            undo()


def spread(values, digits=1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (
        f"{statistics.median(values):.{digits}f} "
        f"[{min(values):.{digits}f}–{max(values):.{digits}f}]"
    )


def measure(path, args):
    """`args.runs` runs of one path, each in a fresh database; a dict of lists of figures."""
    figures: dict[str, list[float]] = {
        key: [] for key in ("cpu_rate", "wall_rate", "p50", "statements", "total", *PHASES)
    }
    listed = None
    for _run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="writepath-") as tmp:
            app = make_app(Path(tmp) / "forum.db", 3 * args.replies + args.warmup + 10)
            thread_ids, clients, tokens = seed(app, args.rooms, args.own_threads)
            gc.collect()
            gc.freeze()  # as run.py does before serving
            gc.set_threshold(50_000, 20, 100)
            n = 0
            run_pass(path, clients, tokens, thread_ids, args.warmup, n)
            n += args.warmup
            timings: list[float] = []
            cpu, wall = run_pass(path, clients, tokens, thread_ids, args.replies, n, timings)
            n += args.replies
            figures["cpu_rate"].append(args.replies / cpu)
            figures["wall_rate"].append(args.replies / wall)
            figures["p50"].append(statistics.median(timings) * 1000)
            phases = Phases()
            with Instrumented(app, phases):
                start = time.thread_time()
                run_pass(path, clients, tokens, thread_ids, args.replies, n)
                n += args.replies
                total = time.thread_time() - start
                phases.listed = []
                run_pass(path, clients, tokens, thread_ids, 1, n)
                n += 1
                listed = phases.listed
                phases.listed = None
            count = args.replies + 1
            per_reply = {k: v / args.replies * 1000 for k, v in phases.totals.items()}
            accounted = sum(per_reply.get(p, 0.0) for p in PHASES if p != "request")
            # phases.totals["request"] is never entered: the rest of the reply is the request's
            figures["total"].append(total / args.replies * 1000)
            for phase in PHASES:
                if phase != "request":
                    figures[phase].append(per_reply.get(phase, 0.0))
            figures["request"].append(total / args.replies * 1000 - accounted)
            figures["statements"].append(phases.statements / count)
            if args.profile and _run == 0:
                profile = cProfile.Profile()
                profile.enable()
                run_pass(path, clients, tokens, thread_ids, args.replies, n)
                profile.disable()
                if args.profile_out:
                    profile.dump_stats(args.profile_out)
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats("tottime").print_stats(args.profile_top)
                stats.sort_stats("cumulative").print_stats(args.profile_top)
                print(f"\n--- cProfile, {path}, {args.replies} replies ---")
                print(out.getvalue())
            gc.unfreeze()
    return figures, listed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replies", type=int, default=2000, help="replies per pass")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--path", default="api,form", help="api, form or both")
    parser.add_argument("--rooms", type=int, default=1, help="threads (one per room) replied to")
    parser.add_argument(
        "--own-threads",
        action="store_true",
        help="one author replies in the threads they opened (nobody is notified), as in the "
        "18 rooms scenario",
    )
    parser.add_argument(
        "--body",
        choices=("markdown", "plain"),
        default="markdown",
        help="1 KB of Markdown, or the load generator's 1000 characters of plain text",
    )
    parser.add_argument("--statements", action="store_true", help="list one reply's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile's top functions")
    parser.add_argument("--profile-top", type=int, default=35)
    parser.add_argument(
        "--threading", action="store_true", help="no eventlet (SOCKETIO_ASYNC_MODE=threading)"
    )
    parser.add_argument("--profile-out", help="also save the profile (pstats) to this file")
    args = parser.parse_args()

    global PLAIN
    PLAIN = args.body == "plain"
    import logging

    logging.disable(logging.WARNING)
    rows = []
    for path in args.path.split(","):
        figures, listed = measure(path, args)
        rows.append((path, figures))
        if args.statements:
            print(f"\n{path}: one reply's {len(listed)} statements")
            for number, statement in enumerate(listed, 1):
                print(f"{number:3}. {statement}")
    print(
        f"\nWrite path, in-process: {args.replies} replies per pass from "
        f"{'their author' if args.own_threads else f'{AUTHORS} authors'} to {args.rooms} "
        f"thread(s), {args.body} body, no listeners, {args.runs} run(s): median [range]"
    )
    header = (
        "| path | replies/s (CPU) | replies/s (wall) | p50 ms | ms/reply (CPU, instrumented) | "
        + " | ".join(PHASES)
        + " | statements |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for path, f in rows:
        cells = [
            path,
            spread(f["cpu_rate"], 0),
            spread(f["wall_rate"], 0),
            spread(f["p50"], 2),
            spread(f["total"], 2),
            *(spread(f[p], 2) for p in PHASES),
            spread(f["statements"], 1),
        ]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
