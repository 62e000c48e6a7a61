"""bench/scale.py's figures (`python3 bench/run.py --scenario scale`, issue 12): CPU per delivery
with and without Redis, the loop's stall in a writes phase, the capacity within the latency
target, and the targets' verdicts.

The runs are made up; the load generator and bench/lag_probe.py record the real ones, and
`python3 bench/run.py --scenario scale --scale 0.05 --repeat 1` is the smoke test.
"""

from bench import run, scale


def ramp_run(deliveries, workers_cpu, redis_cpu=None, last_p99=50.0, repeat=0, sockets=None):
    """One one-room run: the 10 posts/s step, then one ramp step with `deliveries`/s over 10 s."""
    other = {} if redis_cpu is None else {"redis": redis_cpu, "postgres": 0.5}
    ten = {"rate": 10, "deliveries_per_s": 10_000, "last_recipient_p99_ms": last_p99, "lost": 0}
    ten.update(p99_ms=last_p99, wall_s=10.0, server_cpu_s=1.0, other_cpu_s=other)
    ramp = {"rate": 100, "deliveries_per_s": deliveries, "last_recipient_p99_ms": 150.0, "lost": 0}
    ramp.update(wall_s=10.0, server_cpu_s=workers_cpu, other_cpu_s=other)
    result = {"repeat": repeat, "clients": 1000, "transports": {"websocket": 1000}}
    if sockets:
        result["worker_sockets_max"] = sockets
    return dict(result, steps=[ten, ramp])


def writes_run(late, start_ms=1_000_000.0, end_ms=1_010_000.0, collections=()):
    """A writes run whose 'listened' phase ran from start_ms to end_ms (epoch ms)."""
    listened = {"started_epoch_ms": start_ms, "ended_epoch_ms": end_ms, "p50_ms": 20.0}
    lag = {"late": late, "collections": list(collections)}
    return {"repeat": 0, "writes": {"listened": listened}, "lag": [lag]}


def step(rate, per_cpu, p99, **other_cpu):
    """A ramp step of 10 s delivering 1000 × rate a second, at per_cpu deliveries per worker
    CPU-s; other_cpu: the other servers' CPU seconds over the step."""
    deliveries = 1000 * rate
    return {
        "rate": rate, "deliveries_per_s": deliveries, "last_recipient_p99_ms": p99, "lost": 0,
        "wall_s": 10.0, "server_cpu_s": deliveries * 10 / per_cpu, "other_cpu_s": other_cpu,
    }  # fmt: skip


def test_two_workers_count_redis_in_their_cpu_per_delivery():
    single = ramp_run(deliveries=50_000, workers_cpu=10.0)  # 50,000 per CPU-s
    two = ramp_run(deliveries=50_000, workers_cpu=12.0, redis_cpu=1.5)
    assert scale.FIG["per_cpu"](single) == 50_000
    assert scale.FIG["per_cpu_redis"](two) == 500_000 / 13.5
    assert scale.FIG["redis_cpu"](two) == 15.0  # % of the step's wall time
    results = {"one-room": {"sqlite": [single], "two-workers": [two]}}
    lines = scale.report(run, results).splitlines()
    (row,) = [line for line in lines if line.startswith("| two workers: deliveries per")]
    # Both held the 100 posts/s step: 37,037 ÷ 50,000 = 0.74, just under the target.
    assert "0.74×" in row and "NOT MET" in row and "at 100 posts/s" in row


def test_two_workers_are_judged_at_the_most_posts_per_s_both_held_within_the_target():
    single = {
        "repeat": 0,
        "steps": [
            step(10, 50_000, 40.0),
            step(20, 60_000, 50.0),
            step(50, 65_000, 190.0),
            step(100, 70_000, 3000.0),
        ],
    }
    two = {"repeat": 0, "steps": [step(10, 40_000, 90.0, redis=0.1, nginx=2.0),
                                  step(20, 50_000, 150.0, redis=0.2, nginx=4.0),
                                  step(50, 45_000, 2500.0, redis=0.4, nginx=9.0)]}  # fmt: skip
    assert scale.same_load_steps(two, single, 200.0) == (two["steps"][1], single["steps"][1])
    assert scale.same_load_steps(two, single, 30.0) == (None, None)
    lines = scale.report(run, {"one-room": {"sqlite": [single], "two-workers": [two]}})
    lines = lines.splitlines()

    def row(measure):
        (found,) = [x for x in lines if x.startswith(f"| {measure}")]
        return found

    # At 20 posts/s: 200,000 deliveries over 4.0 + 0.2 CPU-s = 47,619 ÷ 60,000 = 0.79.
    judged = row("two workers: deliveries per (workers + Redis) CPU-s")
    assert "0.79×" in judged and "| MET" in judged and "at 20 posts/s" in judged
    # nginx's 4 CPU-s more: 200,000 ÷ 8.2 = 24,390 ÷ 60,000 = 0.41, reported only.
    with_nginx = row("the same, nginx's CPU counted too")
    assert "0.41×" in with_nginx and "reported" in with_nginx
    # Each at its busiest (50 vs 100 posts/s): 500,000 ÷ (11.11 + 0.4) = 43,440 ÷ 70,000 = 0.62.
    busiest = row("the same, each at its own busiest ramp step")
    assert "0.62×" in busiest and "reported" in busiest
    # A round where the two workers held no step within the target is said, not hidden.
    slow = {"repeat": 0, "steps": [step(10, 40_000, 900.0, redis=0.1, nginx=2.0)]}
    lines = scale.report(run, {"one-room": {"sqlite": [single], "two-workers": [slow]}})
    (judged,) = [x for x in lines.splitlines() if x.startswith("| two workers: deliveries per")]
    assert "no figure" in judged and "1 round(s) without a step both held" in judged


