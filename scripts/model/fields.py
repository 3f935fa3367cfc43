"""Field rules shared by transactions (records.md section 1) and inventory events
(section 5), with the exact rules of section 0:

- strings of 1..64 Unicode code points;
- integers need an integer literal (`2.0` is not one) and fit a signed 64-bit integer;
- money, a decimal string or a JSON number, is `digits` or `digits.digits`, no sign,
  exponent or spaces, with at most the currency's minor-unit digits as written, and
  must fit a signed 64-bit integer in minor units;
- event_time is an RFC 3339 timestamp with an offset (`T` and `Z` in either case, no
  space separator, seconds 00-59, fractions below a millisecond truncated) or integer
  epoch ms, and lies in [2000-01-01, 2100-01-01).

Each check returns the value or raises `FieldError(reason, detail)`; the caller knows
the field's name.
"""
import re
from jsontext import JInt, JFloat, is_text

INT64_MAX = 2 ** 63 - 1
INT64_MIN = -2 ** 63

MIN_TIME = 946684800000      # 2000-01-01T00:00:00Z
END_TIME = 4102444800000     # 2100-01-01T00:00:00Z

CURRENCY_DIGITS = {"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "PLN": 2, "JPY": 0, "KWD": 3}


class FieldError(Exception):
    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def bad(detail):
    return FieldError("bad_field", detail)


def text_1_64(v):
    if not is_text(v):
        raise bad("must be a string")
    if not 1 <= len(v) <= 64:
        raise bad("must be 1..64 characters")
    return v


_INT_TEXT = re.compile(r"-?[0-9]+\Z")


def int_literal_value(s):
    """The value of an integer literal's text, or None when it does not fit int64."""
    digits = s.lstrip("-").lstrip("0")
    if len(digits) > 19:
        return None
    n = int(s)
    return n if INT64_MIN <= n <= INT64_MAX else None


def integer(v):
    if not isinstance(v, JInt):
        raise bad("must be an integer")
    n = int_literal_value(v)
    if n is None:
        raise bad("does not fit a signed 64-bit integer")
    return n


_MONEY = re.compile(r"([0-9]+)(?:\.([0-9]+))?\Z")


def money(v, digits):
    """Minor units of a money value written with at most `digits` fractional digits."""
    if not (is_text(v) or isinstance(v, (JInt, JFloat))):
        raise bad("must be a decimal string or number")
    m = _MONEY.match(v)
    if not m:
        raise bad("must be digits or digits.digits")
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > digits:
        raise bad("too many fractional digits")
    whole = whole.lstrip("0")
    if len(whole) + digits > 19:
        raise bad("does not fit a signed 64-bit integer")
    n = int(whole or "0") * 10 ** digits + int((frac + "0" * digits)[:digits] or "0")
    if n > INT64_MAX:
        raise bad("does not fit a signed 64-bit integer")
    return n


_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))\Z")


def _days_from_civil(y, m, d):
    # days since 1970-01-01 of a proleptic Gregorian date
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _month_days(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def rfc3339_ms(s):
    m = _RFC3339.match(s)
    if not m:
        raise bad("must be an RFC 3339 timestamp with offset")
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= mo <= 12 and 1 <= d <= _month_days(y, mo) and h <= 23 and mi <= 59 and sec <= 59):
        raise bad("not a valid date and time")
    ms = int(((m.group(7) or "") + "000")[:3])
    offset = 0
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            raise bad("not a valid offset")
        offset = (oh * 60 + om) * 60000 * (1 if m.group(9) == "+" else -1)
    return ((_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + sec * 1000 + ms - offset


def event_time(v):
    if isinstance(v, JInt):
        t = int_literal_value(v)
        if t is None:
            raise bad("out of range")
    elif is_text(v):
        t = rfc3339_ms(v)
    else:
        raise bad("must be an RFC 3339 string or integer epoch ms")
    if not MIN_TIME <= t < END_TIME:
        raise bad("must lie in [2000-01-01, 2100-01-01)")
    return t
