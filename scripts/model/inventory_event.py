"""One inventory event judged on its own: records.md section 5 ("A malformed inventory
event ... goes to invalid.jsonl").

Order: `type` first (absent is `missing_field`, anything but one of the five names is
`bad_field` on `type`), then the fields in the order the examples list them:

    stock_set     event_id, location, sku, qty (integer >= 0), event_time
    stock_adjust  event_id, location, sku, delta (any integer), event_time
    reserve       reservation_id, order_id, location, lines, ttl_ms (optional, >= 1), event_time
    commit        reservation_id, location, event_time
    release       reservation_id, location, event_time

ids, `location` and `sku` are strings of 1..64 code points; `event_time` as for a
transaction; `lines` a non-empty array of objects {sku, qty (integer >= 1)}, paths
`lines[i].qty` 0-based. Integers are signed 64-bit integer literals. A reserve whose
expiry time event_time + ttl_ms overflows a signed 64-bit integer is `bad_field` on
`ttl_ms` (section 0: "a record whose sums ... would overflow ... is bad_field"); the
product saturates the expiry time instead (see the report).

`judge_event` returns a dict of the event's checked values or raises `Rejected`.
"""
from jsontext import JObject, is_text
import fields as F
from fields import FieldError
from transaction import Rejected

TYPES = {
    "stock_set": ("event_id", "location", "sku", "qty", "event_time"),
    "stock_adjust": ("event_id", "location", "sku", "delta", "event_time"),
    "reserve": ("reservation_id", "order_id", "location", "lines", "ttl_ms", "event_time"),
    "commit": ("reservation_id", "location", "event_time"),
    "release": ("reservation_id", "location", "event_time"),
}
EVENT_FIELDS = {"type"} | {f for names in TYPES.values() for f in names}
LINE_FIELDS = ("sku", "qty")
OPTIONAL = {"ttl_ms"}


def repeats_known_field(obj):
    """A known inventory-event field repeated in the object or in one of its lines."""
    if obj.repeated & EVENT_FIELDS:
        return True
    lines = obj.get("lines")
    if isinstance(lines, list):
        for ln in lines:
            if isinstance(ln, JObject) and ln.repeated & set(LINE_FIELDS):
                return True
    return False


def _int_at_least(low):
    def check(v):
        n = F.integer(v)
        if n < low:
            raise F.bad("must be an integer >= %d" % low)
        return n
    return check


def _lines(v):
    if not isinstance(v, list) or not v:
        raise F.bad("must be a non-empty array")
    out = []
    for i, ln in enumerate(v):
        path = "lines[%d]" % i
        if not isinstance(ln, dict):
            raise Rejected("bad_field", path, "must be an object")
        sku = _get(ln, "sku", F.text_1_64, path + ".sku")
        qty = _get(ln, "qty", _int_at_least(1), path + ".qty")
        out.append((sku, qty))
    return out


CHECKS = {
    "event_id": F.text_1_64, "location": F.text_1_64, "sku": F.text_1_64,
    "reservation_id": F.text_1_64, "order_id": F.text_1_64,
    "qty": _int_at_least(0), "delta": F.integer, "ttl_ms": _int_at_least(1),
    "lines": _lines, "event_time": F.event_time,
}


def _get(obj, name, check, path):
    if name not in obj:
        raise Rejected("missing_field", path, "required")
    try:
        return check(obj[name])
    except FieldError as e:
        raise Rejected(e.reason, path, e.detail)


def judge_event(obj):
    if "type" not in obj:
        raise Rejected("missing_field", "type", "required")
    t = obj["type"]
    if not (is_text(t) and t in TYPES):
        raise Rejected("bad_field", "type", "unknown type")
    ev = {"type": t}
    for name in TYPES[t]:
        if name in OPTIONAL and name not in obj:
            continue
        ev[name] = _get(obj, name, CHECKS[name], name)
    if t == "reserve":
        ev.setdefault("ttl_ms", 15 * 60 * 1000)
        # section 0: "a record whose sums or products would overflow a signed 64-bit
        # integer is bad_field"; the expiry time event_time + ttl_ms is such a sum.
        if ev["event_time"] + ev["ttl_ms"] > F.INT64_MAX:
            raise Rejected("bad_field", "ttl_ms", "event_time + ttl_ms overflows a signed 64-bit integer")
    return ev
