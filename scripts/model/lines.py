"""Input files as records.md section 0 reads them, and each line's first checks.

- Files are read in the order given; `.zst` files are decompressed (`zstd -dc`).
- A file is split on `\\n`; text after the last `\\n` is a line, a final `\\n` makes no
  extra empty line (SPEC-NOTES 10). A UTF-8 byte-order mark at the start of a file is
  skipped. Line numbers count from 1; in a CSV file the header is line 1 (SPEC-NOTES 11).
- `source` of a dead letter is the file's base name and the line number; `raw` is the
  line's first 4096 bytes, invalid UTF-8 replaced by U+FFFD (cut first, then decoded).
- The checks before anything else: `too_large` (more than 1,048,576 bytes, the `\\n`
  not counted), then `bad_encoding` (not UTF-8).
"""
import shutil
import subprocess

MAX_LINE = 1048576
BOM = b"\xef\xbb\xbf"


class InputError(Exception):
    pass


def read_bytes(path):
    if path.endswith(".zst"):
        if not shutil.which("zstd"):
            raise InputError("%s: zstd is not installed, cannot read .zst input" % path)
        r = subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise InputError("%s: zstd failed: %s" % (path, r.stderr.decode(errors="replace").strip()))
        return r.stdout
    with open(path, "rb") as f:
        return f.read()


def is_csv(path):
    return path.endswith(".csv") or path.endswith(".csv.zst")


def file_lines(path):
    """(line number, bytes) of every line of a file."""
    data = read_bytes(path)
    if data.startswith(BOM):
        data = data[len(BOM):]
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return list(enumerate(parts, 1))


def raw_text(line):
    return line[:4096].decode("utf-8", errors="replace")


def dead_letter(reason, field, detail, source, line):
    d = {"reason": reason}
    if field is not None:
        d["field"] = field
    d["detail"] = detail
    d["source"] = source
    d["raw"] = raw_text(line)
    return d


def decode(line):
    """The line's text, or (reason, detail) for too_large / bad_encoding."""
    if len(line) > MAX_LINE:
        return None, ("too_large", "line over 1 MiB")
    try:
        return line.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, ("bad_encoding", "invalid UTF-8 at byte %d" % e.start)
