"""One POS transaction judged on its own: records.md sections 1 and 2 with the check
order of section 0, for a JSON object and for a row of the flat CSV form.

The checks before the fields (too_large, bad_encoding, malformed_json, not_an_object)
are made by `lines.py` / `jobs.py`; here the object is known to be a transaction.

- The fields in table order: tx_id, store_id, terminal_id, event_time, kind, currency,
  items (each item: sku, qty, unit_price; then the item sum), total, payment.
  Absent is `missing_field`, present but null or of the wrong type or out of its rule
  is `bad_field`, an unsupported currency code `unknown_currency`. Item paths are
  0-based (`items[1].qty`, SPEC-NOTES 3); an overflowing item product or item sum is
  `bad_field` on `items` (section 0, SPEC-NOTES 5).
- Then `total_mismatch` when `total` differs from the item sum: under `correct` the
  record is kept with the computed total, `corrected:true` and `original_total_minor`;
  under `reject` it is a dead letter on `total`.
- CSV rows (section 1, SPEC-NOTES 4): columns named by the header, an empty cell is an
  absent field, fields checked in the order tx_id, store_id, terminal_id, event_time_ms,
  kind, currency, item_count, total_minor; no total rule; the validated form has
  `"items":[]` and `"item_count"` before `total_minor`.
- CSV quoting: a cell that starts with `"` is quoted (`""` inside is a quote) and must
  end at its closing quote, followed by `,` or the end of the row; otherwise the row
  has broken quoting and is `malformed_json`. A `"` inside an unquoted cell is a
  literal character, as in most CSV readers (SPEC-NOTES 29).
- The validated record (section 2) has the keys of the example in its order; `payment`
  is validated and not written (SPEC-NOTES 2).

`judge_object` / `judge_csv` return a validated record (a dict in output key order) or
raise `Rejected(reason, field, detail)`.
"""
import re
from jsontext import JObject, is_text
import fields as F
from fields import FieldError, CURRENCY_DIGITS, INT64_MAX

TX_FIELDS = ("tx_id", "store_id", "terminal_id", "event_time", "kind", "currency",
             "items", "total", "payment")
ITEM_FIELDS = ("sku", "qty", "unit_price")

CSV_COLUMNS = ("tx_id", "store_id", "terminal_id", "event_time_ms", "kind", "currency",
               "total_minor", "item_count")


class Rejected(Exception):
    def __init__(self, reason, field=None, detail=""):
        super().__init__(reason, field, detail)
        self.reason, self.field, self.detail = reason, field, detail


def repeats_known_field(obj):
    """A known transaction field repeated in the object or in one of its items."""
    if obj.repeated & set(TX_FIELDS):
        return True
    items = obj.get("items")
    if isinstance(items, list):
        for it in items:
            if isinstance(it, JObject) and it.repeated & set(ITEM_FIELDS):
                return True
    return False


def _field(obj, name, check, path=None):
    path = path or name
    if name not in obj:
        raise Rejected("missing_field", path, "required")
    try:
        return check(obj[name])
    except FieldError as e:
        raise Rejected(e.reason, path, e.detail)


def _kind(v):
    if is_text(v) and v in ("sale", "refund"):
        return v
    raise F.bad('must be "sale" or "refund"')


def _currency(v):
    if not is_text(v):
        raise F.bad("must be a string")
    if v not in CURRENCY_DIGITS:
        raise FieldError("unknown_currency", "unsupported currency " + v)
    return v


def _qty(v):
    n = F.integer(v)
    if not 1 <= n <= 10000:
        raise F.bad("must be an integer in 1...10000")
    return n


def _payment(v):
    if not is_text(v):
        raise F.bad("must be a string")
    return v


