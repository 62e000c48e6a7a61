"""bench/run.py's memory per connection: the slope is judged, the figure from after the page GETs
is printed beside it, and a reference figure that is not above 0 gives no ratio.

The figures are made up; the load generator (bench/load/load.js) computes them from its RSS
readings, and `python3 bench/run.py --scale 0.1` is its smoke test.
"""

from bench import run


def one_run(rss_slope, rss, **more):
    step = {"last_recipient_p99_ms": 50.0, "lost": 0, "posts_failed": 0, "loadgen_cpu_pct": 95}
    step.update(deliveries_per_s=10_000, server_cpu_pct=50, rate=10)
    return {
        "repeat": 0,
        "clients": 1000,
        "connect_seconds": 1.5,
        "rss_slope_kib": rss_slope,
        "rss_per_conn_kib": rss,
        "transports": {"websocket": 1000},
        "steps": [step],
        **more,
    }


def rows_for(results, measure_start):
    return [r for r in run.scenario_targets(results) if r[1].startswith(measure_start)]


def test_the_slope_is_the_verdict_and_the_old_figure_is_reported():
    results = {
        "one-room": {"forum": [one_run(39.0, 31.0)], "node": [one_run(15.0, 18.0)]},
        "3000": {"forum": [one_run(36.0, 33.0)], "node": [one_run(20.0, 16.0)]},
    }
    slope = rows_for(results, "RSS per connection, slope")
    old = rows_for(results, "RSS per connection from after the page GETs")
    assert [r[0] for r in slope] == [run.TARGET_NAMES["one-room"], run.TARGET_NAMES["3000"]]
    # 39 / 15 = 2.6 > 1.5; 36 / 20 = 1.8 <= 2: the old figures (1.72, 2.06) would say the opposite.
    assert slope[0][3].startswith("2.60×") and slope[0][4] == "NOT MET"
    assert slope[1][3].startswith("1.80×") and slope[1][4] == "MET"
    assert [r[4] for r in old] == ["reported", "reported"]
    assert old[0][3].startswith("1.72×") and old[1][3].startswith("2.06×")
    # Memory is read with the clients idle, before the steps: a busy load generator in the step
    # makes the timed verdicts uncertain, not the memory ones.
    assert "UNCERTAIN" not in slope[0][4] + slope[1][4]
    last = [r for r in run.scenario_targets(results) if r[1] == "last-recipient p99 ÷ Node"]
    assert "UNCERTAIN" in last[0][4]


def test_no_ratio_to_a_heap_that_shrank_and_none_without_a_slope():
    shrank = {"one-room": {"forum": [one_run(44.0, 46.0)], "node": [one_run(-80.0, -22.7)]}}
    (slope,) = rows_for(shrank, "RSS per connection, slope")
    assert slope[3].startswith("-") and slope[4] == "no figure"
    # A run saved before the slope existed (--report of an old results.json).
    old = {"one-room": {"forum": [one_run(None, 31.0)], "node": [one_run(None, 18.0)]}}
    (slope,) = rows_for(old, "RSS per connection, slope")
    assert slope[4] == "no figure"
    assert run.ratio(1.0, 0) is None and run.ratio(1.0, -2.0) is None
    assert run.ratio(3.0, 2.0) == 1.5


def test_the_sweep_judges_the_slope_too():
    forum = [one_run(39.0, 31.0, max_deliveries_per_s=1000, stop_reason="saturated at 100")]
    node = [one_run(15.0, 18.0, max_deliveries_per_s=1000, stop_reason="saturated at 100")]
    text = run.targets(forum, node, 1000, "browser")
    slope_line = next(x for x in text.splitlines() if "(slope, N/2 → N)" in x)
    old_line = next(x for x in text.splitlines() if "from after the page GETs" in x)
    assert "NOT MET" in slope_line and "2.60×" in slope_line
    assert "reported" in old_line and "1.72×" in old_line
