"""Inventory state, reservations, decisions, alerts and availability: records.md
sections 0, 5 and 6, SPEC-NOTES 14-18, 20, 21.

- State per (location, sku): on_hand, reserved; available = on_hand - reserved. An
  entry exists once a stock event, sale, refund or accepted reservation names it
  (rejected reservations create none, SPEC-NOTES 18); a SKU without one has 0 and 0.
- stock_set sets on_hand; stock_adjust adds delta; a sale at a store lowers its
  on_hand by each item's qty, a refund raises it (items of one SKU count together;
  CSV rows have no items, SPEC-NOTES 15).
- reserve: merged lines (repeated SKUs summed, saturating at the int64 maximum,
  SPEC-NOTES 20, in order of first appearance); accepted only if every line fits
  available; then each qty moves into reserved (decision lines with available_after),
  else rejected `insufficient_stock` listing the lines that do not fit with their
  available. A reservation_id seen before at that location (ids are scoped to their
  location) writes its first decision line again and changes nothing.
- commit: on_hand and reserved drop by the reserved qty; release: reserved drops.
  Unknown, rejected, or forgotten ids: `unknown_reservation`; finished ones
  `already_committed` / `already_released` / `already_expired` (SPEC-NOTES 16).
- expiry at event_time + ttl_ms once the watermark reaches it (in order of time, then
  input order of the reserve), also when already due at acceptance (SPEC-NOTES 17);
  at the end of input every open reservation expires.
- A finished reservation is forgotten once the stage's watermark reaches its finishing
  event time + dedup horizon (SPEC-NOTES 21); open ones never are.
- Alerts on a change of available at (location, sku): `low_stock` when it falls below
  the threshold from at or above it, then `oversold` when it falls below 0 from at or
  above 0. Availability rows per SKU: the sum of available over locations and the count
  of locations that ever had an entry, written when the sum changes (SPEC-NOTES 14).
  Their event_time is that of the record, or of the expiry.
- Counts are signed 64-bit integers that wrap on overflow (the spec is silent on
  inventory overflow; this is the product's reading, like SPEC-NOTES 8 for windows).
- The stage's watermark counts valid transactions, valid inventory events and clock
  marks; records are judged against the watermark before them.
"""
import heapq
from jsontext import dumps
from fields import INT64_MAX
from turnover import wrap64


class Reservation:
    def __init__(self, first_line, lines, seq):
        self.first_line = first_line   # the bytes of its first decision line
        self.lines = lines             # merged [(sku, qty)] when accepted, else None
        self.status = "open" if lines is not None else "rejected"
        self.finished_at = None
        self.seq = seq