def judge_object(obj, total_policy="correct"):
    tx_id = _field(obj, "tx_id", F.text_1_64)
    store_id = _field(obj, "store_id", F.text_1_64)
    terminal_id = _field(obj, "terminal_id", F.text_1_64)
    event_time = _field(obj, "event_time", F.event_time)
    kind = _field(obj, "kind", _kind) if "kind" in obj else "sale"
    currency = _field(obj, "currency", _currency)
    digits = CURRENCY_DIGITS[currency]

    if "items" not in obj:
        raise Rejected("missing_field", "items", "required")
    items_in = obj["items"]
    if not isinstance(items_in, list) or not 1 <= len(items_in) <= 1000:
        raise Rejected("bad_field", "items", "must be an array of 1..1000 items")
    items, item_sum = [], 0
    for i, it in enumerate(items_in):
        path = "items[%d]" % i
        if not isinstance(it, dict):
            raise Rejected("bad_field", path, "must be an object")
        sku = _field(it, "sku", F.text_1_64, path + ".sku")
        qty = _field(it, "qty", _qty, path + ".qty")
        price = _field(it, "unit_price", lambda v: F.money(v, digits), path + ".unit_price")
        items.append({"sku": sku, "qty": qty, "unit_price_minor": price})
    for it in items:
        item_sum += it["qty"] * it["unit_price_minor"]
        if item_sum > INT64_MAX:
            raise Rejected("bad_field", "items", "the item sum overflows a signed 64-bit integer")

    total = _field(obj, "total", lambda v: F.money(v, digits))
    if "payment" in obj:
        _field(obj, "payment", _payment)

    rec = {"tx_id": tx_id, "store_id": store_id, "terminal_id": terminal_id,
           "event_time": event_time, "kind": kind, "currency": currency,
           "items": items, "total_minor": total, "corrected": False}
    if total != item_sum:
        if total_policy == "reject":
            raise Rejected("total_mismatch", "total", "total differs from the item sum")
        rec["total_minor"] = item_sum
        rec["corrected"] = True
        rec["original_total_minor"] = total
    return rec


# ---------------------------------------------------------------- CSV

class CsvHeaderError(Exception):
    pass


def split_csv(line):
    """Cells of one CSV row (RFC 4180 quoting; a quote inside an unquoted cell is
    literal), or None for broken quoting."""
    cells, i, n = [], 0, len(line)
    while True:
        if i < n and line[i] == '"':
            j, buf = i + 1, []
            while True:
                k = line.find('"', j)
                if k < 0:
                    return None
                buf.append(line[j:k])
                if k + 1 < n and line[k + 1] == '"':
                    buf.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            cells.append("".join(buf))
            if i == n:
                return cells
            if line[i] != ",":
                return None
            i += 1
        else:
            k = line.find(",", i)
            cell = line[i:] if k < 0 else line[i:k]
            cells.append(cell)
            if k < 0:
                return cells
            i = k + 1


def csv_header(text):
    """The header's cells; raises CsvHeaderError when a required column is not named.

    Columns the spec does not name are allowed and ignored; a column named twice is
    read from its first cell (the spec is silent on both; this is the product's reading).
    """
    if text.endswith("\r"):
        text = text[:-1]
    cells = split_csv(text)
    missing = [c for c in CSV_COLUMNS if cells is None or c not in cells]
    if missing:
        raise CsvHeaderError("CSV header lacks the column(s) " + ",".join(missing))
    return cells


_CSV_INT = re.compile(r"-?[0-9]+\Z")


def _csv_int(v):
    if not _CSV_INT.match(v):
        raise F.bad("must be an integer")
    n = F.int_literal_value(v)
    if n is None:
        raise F.bad("does not fit a signed 64-bit integer")
    return n


def _csv_event_time(v):
    t = _csv_int(v)
    if not F.MIN_TIME <= t < F.END_TIME:
        raise F.bad("must lie in [2000-01-01, 2100-01-01)")
    return t


def _csv_nonneg(v):
    n = _csv_int(v)
    if n < 0:
        raise F.bad("must be an integer >= 0")
    return n


def judge_csv(text, header):
    """A CSV row's text (without `\\n`) judged with its file's header."""
    if text.endswith("\r"):
        text = text[:-1]
    cells = split_csv(text)
    if cells is None:
        raise Rejected("malformed_json", None, "broken quoting")
    if len(cells) != len(header):
        raise Rejected("malformed_json", None, "wrong number of cells")
    row = {}
    for name, cell in zip(header, cells):
        if name in CSV_COLUMNS and name not in row:
            row[name] = cell
    row = {name: cell for name, cell in row.items() if cell != ""}
    tx_id = _field(row, "tx_id", F.text_1_64)
    store_id = _field(row, "store_id", F.text_1_64)
    terminal_id = _field(row, "terminal_id", F.text_1_64)
    event_time = _field(row, "event_time_ms", _csv_event_time)
    kind = _field(row, "kind", _kind) if "kind" in row else "sale"
    currency = _field(row, "currency", _currency)
    item_count = _field(row, "item_count", _csv_nonneg)
    total = _field(row, "total_minor", _csv_nonneg)
    return {"tx_id": tx_id, "store_id": store_id, "terminal_id": terminal_id,
            "event_time": event_time, "kind": kind, "currency": currency,
            "items": [], "item_count": item_count, "total_minor": total, "corrected": False}
