#!/usr/bin/env python3
"""Server time of a thread page by thread size: long threads are read in slices (issue 11).

    .venv/bin/python bench/pages.py                        # 30, 300 and 3000 posts, 3 runs
    .venv/bin/python bench/pages.py --sizes 30,3000 --runs 1 --requests 5

Builds threads of each size in a temporary SQLite file (the opening post through the service,
the replies inserted directly: ~1 KB bodies by 20 people, a third of them top-level replies, the
rest nested up to the depth limit), then times in this process (Flask's test client, no network,
a guest reader, as the server's one loop would spend it) each way of reading a thread:

- `page`: GET /threads/<id> (the first slice);
- `page, cold`: the same in a process that has not read the thread since its last post (the
  thread's outline of ids is loaded and built again: each post added to a thread costs its next
  reader this once per process);
- `middle`: GET /threads/<id>?page=N, the middle slice;
- `link`: GET /posts/<id> for a post in the middle of the thread, and the slice it redirects to;
- `api`: GET /api/v1/threads/<id> (the first slice);
- `api middle`: the API's middle slice.

Each run makes --requests requests of every kind and size, interleaved, and keeps their p50 and
max; the table prints the median [min–max] over the runs, and each size's ratio to the 30-post
thread's p50 taken side by side in the same run (the target: every ratio ≤ 2). `max` is the
longest single request, i.e. the longest the loop would be held by one reader. Pin it to a core
on a shared machine (`taskset -c 0`), and read the ratios rather than the milliseconds.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from forum import create_app  # noqa: E402
from forum.accounts.models import User  # noqa: E402
from forum.areas.models import Room  # noqa: E402
from forum.areas.services import seed_reference_data  # noqa: E402
from forum.budget.services import seed_budget_data  # noqa: E402
from forum.discussion import services  # noqa: E402
from forum.discussion.models import Post, Thread  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.transactions import transaction  # noqa: E402

KINDS = ("page", "page, cold", "middle", "link", "api", "api middle")
PARAGRAPH = (
    "Proponuję ustawić ławki wzdłuż alei i posadzić drzewa przy placu zabaw, bo latem nie ma "
    "tam cienia. W zeszłym roku podobny projekt w Nowej Hucie kosztował około 80 tysięcy złotych "
    "i przeszedł bez większych zmian. **Warto** dopisać też kosz na śmieci i stojak na rowery."
)


def people(count: int) -> list[int]:
    ids = []
    with transaction():
        for number in range(count):
            user = User(
                email=f"osoba{number}@example.org",
                display_name=f"Osoba {number}",
                password_hash="!",  # nobody logs in: guests read
            )
            db.session.add(user)
            db.session.flush()
            ids.append(user.id)
    return ids


def build_thread(size: int, authors: list[int], rng: random.Random) -> int:
    """A thread of `size` posts: the opening post and size - 1 replies, ~1 KB each."""
    room = db.session.scalars(select(Room).order_by(Room.id)).first()
    with transaction():
        author = db.session.get(User, authors[0])
        thread = services.create_thread(author, room.id, f"Wątek z {size} wpisami", PARAGRAPH)
        thread_id = thread.id
    with transaction():
        opening = db.session.scalars(
            select(Post).where(Post.thread_id == thread_id, Post.parent_id.is_(None))
        ).one()
        first = (db.session.scalar(select(func.max(Post.id))) or 0) + 1
        body_html = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(3))
        rows, depths, top_run = [], {}, []
        for index in range(size - 1):
            post_id = first + index
            if index % 3 == 0 or not top_run:  # a new top-level reply
                parent_id, depth, top_run = opening.id, 1, []
            else:  # an answer to a post of the current top-level reply's run
                parent_id = rng.choice(top_run)
                depth = depths[parent_id] + 1
                if depth > 6:
                    parent_id, depth = top_run[0], depths[top_run[0]] + 1
            depths[post_id] = depth
            top_run.append(post_id)
            rows.append(
                {
                    "id": post_id,
                    "thread_id": thread_id,
                    "author_id": authors[index % len(authors)],
                    "parent_id": parent_id,
                    "depth": depth,
                    "body_source": PARAGRAPH,
                    "body_html": body_html,
                    "created_at": opening.created_at + timedelta(seconds=index + 1),
                }
            )
        if rows:
            db.session.execute(insert(Post), rows)
        db.session.get(Thread, thread_id).reply_count = size - 1
    return thread_id


def spread(values: list[float], digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (
        f"{statistics.median(values):.{digits}f} "
        f"[{min(values):.{digits}f}–{max(values):.{digits}f}]"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,300,3000", help="posts per thread, the first is 1×")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=10, help="of each kind and size per run")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/pages.db", "WTF_CSRF_ENABLED": False},
            config_name="testing",
        )
        urls: dict[int, dict[str, str]] = {}
        pages: dict[int, int] = {}
        threads: dict[int, int] = {}
        with app.app_context():
            with transaction():
                db.create_all()
                seed_reference_data()
                seed_budget_data()
            authors = people(20)
            rng = random.Random(11)
            for size in sizes:
                thread_id = build_thread(size, authors, rng)
                outline = services.thread_outline(thread_id)
                middle = max(1, (outline.pages + 1) // 2)
                linked = outline.order[len(outline.order) // 2] if outline.order else None
                pages[size] = outline.pages
                threads[size] = thread_id
                urls[size] = {
                    "page": f"/threads/{thread_id}",
                    "page, cold": f"/threads/{thread_id}",
                    "middle": f"/threads/{thread_id}?page={middle}",
                    "link": f"/posts/{linked or outline.opening_id}",
                    "api": f"/api/v1/threads/{thread_id}",
                    "api middle": f"/api/v1/threads/{thread_id}?page={middle}",
                }
            db.session.remove()
        client = app.test_client()
        sizes_kb: dict[tuple[int, str], float] = {}

        def timed(url: str, key: tuple[int, str]) -> float:
            if key[1].endswith("cold"):  # as if a post had just been added to this thread
                app.extensions.get("thread_outlines", {}).pop(threads[key[0]], None)
            start = time.perf_counter()
            response = client.get(url, follow_redirects=True)
            body = response.get_data()
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (url, response.status_code)
            sizes_kb[key] = len(body) / 1024
            return elapsed

        for size in sizes:  # warm up: templates compiled, caches filled
            for kind in KINDS:
                timed(urls[size][kind], (size, kind))
        gc.collect()
        gc.freeze()
        p50 = {(size, kind): [] for size in sizes for kind in KINDS}
        worst = {(size, kind): [] for size in sizes for kind in KINDS}
        ratios = {(size, kind): [] for size in sizes for kind in KINDS}
        for _run in range(args.runs):
            times = {key: [] for key in p50}
            for _ in range(args.requests):
                for size in sizes:
                    for kind in KINDS:
                        times[(size, kind)].append(timed(urls[size][kind], (size, kind)))
            for key, values in times.items():
                p50[key].append(statistics.median(values))
                worst[key].append(max(values))
            for size, kind in p50:
                ratios[(size, kind)].append(p50[(size, kind)][-1] / p50[(sizes[0], kind)][-1])

    print(
        f"Thread pages, server time in process (guest reader), {args.runs} runs × "
        f"{args.requests} requests; ms, median [min–max] over runs; slice ≤ "
        f"{app.config['THREAD_SLICE_POSTS']} replies; load average before: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
    )
    print("| posts | slices | read | p50 ms | max ms | × the 30-post p50 | KB |")
    print("|------:|-------:|------|-------:|-------:|------------------:|---:|")
    for size in sizes:
        for kind in KINDS:
            key = (size, kind)
            print(
                f"| {size} | {pages[size]} | {kind} | {spread(p50[key])} | {spread(worst[key])} "
                f"| {spread(ratios[key], 2)} | {sizes_kb[key]:.0f} |"
            )
    failing = [key for key, values in ratios.items() if statistics.median(values) > 2]
    if failing:
        print(f"\nOver 2× the {sizes[0]}-post thread: {failing}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
