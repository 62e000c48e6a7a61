"""Prepare a forum database for the benchmark scenarios (bench/run.py), before the server starts.

    DATABASE_URL=sqlite:////tmp/x/forum.db .venv/bin/python bench/seed.py --out seed.json

On the database of DATABASE_URL: the schema, the reference data and the demo data (as run.py does
with SEED_DEMO_DATA=1; run.py then finds them and adds nothing), and then, in one transaction:

- `--rooms` threads (default 18), each in a different public room, opened through
  `create_thread` (the thread pages of the "rooms" scenario);
- `--authors` users (default 10), `bench-author-<i>@example.pl`, for the write path;
- three threads for the write path: one for closed-loop replies, one for replies without
  listeners, one for replies with listeners;
- one long thread of `--long-posts` replies (default 3000): `--long-top` replies to the opening
  post, the rest spread under them one level down (the shape of a long discussion). The posts
  are inserted directly (the same rendered body for each, a few distinct texts), which takes
  seconds instead of the minutes that rendering each through `create_reply` would.

Writes the ids it made as JSON to `--out` (and stdout). Everything happens in this process,
on the database file only: nothing is served.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AUTHOR_PASSWORD = "bench-author-pass-1"

LONG_TEXTS = [
    "Zgadzam się co do zieleni, ale **ławki** muszą stać w cieniu, inaczej latem nikt na nich nie "
    "usiądzie. Warto też pomyśleć o poidełku przy placu zabaw.",
    "Ile by kosztowało utrzymanie takiego skweru przez pięć lat? Z budżetu obywatelskiego "
    "finansujemy budowę, a potem zarząd zieleni musi mieć na to środki.",
    "Byłam na spacerze badawczym: teren przy Lipowej jest zalewany po każdej ulewie. Bez "
    "odwodnienia drzewa nie przetrwają, więc w kosztorysie trzeba to uwzględnić.",
    "Proponuję połączyć ten projekt z wnioskiem o stojaki rowerowe — jedna lokalizacja, mniej "
    "formalności, a mieszkańcy zyskają podwójnie.",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=18)
    parser.add_argument("--authors", type=int, default=10)
    parser.add_argument("--long-posts", type=int, default=3000)
    parser.add_argument("--long-top", type=int, default=600, help="top-level posts of those")
    parser.add_argument("--out", help="write the ids here too")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        parser.error("set DATABASE_URL (the run's own database)")
    os.environ.setdefault("SEED_DEMO_DATA", "1")
    os.environ.setdefault("RATELIMIT_ENABLED", "0")
    started = time.monotonic()

    from sqlalchemy import select

    from forum import create_app
    from forum.accounts.models import User
    from forum.accounts.services import hash_password
    from forum.areas.models import Room
    from forum.cli import prepare_database
    from forum.discussion import services as discussion
    from forum.discussion.models import Post, Thread
    from forum.extensions import db, utcnow
    from forum.policy import can
    from forum.sanitize import render_markdown
    from forum.transactions import transaction

    app = create_app()
    out: dict = {}
    with app.app_context():
        prepare_database(with_demo=True)
        with transaction():
            anna = db.session.scalar(select(User).where(User.email == "anna@example.pl"))
            rooms = [
                room
                for room in db.session.scalars(select(Room).order_by(Room.id))
                if can(anna, "thread.create", room)
            ]
            if len(rooms) < args.rooms:
                raise SystemExit(f"only {len(rooms)} rooms take threads, {args.rooms} wanted")
            room_threads = [
                discussion.create_thread(
                    anna, room.id, f"Wątek pokoju {room.name}", f"Rozmowa o pokoju {room.name}."
                )
                for room in rooms[: args.rooms]
            ]
            home = anna.home_area
            authors = []
            for i in range(args.authors):
                user = User(
                    display_name=f"Autorka {i + 1}",
                    email=f"bench-author-{i + 1}@example.pl",
                    password_hash=hash_password(AUTHOR_PASSWORD),
                    home_area=home,
                )
                db.session.add(user)
                authors.append(user)
            db.session.flush()
            write_room = rooms[0].id
            write_threads = {
                name: discussion.create_thread(anna, write_room, title, "Wątek do pomiarów.")
                for name, title in (
                    ("closed", "Odpowiedzi bez słuchaczy (pętla zamknięta)"),
                    ("quiet", "Odpowiedzi bez słuchaczy (10 na sekundę)"),
                    ("listened", "Odpowiedzi przy słuchaczach (10 na sekundę)"),
                )
            }
            long = discussion.create_thread(
                anna, rooms[0].id, "Bardzo długa rozmowa", "Długi wątek: " + LONG_TEXTS[0]
            )
            db.session.flush()
            opening = db.session.scalar(
                select(Post).where(Post.thread_id == long.id, Post.parent_id.is_(None))
            )
            htmls = [render_markdown(text) for text in LONG_TEXTS]
            writers = [anna, *authors]
            now = utcnow() - timedelta(days=1)
            top = []
            for i in range(min(args.long_top, args.long_posts)):
                post = Post(
                    thread_id=long.id,
                    author_id=writers[i % len(writers)].id,
                    parent_id=opening.id,
                    depth=1,
                    body_source=LONG_TEXTS[i % len(LONG_TEXTS)],
                    body_html=htmls[i % len(htmls)],
                    created_at=now + timedelta(seconds=i),
                )
                db.session.add(post)
                top.append(post)
            db.session.flush()
            for i in range(args.long_posts - len(top)):
                parent = top[i % len(top)]
                db.session.add(
                    Post(
                        thread_id=long.id,
                        author_id=writers[(i + 3) % len(writers)].id,
                        parent_id=parent.id,
                        depth=2,
                        body_source=LONG_TEXTS[(i + 1) % len(LONG_TEXTS)],
                        body_html=htmls[(i + 1) % len(htmls)],
                        created_at=now + timedelta(seconds=len(top) + i),
                    )
                )
            db.session.flush()
            db.session.execute(
                Thread.__table__.update()
                .where(Thread.id == long.id)
                .values(reply_count=args.long_posts)
            )
            out = {
                "room_threads": [t.id for t in room_threads],
                "rooms": [t.room_id for t in room_threads],
                "authors": [u.email for u in authors],
                "author_password": AUTHOR_PASSWORD,
                "write_threads": {k: t.id for k, t in write_threads.items()},
                "long_thread": long.id,
                "long_posts": args.long_posts,
                "long_top": len(top),
            }
        db.session.remove()
        db.engine.dispose()  # closes SQLite's connections: the WAL is checkpointed into the file
    out["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(out)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
