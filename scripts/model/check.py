#!/usr/bin/env python3
"""Run the reference model over the inputs and compare it with a product run's outputs.

    scripts/model/check.py JOB INPUT... --out DIR [--window 10s] [--out-of-orderness 2s]
        [--allowed-lateness 0s] [--total-mismatch correct|reject] [--dedup-horizon 24h]
        [--low-stock-threshold 5]

JOB is validation, turnover, inventory or edge; the options and their defaults are
those of `tillflow replay` (cli.md). DIR holds the product's outputs.

Comparison, one line per output file the job writes (a missing file is a failure):
- valid.jsonl: exact bytes, line for line (section 2 fixes the form);
- invalid.jsonl: line for line in order, `reason`, `field`, `source` and `raw`
  (not the free-text `detail`);
- every other file: line for line in order; bytes when they agree, otherwise as parsed
  JSON objects (so key order and number spelling would not matter) and said so.
Exit status 0 when everything matches, 1 otherwise, 2 on a usage or input error.
"""
import argparse
import difflib
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jobs  # noqa: E402
from lines import InputError  # noqa: E402
from transaction import CsvHeaderError  # noqa: E402

UNITS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000}


def duration(text):
    parts = re.findall(r"([0-9]+)(ms|s|m|h|d)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        raise argparse.ArgumentTypeError("bad duration %r (e.g. 500ms, 10s, 5m, 1h)" % text)
    return sum(int(n) * UNITS[u] for n, u in parts)


def short(x, limit=600):
    s = x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + "...(%d chars)" % len(s)


def read_product(path):
    with open(path, "rb") as f:
        data = f.read()
    out = data.split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    return out


def dead_letter_view(d):
    return {k: d[k] for k in ("reason", "field", "source", "raw") if k in d}


def compare(name, mine, path):
    """Print one verdict line (and up to 3 differences); True when all match."""
    if not os.path.exists(path):
        print("%s: MISSING (the job should write it)" % name)
        return False
    theirs_b = read_product(path)
    note = ""
    if name == "invalid.jsonl":
        exp = [dead_letter_view(d) for d in mine]
        found = []
        for b in theirs_b:
            try:
                found.append(dead_letter_view(json.loads(b)))
            except ValueError:
                found.append({"unparsable line": b.decode("utf-8", "replace")})
        note = " (reason, field, source, raw)"
    else:
        exp = [m.encode("utf-8") for m in mine]
        found = theirs_b
        if exp != found and name != "valid.jsonl":
            # bytes differ: try the parsed objects
            try:
                pe = [json.loads(x) for x in exp]
                pf = [json.loads(x) for x in found]
            except ValueError:
                pe = pf = None
            if pe is not None and pe == pf:
                first = next(i for i, (a, b) in enumerate(zip(exp, found)) if a != b) \
                    if len(exp) == len(found) else None
                print("%s: %d records match as JSON objects, bytes differ from record %s"
                      % (name, len(exp), first + 1 if first is not None else "?"))
                return True
            if pe is not None:
                exp, found = pe, pf
                note = " (as JSON objects)"
        else:
            note = " (bytes)"
    if exp == found:
        print("%s: %d records match%s" % (name, len(exp), note))
        return True
    # align the two sequences so that a dropped or added record shows as such
    key = lambda x: x if isinstance(x, bytes) else json.dumps(x, sort_keys=True)
    ops = [op for op in difflib.SequenceMatcher(None, [key(x) for x in exp],
                                                [key(x) for x in found], autojunk=False).get_opcodes()
           if op[0] != "equal"]
    print("%s: DIFFERS at record %d (%d expected, %d found)%s"
          % (name, ops[0][1] + 1, len(exp), len(found), note))
    shown = 0
    for tag, i1, i2, j1, j2 in ops:
        for k in range(max(i2 - i1, j2 - j1)):
            if shown == 3:
                return False
            shown += 1
            e = exp[i1 + k] if i1 + k < i2 else "(none: found has an extra record here)"
            f = found[j1 + k] if j1 + k < j2 else "(none: expected record missing)"
            e = e.decode("utf-8", "replace") if isinstance(e, bytes) else e
            f = f.decode("utf-8", "replace") if isinstance(f, bytes) else f
            print("  expected record %s / found record %s" % (
                i1 + k + 1 if i1 + k < i2 else "-", j1 + k + 1 if j1 + k < j2 else "-"))
            print("    expected: %s" % short(e))
            print("    found:    %s" % short(f))
    return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("job", choices=sorted(jobs.OUTPUTS))
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out", required=True, help="the product's output directory")
    ap.add_argument("--window", type=duration, default="10s")
    ap.add_argument("--out-of-orderness", type=duration, default="2s")
    ap.add_argument("--allowed-lateness", type=duration, default="0s")
    ap.add_argument("--total-mismatch", choices=("correct", "reject"), default="correct")
    ap.add_argument("--dedup-horizon", type=duration, default="24h")
    ap.add_argument("--low-stock-threshold", type=int, default=5)
    ap.add_argument("--write-expected", metavar="DIR",
                    help="also write the model's own outputs into DIR (dead letters with "
                         "the model's detail text)")
    a = ap.parse_args(argv)
    opt = jobs.Options()
    opt.window, opt.out_of_orderness = a.window, a.out_of_orderness
    opt.allowed_lateness, opt.total_mismatch = a.allowed_lateness, a.total_mismatch
    opt.dedup_horizon, opt.low_stock_threshold = a.dedup_horizon, a.low_stock_threshold
    if opt.window <= 0:
        ap.error("--window must be positive")

    t0 = time.time()
    try:
        out = jobs.run(a.job, a.inputs, opt)
    except CsvHeaderError as e:
        print("the model says this run fails with a one-line error: %s" % e)
        print("(so the product should have failed; compare its exit status yourself)")
        return 2
    except (InputError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    t1 = time.time()
    if a.write_expected:
        os.makedirs(a.write_expected, exist_ok=True)
        for name, recs in out.items():
            with open(os.path.join(a.write_expected, name), "w", encoding="utf-8") as f:
                for r in recs:
                    f.write((r if isinstance(r, str) else jobs.dumps(r)) + "\n")
    ok = True
    for name in jobs.OUTPUTS[a.job]:
        ok &= compare(name, out[name], os.path.join(a.out, name))
    print("model ran in %.1f s, compared in %.1f s: %s"
          % (t1 - t0, time.time() - t1, "ALL MATCH" if ok else "DIFFERENCES"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
