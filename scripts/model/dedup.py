"""The dedup part of the validation stage: records.md section 0 ("Dedup", "watermark")
and section 3 (`duplicate`), SPEC-NOTES 13.

- The stage's watermark is the largest `event_time` of the transactions it accepted
  (valid and not duplicate), or of a clock mark, minus the out-of-orderness.
- The pair (store_id, tx_id) of an accepted transaction is remembered until the
  watermark reaches its event_time + horizon. A valid transaction is judged against
  the watermark as it was before it: its key still remembered makes it a `duplicate`
  (field `tx_id`). A duplicate does not refresh the memory (SPEC-NOTES 13); rejected
  records are not remembered.
"""

NEG_INF = float("-inf")


class Watermark:
    """Largest accepted event time minus the out-of-orderness."""

    def __init__(self, out_of_orderness):
        self.ooo = out_of_orderness
        self.value = NEG_INF

    def advance(self, t):
        w = t - self.ooo
        if w > self.value:
            self.value = w
            return True
        return False


class Dedup:
    def __init__(self, horizon, out_of_orderness):
        self.horizon = horizon
        self.wm = Watermark(out_of_orderness)
        self.seen = {}   # (store_id, tx_id) -> event_time of the accepted one

    def accept(self, tx):
        """True when the valid transaction is accepted, False when it is a duplicate."""
        key = (tx["store_id"], tx["tx_id"])
        t = self.seen.get(key)
        if t is not None and t + self.horizon > self.wm.value:
            return False
        self.seen[key] = tx["event_time"]
        self.wm.advance(tx["event_time"])
        return True

    def clock(self, t):
        self.wm.advance(t)
