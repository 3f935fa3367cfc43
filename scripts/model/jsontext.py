"""JSON text as records.md section 0 reads it, and the canonical JSON the jobs write.

Reading (section 0, "JSON" and "Lines"; SPEC-NOTES 6):
- a line is UTF-8 text; anything else is `bad_encoding` (judged by the caller);
- the line must be exactly one JSON value (RFC 8259; whitespace around it allowed);
  NaN / Infinity are not JSON; an empty or blank line is malformed;
- a lone surrogate escape (`"\\ud800"`) is malformed;
- nesting deeper than 64 levels (the top-level value is level 1) is malformed;
- a *known* field repeated in one object is malformed; which fields are known depends
  on what the object is, so parsing only records the repeated keys of every object
  (`JObject.repeated`) and the record's judge decides.

Number literals are kept as their text (`JInt` for integer literals, `JFloat` for the
others) so that `2` and `2.0` differ and money digits are judged exactly.

Writing: `dumps` writes a value the way the product writes its outputs (checked against
the product's bytes): no spaces, keys in the order given, strings with `"` `\\` `\\n`
`\\r` `\\t` escaped short, other control characters below U+0020 as `\\u00xx`
(lowercase hex), everything else (`/`, DEL, non-ASCII) as its UTF-8 text.
"""
import json

MAX_DEPTH = 64


class JInt(str):
    """An integer literal, kept as written (e.g. `-0`, `12`)."""


class JFloat(str):
    """A number literal with a fraction or an exponent, kept as written (`2.0`, `1e3`)."""


class JObject(dict):
    """A JSON object; `repeated` holds the keys that appeared more than once."""
    repeated = frozenset()


class Malformed(Exception):
    pass


def _object(pairs):
    obj = JObject()
    repeated = set()
    for k, v in pairs:
        if k in obj:
            repeated.add(k)
        obj[k] = v
    if repeated:
        obj.repeated = frozenset(repeated)
    return obj


def _no_constant(name):
    raise Malformed("not JSON: " + name)


_decoder = json.JSONDecoder(object_pairs_hook=_object, parse_int=JInt, parse_float=JFloat,
                            parse_constant=_no_constant, strict=True)


def _depth(v):
    if isinstance(v, dict):
        return 1 + max((_depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((_depth(x) for x in v), default=0)
    return 0


def _has_surrogate(v):
    if isinstance(v, str) and not isinstance(v, (JInt, JFloat)):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in v)
    if isinstance(v, dict):
        return any(_has_surrogate(k) or _has_surrogate(x) for k, x in v.items())
    if isinstance(v, list):
        return any(_has_surrogate(x) for x in v)
    return False


def parse(text):
    """Parse one line's text (already decoded) into a value, or raise Malformed."""
    try:
        value = _decoder.decode(text)
    except Malformed:
        raise
    except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
        raise Malformed(str(e))
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        raise Malformed("nesting deeper than 64 levels")
    if "\\u" in text or "\\U" in text:
        if _has_surrogate(value):
            raise Malformed("lone surrogate escape")
    return value


def is_text(v):
    """A JSON string (not a number kept as text)."""
    return isinstance(v, str) and not isinstance(v, (JInt, JFloat))


# ---------------------------------------------------------------- writing

_ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
for _i in range(0x20):
    _ESC.setdefault(chr(_i), "\\u%04x" % _i)
_TABLE = str.maketrans(_ESC)


def dump_str(s):
    return '"' + s.translate(_TABLE) + '"'


def dumps(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return dump_str(v)
    if isinstance(v, dict):
        return "{" + ",".join(dump_str(k) + ":" + dumps(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(dumps(x) for x in v) + "]"
    raise TypeError(type(v))
