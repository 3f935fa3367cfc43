"""The four jobs over one ordered stream of lines: records.md sections 0, 3 and 5 and
cli.md (`replay validation|turnover|inventory|edge`), live.md section 1 (clock marks).

Each line, in input order, is judged: too_large, bad_encoding, malformed_json,
not_an_object (a CSV row: too_large, bad_encoding, then cells and fields), then
- a clock mark (an object with exactly one field, `clock`, a signed 64-bit integer
  literal) is in no output and moves every stage's watermark;
- in `validation` and `turnover` every other record is a transaction; in `inventory`
  and `edge` a record with a `tx_id` key is one (section 0) and any other is an
  inventory event; a repeated known field of what the record is makes it
  malformed_json (section 0, SPEC-NOTES 19);
- a valid transaction goes through dedup (validation stage), then to `valid.jsonl`
  and to the turnover and/or inventory stages; a valid inventory event to the
  inventory stage. Each stage keeps its own watermark (section 0).
At the end of input every stage's watermark becomes infinite.

`run(job, inputs, options)` returns {file name: [lines]} where dead letters are dicts
and all other outputs are the exact JSON text of each line.
"""
import os
from jsontext import parse, Malformed, JInt, dumps
import lines as L
import transaction as T
import inventory_event as E
from fields import int_literal_value
from dedup import Dedup, Watermark
from turnover import Turnover
from inventory import Inventory

OUTPUTS = {
    "validation": ("valid.jsonl", "invalid.jsonl"),
    "turnover": ("valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl"),
    "inventory": ("valid.jsonl", "invalid.jsonl", "decisions.jsonl", "alerts.jsonl",
                  "availability.jsonl"),
    "edge": ("valid.jsonl", "invalid.jsonl", "turnover.jsonl", "rollup.jsonl", "late.jsonl",
             "decisions.jsonl", "alerts.jsonl", "availability.jsonl"),
}


class Options:
    window = 10000
    out_of_orderness = 2000
    allowed_lateness = 0
    total_mismatch = "correct"
    dedup_horizon = 24 * 3600 * 1000
    low_stock_threshold = 5


def clock_value(obj):
    if len(obj) == 1 and "clock" in obj and isinstance(obj["clock"], JInt) and not obj.repeated:
        return int_literal_value(obj["clock"])
    return None


def run(job, inputs, opt):
    valid, invalid = [], []
    dedup = Dedup(opt.dedup_horizon, opt.out_of_orderness)
    turnover = inventory = None
    if job in ("turnover", "edge"):
        turnover = Turnover(opt.window, opt.out_of_orderness, opt.allowed_lateness, Watermark)
    if job in ("inventory", "edge"):
        inventory = Inventory(opt.low_stock_threshold, opt.dedup_horizon, opt.out_of_orderness,
                              Watermark)
    mixed = inventory is not None
    seq = 0

    for path in inputs:
        name = os.path.basename(path)
        csv = L.is_csv(path)
        header = None
        numbered = L.file_lines(path)
        if csv and not numbered:
            raise T.CsvHeaderError("%s: empty CSV file, no header line" % name)
        for lineno, line in numbered:
            source = "%s:%d" % (name, lineno)
            if csv and header is None:
                text, err = L.decode(line)
                if err:
                    raise T.CsvHeaderError("%s: unreadable CSV header" % name)
                header = T.csv_header(text)
                continue
            seq += 1
            text, err = L.decode(line)
            if err:
                invalid.append(L.dead_letter(err[0], None, err[1], source, line))
                continue
            try:
                if csv:
                    tx = T.judge_csv(text, header)
                else:
                    try:
                        obj = parse(text)
                    except Malformed as e:
                        raise T.Rejected("malformed_json", None, str(e))
                    if not isinstance(obj, dict):
                        raise T.Rejected("not_an_object", None, "not a JSON object")
                    clock = clock_value(obj)
                    if clock is not None:
                        dedup.clock(clock)
                        if turnover:
                            turnover.clock(clock)
                        if inventory:
                            inventory.clock(clock)
                        continue
                    if mixed and "tx_id" not in obj:
                        if E.repeats_known_field(obj):
                            raise T.Rejected("malformed_json", None, "repeated field")
                        ev = E.judge_event(obj)
                        inventory.event(ev, seq)
                        continue
                    if T.repeats_known_field(obj):
                        raise T.Rejected("malformed_json", None, "repeated field")
                    tx = T.judge_object(obj, opt.total_mismatch)
            except T.Rejected as r:
                invalid.append(L.dead_letter(r.reason, r.field, r.detail, source, line))
                continue
            if not dedup.accept(tx):
                invalid.append(L.dead_letter("duplicate", "tx_id", "duplicate", source, line))
                continue
            text = dumps(tx)
            valid.append(text)
            if turnover:
                turnover.add(tx, seq, text[:-1])
            if inventory:
                inventory.transaction(tx)

    out = {"valid.jsonl": valid, "invalid.jsonl": invalid}
    if turnover:
        turnover.finish()
        out.update({"turnover.jsonl": turnover.turnover, "rollup.jsonl": turnover.rollup,
                    "late.jsonl": turnover.late})
    if inventory:
        inventory.finish()
        out.update({"decisions.jsonl": inventory.decisions, "alerts.jsonl": inventory.alerts,
                    "availability.jsonl": inventory.availability})
    return out
