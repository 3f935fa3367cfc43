#!/usr/bin/env python3
"""Copies a JSON Lines input with clock marks (live.md section 1) put between its lines,
as a live edge node's stream has them: every EVERY lines or so (100), {"clock":T} where T is
the largest event time so far (of plausible records) plus a lead drawn from LEADS_MS (negative: a mark that
lags and changes nothing; positive: a quiet period, in which windows fire, reservations
expire and records that follow may be late). A few marks are near misses that are
ordinary records (another member, a fraction, a string), to be dead-lettered.

    scripts/add-clock-marks.py IN OUT [--every 100] [--seed 1]

The same arguments always write the same bytes.
"""
import argparse
import json
import random
from datetime import datetime

LEADS_MS = [-60_000, -5_000, -5_000, -3_000, -1_000, 0, 500, 1_500, 4_000, 15_000]


def event_time(line):
    """The line's event_time in epoch ms, or None when the line has none we can read."""
    try:
        obj = json.loads(line)
        t = obj.get("event_time") if isinstance(obj, dict) else None
        if isinstance(t, int) and not isinstance(t, bool):
            return t
        if isinstance(t, str):
            return int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)
    except (ValueError, OverflowError, UnicodeDecodeError, AttributeError):
        pass
    return None


def mark(rng, t):
    roll = rng.random()
    if roll < 0.04:
        return '{"clock":%d,"note":"not a mark"}' % t
    if roll < 0.06:
        return '{"clock":%d.5}' % t
    if roll < 0.08:
        return '{"clock":"%d"}' % t
    if roll < 0.15:
        return ' { "clock" : %d } ' % t
    return '{"clock":%d}' % t


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--every", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    latest = None
    gap = rng.randint(1, 2 * a.every)
    with open(a.input, "rb") as src, open(a.output, "wb") as dst:
        for raw in src:
            dst.write(raw)
            t = event_time(raw)
            # A jump of more than a minute is a broken record's time (the generators'
            # invalid lines), not the clock's: marks follow the traffic.
            if t is not None and (latest is None or latest < t <= latest + 60_000):
                latest = t
            gap -= 1
            if gap <= 0 and latest is not None:
                dst.write((mark(rng, latest + rng.choice(LEADS_MS)) + "\n").encode())
                gap = rng.randint(1, 2 * a.every)


if __name__ == "__main__":
    main()
