"""Benchmark: supply (volunteer hours per topic, municipality and clock hour) for many volunteers, each with weekly
hours of their own, the domain function alone.

Supply used to expand every volunteer's weekly rules day by day over the period (`expand`), once per distinct set
of rules: at ten thousand volunteers whose weeks differ (as a real network's do), 2.3-3.6 s for twelve weeks, on
the event loop. Now each weekday's rules are measured once and multiplied by the days of that weekday whose clocks
do not change; the daylight-saving days and the days with an exception are expanded as before.

Both run side by side in one process on the same volunteers (`before` expands day by day, as
`tests/unit/test_supply_rules.py` does for its comparison), and must give the same hours.

Run:  .venv/bin/python -m tests.bench.bench_supply [--volunteers 1000 10000] [--weeks 12 52] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta

import pytest

from server.domain.supply import SupplyBy, VolunteerFacts, supply
from tests.unit.test_supply_rules import TOPICS, _expanded, _random_volunteer

LAST = date(2026, 12, 6)


def before(volunteers: list[VolunteerFacts], by: SupplyBy, first: date, last: date) -> tuple[dict[str, float], float]:
    """Every volunteer expanded day by day (each one's rules differ, so caching per distinct rules saves little)."""
    found: dict[str, float] = defaultdict(float)
    whole = 0.0
    for v in volunteers:
        groups, hours = _expanded(v, by, first, last)
        whole += hours
        for key, value in groups.items():
            found[key] += value
    return dict(found), whole


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--weeks", type=int, nargs="+", default=[12, 52])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'volunteers':>10} {'weeks':>5} {'by':<12} {'before ms':>10} {'now ms':>8} {'ratio':>6}")
    for count in args.volunteers:
        for weeks in args.weeks:
            first = LAST - timedelta(weeks=weeks) + timedelta(days=1)
            rng = random.Random(count * 100 + weeks)
            volunteers = [_random_volunteer(rng, first, LAST) for _ in range(count)]
            for by in SupplyBy:
                then, now = [], []
                for _ in range(args.rounds):
                    began = time.perf_counter()
                    expected = before(volunteers, by, first, LAST)
                    then.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    found = supply(volunteers, TOPICS, by, first=first, last=LAST)
                    now.append(time.perf_counter() - began)
                    assert found[1] == pytest.approx(expected[1], rel=1e-9)
                    assert found[0] == pytest.approx(expected[0], rel=1e-9)
                b, n = statistics.median(then) * 1000, statistics.median(now) * 1000
                print(f"{count:>10} {weeks:>5} {by.value:<12} {b:>10.0f} {n:>8.0f} {b / n:>5.1f}×")


if __name__ == "__main__":
    main()