def test_the_stall_is_the_lateness_less_the_wait_for_a_core_within_the_phase():
    late = [
        (999.0, 500.0, 400.0, 0.0),  # before the phase: not counted
        (1_002.0, 90.0, 1.0, 85.0),  # 90 ms late, 85 of them waiting for the core: a 5 ms stall
        (1_005.0, 30.0, 25.0, 2.0),  # held by the worker itself: a 28 ms stall
        (1_011.0, 400.0, 300.0, 0.0),  # after the phase
    ]
    collections = [(999.5, 2, 130.0), (1_005.0, 0, 24.0), (1_006.0, 1, 9.0)]  # (at, gen, ms)
    figures = scale.lag_in(writes_run(late, collections=collections), "listened")
    assert figures == {"stall": 28.0, "cpu": 25.0, "late": 90.0, "collection": 24.0}
    assert scale.lag_in({"writes": {}}, "listened") == {}
    older_probe = dict(writes_run(late), lag=[{"late": late}])  # one that recorded no collections
    assert scale.lag_in(older_probe, "listened")["collection"] is None
    pg_run = writes_run(late, collections=collections)
    results = {"writes": {"postgresql": [pg_run], "sqlite": [writes_run(late[:2])]}}
    lines = scale.report(run, results).splitlines()
    (row,) = [line for line in lines if line.startswith("| PostgreSQL: worst stall")]
    assert "28.0 ms" in row and "NOT MET" in row
    (header,) = [line for line in lines if "longest garbage collection" in line]
    column = [cell.strip() for cell in header.split("|")].index(
        "longest garbage collection ms, 1000 listeners"
    )
    (pg_row,) = [line for line in lines if line.startswith(f"| {scale.LABELS['postgresql']} |")]
    assert pg_row.split("|")[column].strip() == "24.0"


def test_capacity_counts_only_steps_within_the_latency_target_with_nothing_lost():
    r = ramp_run(deliveries=40_000, workers_cpu=10.0)
    assert scale.capacity_rate(r, 200.0) == 40_000
    assert scale.capacity_rate(r, 100.0) == 10_000  # the ramp step's 150 ms is over
    r["steps"][1]["lost"] = 3
    assert scale.capacity_rate(r, 200.0) == 10_000
    assert scale.capacity_rate(ramp_run(40_000, 10.0, last_p99=500.0), 100.0) is None


def test_the_redis_queue_is_judged_against_the_same_deployment_without_it_paired_by_round():
    def rounds(deliveries, p99s, redis_cpu=None):
        return [
            ramp_run(deliveries, 10.0, redis_cpu, last_p99=p99, repeat=i)
            for i, p99 in enumerate(p99s)
        ]

    results = {
        "one-room": {
            "sqlite": rounds(50_000, (100.0, 100.0, 100.0)),
            "sqlite-redis-queue": rounds(45_000, (110.0, 120.0, 200.0), 1.0),
            "postgresql": rounds(50_000, (300.0, 300.0, 300.0)),
            "redis-queue": rounds(40_000, (330.0, 330.0, 330.0), 1.0),
        }
    }
    lines = scale.report(run, results).splitlines()

    def row(measure):  # the table row whose first cell is measure
        (found,) = [x for x in lines if x.startswith("|") and x.split("|")[1].strip() == measure]
        return found

    sqlite_queue = "single process, SQLite, Redis queue"
    queue_p99 = row(f"{sqlite_queue}: last-recipient p99 ÷ single process, SQLite")
    assert "1.20× [1.10–2.00]" in queue_p99 and "NOT MET" in queue_p99
    queue_saturation = row(f"{sqlite_queue}: saturation deliveries/s ÷ single process, SQLite")
    assert "0.90×" in queue_saturation and "| MET" in queue_saturation
    pg_queue = "one worker, PostgreSQL, Redis queue"
    pg_queue_p99 = row(f"{pg_queue}: last-recipient p99 ÷ one worker, PostgreSQL")
    assert "1.10×" in pg_queue_p99 and "| MET" in pg_queue_p99
    pg_queue_saturation = row(f"{pg_queue}: saturation deliveries/s ÷ one worker, PostgreSQL")
    assert "0.80×" in pg_queue_saturation and "NOT MET" in pg_queue_saturation
    # PostgreSQL itself, and the queue on it, against the single process: reported, not judged.
    pg = row("one worker, PostgreSQL: last-recipient p99 ÷ single process")
    assert "3.00×" in pg and "reported" in pg
    assert "reported" in row(f"{pg_queue}: last-recipient p99 ÷ single process")
