#!/usr/bin/env python3
"""An independent model of spec sections 0 and 4 (turnover, rollup, late), one record at
a time, written straight from the spec text. It reads a run's valid.jsonl (the accepted
transactions in input order) and compares its own turnover, rollup and late records with
the run's files as multisets, and the store rows' order within each window end.

    scripts/turnover_reference.py OUT_DIR [--window-ms 10000] [--ooo-ms 2000] [--lateness-ms 0]
"""
import argparse, json, sys
from collections import Counter

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--window-ms", type=int, default=10000)
    ap.add_argument("--ooo-ms", type=int, default=2000)
    ap.add_argument("--lateness-ms", type=int, default=0)
    a = ap.parse_args()
    size, ooo, lateness = a.window_ms, a.ooo_ms, a.lateness_ms

    NEG = float("-inf")
    wm, max_t = NEG, NEG
    windows = {}   # (store, cur, end) -> dict
    rollups = {}   # (cur, end) -> dict
    seq = 0
    turnover, rollup, late = [], [], []

    def totals_row(store, cur, end, t, rev, extra=None):
        r = {"store_id": store, "window_start": end - size, "window_end": end, "currency": cur,
             "sales_minor": t[0], "refunds_minor": t[1], "turnover_minor": t[0] - t[1],
             "tx_count": t[2], "items_sold": t[3], "revision": rev}
        if extra: r.update(extra)
        return r

    def emit_rollup(cur, end):
        r = rollups[(cur, end)]
        s = [sum(v[i] for v in r["stores"].values()) for i in range(4)]
        rollup.append(totals_row("*", cur, end, s, r["rev"], {"stores": len(r["stores"])}))

    def fire(upto):
        due = sorted((w["end"], w["seq"], k) for k, w in windows.items() if not w["fired"] and w["end"] <= upto)
        by_end = {}
        for end, _, k in due:
            w = windows[k]
            w["fired"] = True
            w["rev"] = 0
            turnover.append(totals_row(k[0], k[1], end, w["t"], 0))
            r = rollups.setdefault((k[1], end), {"stores": {}, "rev": -1, "fired": False, "seq": w["seq"]})
            r["stores"][k[0]] = list(w["t"])
            by_end.setdefault(end, [])
            if (k[1], end) not in by_end[end]: by_end[end].append((k[1], end))
        for end in sorted(by_end):
            for rk in by_end[end]:
                r = rollups[rk]
                if not r["fired"]:
                    r["fired"] = True
                    r["rev"] = 0
                    emit_rollup(*rk)

    with open(a.out + "/valid.jsonl") as f:
        for line in f:
            tx = json.loads(line)
            t, store, cur = tx["event_time"], tx["store_id"], tx["currency"]
            end = (t // size) * size + size
            amount = tx["total_minor"]
            sale = tx["kind"] == "sale"
            items = (tx["item_count"] if "item_count" in tx else sum(i["qty"] for i in tx["items"])) if sale else 0
            add = [amount if sale else 0, 0 if sale else amount, 1, items]
            k = (store, cur, end)
            if end <= wm:
                if end + lateness <= wm:
                    l = dict(tx); l["late_by_ms"] = wm - end; late.append(l)
                else:
                    w = windows.setdefault(k, {"t": [0, 0, 0, 0], "rev": -1, "fired": True, "end": end, "seq": seq})
                    w["t"] = [x + y for x, y in zip(w["t"], add)]
                    w["rev"] += 1
                    turnover.append(totals_row(store, cur, end, w["t"], w["rev"]))
                    r = rollups.get((cur, end))
                    if r is None:
                        r = rollups[(cur, end)] = {"stores": {}, "rev": -1, "fired": True, "seq": seq}
                    r["stores"][store] = list(w["t"])
                    r["rev"] += 1
                    emit_rollup(cur, end)
            else:
                w = windows.setdefault(k, {"t": [0, 0, 0, 0], "rev": -1, "fired": False, "end": end, "seq": seq})
                w["t"] = [x + y for x, y in zip(w["t"], add)]
            seq += 1
            if t > max_t:
                max_t = t
                wm = max_t - ooo
                fire(wm)
    fire(float("inf"))

    def load(name):
        with open(a.out + "/" + name) as f:
            return [json.loads(l) for l in f]
    ok = True
    for name, mine in (("turnover.jsonl", turnover), ("rollup.jsonl", rollup), ("late.jsonl", late)):
        theirs = load(name)
        cm = Counter(json.dumps(x, sort_keys=True) for x in mine)
        ct = Counter(json.dumps(x, sort_keys=True) for x in theirs)
        if cm != ct:
            ok = False
            print(f"{name}: DIFFERS ({len(mine)} expected, {len(theirs)} found); "
                  f"missing {sum((cm - ct).values())}, extra {sum((ct - cm).values())}")
            for x in list((cm - ct).elements())[:3]: print("  missing", x)
            for x in list((ct - cm).elements())[:3]: print("  extra  ", x)
        else:
            print(f"{name}: {len(mine)} records match")
    order_mine = [(r["window_end"], r["store_id"], r["currency"]) for r in turnover if r["revision"] == 0]
    order_theirs = [(r["window_end"], r["store_id"], r["currency"]) for r in load("turnover.jsonl") if r["revision"] == 0]
    if order_mine != order_theirs:
        ok = False
        print("order of first emissions differs")
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    main()