class Inventory:
    def __init__(self, threshold, horizon, out_of_orderness, wm_class):
        self.threshold = threshold
        self.horizon = horizon
        self.wm = wm_class(out_of_orderness)
        self.stock = {}          # (location, sku) -> [on_hand, reserved]
        self.sku_available = {}  # sku -> sum of available over locations
        self.sku_locations = {}  # sku -> number of locations with an entry
        self.reservations = {}   # (location, reservation_id) -> Reservation
        self.expiries = []       # heap of (time, seq, key, Reservation)
        self.decisions, self.alerts, self.availability = [], [], []

    # ---- state changes
    def _entry(self, loc, sku):
        e = self.stock.get((loc, sku))
        if e is None:
            e = self.stock[(loc, sku)] = [0, 0]
            self.sku_locations[sku] = self.sku_locations.get(sku, 0) + 1
            self.sku_available.setdefault(sku, 0)
        return e

    def _available(self, loc, sku):
        e = self.stock.get((loc, sku))
        return 0 if e is None else wrap64(e[0] - e[1])

    def _change(self, loc, sku, d_on_hand, d_reserved, t):
        e = self._entry(loc, sku)
        before = wrap64(e[0] - e[1])
        e[0] = wrap64(e[0] + d_on_hand)
        e[1] = wrap64(e[1] + d_reserved)
        after = wrap64(e[0] - e[1])
        if before >= self.threshold > after:
            self.alerts.append(dumps({"alert": "low_stock", "location": loc, "sku": sku,
                                      "available": after, "threshold": self.threshold,
                                      "event_time": t}))
        if before >= 0 > after:
            self.alerts.append(dumps({"alert": "oversold", "location": loc, "sku": sku,
                                      "available": after, "event_time": t}))
        if after != before:
            self.sku_available[sku] = wrap64(self.sku_available[sku] + after - before)
            self.availability.append(dumps({"sku": sku, "available": self.sku_available[sku],
                                            "locations": self.sku_locations[sku],
                                            "event_time": t}))

    @staticmethod
    def _merge(pairs):
        merged = {}
        for sku, qty in pairs:
            merged[sku] = min(merged.get(sku, 0) + qty, INT64_MAX)
        return list(merged.items())

    # ---- reservations
    def _lookup(self, key):
        r = self.reservations.get(key)
        if r is not None and r.status != "open" and r.finished_at + self.horizon <= self.wm.value:
            del self.reservations[key]
            return None
        return r

    def _finish(self, r, status, t):
        r.status = status
        r.finished_at = t

    def _reserve(self, ev, seq):
        loc, rid, t = ev["location"], ev["reservation_id"], ev["event_time"]
        key = (loc, rid)
        r = self._lookup(key)
        if r is not None:
            self.decisions.append(r.first_line)
            return
        lines = self._merge(ev["lines"])
        short = [(sku, qty, self._available(loc, sku)) for sku, qty in lines
                 if qty > self._available(loc, sku)]
        head = {"reservation_id": rid, "order_id": ev["order_id"], "location": loc}
        if short:
            d = dict(head, decision="rejected", reason="insufficient_stock", event_time=t,
                     lines=[{"sku": s, "qty": q, "available": a} for s, q, a in short])
            r = self.reservations[key] = Reservation(dumps(d), None, seq)
            self._finish(r, "rejected", t)
            self.decisions.append(r.first_line)
            return
        out = []
        for sku, qty in lines:
            self._change(loc, sku, 0, qty, t)
            out.append({"sku": sku, "qty": qty, "available_after": self._available(loc, sku)})
        d = dict(head, decision="accepted", event_time=t, lines=out)
        r = self.reservations[key] = Reservation(dumps(d), lines, seq)
        self.decisions.append(r.first_line)
        heapq.heappush(self.expiries, (t + ev["ttl_ms"], seq, key, r))

    def _settle(self, ev, decision):
        loc, rid, t = ev["location"], ev["reservation_id"], ev["event_time"]
        r = self._lookup((loc, rid))
        head = {"reservation_id": rid, "location": loc}
        if r is None or r.status == "rejected":
            reason = "unknown_reservation"
        elif r.status != "open":
            reason = "already_" + r.status
        else:
            for sku, qty in r.lines:
                self._change(loc, sku, -qty if decision == "committed" else 0, -qty, t)
            self._finish(r, decision, t)
            self.decisions.append(dumps(dict(head, decision=decision, event_time=t)))
            return
        self.decisions.append(dumps(dict(head, decision="rejected", reason=reason, event_time=t)))

    def _expire(self, upto):
        while self.expiries and self.expiries[0][0] <= upto:
            t, _, key, r = heapq.heappop(self.expiries)
            if r.status != "open":
                continue
            for sku, qty in r.lines:
                self._change(key[0], sku, 0, -qty, t)
            self._finish(r, "expired", t)
            self.decisions.append(dumps({"reservation_id": key[1], "location": key[0],
                                         "decision": "expired", "event_time": t}))

    # ---- records
    def event(self, ev, seq):
        typ, t = ev["type"], ev["event_time"]
        if typ == "stock_set":
            e = self.stock.get((ev["location"], ev["sku"]))
            self._change(ev["location"], ev["sku"], ev["qty"] - (e[0] if e else 0), 0, t)
        elif typ == "stock_adjust":
            self._change(ev["location"], ev["sku"], ev["delta"], 0, t)
        elif typ == "reserve":
            self._reserve(ev, seq)
        elif typ == "commit":
            self._settle(ev, "committed")
        else:
            self._settle(ev, "released")
        self.wm.advance(t)
        self._expire(self.wm.value)

    def transaction(self, tx):
        sign = -1 if tx["kind"] == "sale" else 1
        t = tx["event_time"]
        for sku, qty in self._merge((i["sku"], i["qty"]) for i in tx["items"]):
            self._change(tx["store_id"], sku, sign * qty, 0, t)
        self.wm.advance(t)
        self._expire(self.wm.value)

    def clock(self, t):
        self.wm.advance(t)
        self._expire(self.wm.value)

    def finish(self):
        self._expire(float("inf"))
