"""Turnover windows, the global rollup and late records: records.md sections 0 and 4,
SPEC-NOTES 1, 7, 8, 12. (Ported from scripts/turnover_reference.py, which read the
product's valid.jsonl; here the accepted transactions come from the model.)

- Tumbling windows [start, end) aligned to the epoch, per (store_id, currency).
  sales_minor / refunds_minor by kind, turnover_minor = sales - refunds, tx_count counts
  both, items_sold sums the item quantities of sales (a CSV sale adds item_count).
  Sums wrap on signed 64-bit overflow (SPEC-NOTES 8).
- The stage's watermark: largest accepted event_time (valid transactions, clock marks)
  minus the out-of-orderness. A record is judged against the watermark before it.
- A window fires (revision 0) when the watermark reaches window_end; windows of one
  window_end fire in order of their first record, earlier ends first.
- A record whose window_end <= watermark is late: if window_end + allowed lateness <=
  watermark it goes to late.jsonl with late_by_ms = watermark - window_end; otherwise it
  updates its window, which is written again at once with revision + 1 (revision 0 if
  the record creates the row).
- The rollup row (store_id "*", then `stores` last, SPEC-NOTES 1) of a (window,
  currency) fires with its store rows (rows of one window_end in order of the first
  store row of each currency, SPEC-NOTES 7) and is written again, revision + 1, with the
  new sums whenever one of its store rows is (created at revision 0 when a late store
  row creates it, SPEC-NOTES 12).
"""
import heapq
from jsontext import dumps


def wrap64(n):
    return (n + 2 ** 63) % 2 ** 64 - 2 ** 63


class Window:
    def __init__(self, seq):
        self.seq = seq            # input index of its first record
        self.sums = [0, 0, 0, 0]  # sales, refunds, tx_count, items_sold
        self.rev = -1


class Rollup:
    def __init__(self):
        self.stores = {}          # store_id -> sums of its row's last emission
        self.rev = -1


class Turnover:
    def __init__(self, window, out_of_orderness, lateness, wm_class):
        self.size = window
        self.lateness = lateness
        self.wm = wm_class(out_of_orderness)
        self.windows = {}   # (store, currency, end) -> Window
        self.rollups = {}   # (currency, end) -> Rollup
        self.pending = []   # heap of (end, seq, key) of windows not fired yet
        self.turnover, self.rollup, self.late = [], [], []

    # ---- rows
    def _row(self, store, cur, end, sums, rev):
        return {"store_id": store, "window_start": end - self.size, "window_end": end,
                "currency": cur, "sales_minor": sums[0], "refunds_minor": sums[1],
                "turnover_minor": wrap64(sums[0] - sums[1]), "tx_count": sums[2],
                "items_sold": sums[3], "revision": rev}

    def _emit_store(self, key, w):
        store, cur, end = key
        self.turnover.append(dumps(self._row(store, cur, end, w.sums, w.rev)))
        self.rollups.setdefault((cur, end), Rollup()).stores[store] = list(w.sums)

    def _emit_rollup(self, cur, end):
        r = self.rollups[(cur, end)]
        r.rev += 1
        sums = [wrap64(sum(s[i] for s in r.stores.values())) for i in range(4)]
        row = self._row("*", cur, end, sums, r.rev)
        row["stores"] = len(r.stores)
        self.rollup.append(dumps(row))

    # ---- records
    def add(self, tx, seq, late_line):
        """An accepted transaction; `late_line` is its validated line without the `}`."""
        t, store, cur = tx["event_time"], tx["store_id"], tx["currency"]
        end = (t // self.size) * self.size + self.size
        sale = tx["kind"] == "sale"
        if sale:
            n = tx["item_count"] if "item_count" in tx else sum(i["qty"] for i in tx["items"])
        else:
            n = 0
        add = [tx["total_minor"] if sale else 0, 0 if sale else tx["total_minor"], 1, n]
        key = (store, cur, end)
        wm = self.wm.value
        if end <= wm:
            if end + self.lateness <= wm:
                self.late.append(late_line + ',"late_by_ms":%d}' % (wm - end))
            else:
                w = self.windows.get(key)
                if w is None:
                    w = self.windows[key] = Window(seq)
                w.sums = [wrap64(a + b) for a, b in zip(w.sums, add)]
                w.rev += 1
                self._emit_store(key, w)
                self._emit_rollup(cur, end)
        else:
            w = self.windows.get(key)
            if w is None:
                w = self.windows[key] = Window(seq)
                heapq.heappush(self.pending, (end, seq, key))
            w.sums = [wrap64(a + b) for a, b in zip(w.sums, add)]
        self.wm.advance(t)
        self.fire()

    def clock(self, t):
        self.wm.advance(t)
        self.fire()

    def fire(self, upto=None):
        upto = self.wm.value if upto is None else upto
        while self.pending and self.pending[0][0] <= upto:
            end = self.pending[0][0]
            order = []   # rollup keys of this window_end, by first store row
            while self.pending and self.pending[0][0] == end:
                _, _, key = heapq.heappop(self.pending)
                w = self.windows[key]
                w.rev = 0
                self._emit_store(key, w)
                if (key[1], end) not in order:
                    order.append((key[1], end))
            for cur, e in order:
                self._emit_rollup(cur, e)

    def finish(self):
        self.fire(float("inf"))
