"""Times given on the command line (`--observation-end`, `--calibration-end`), parsed as regulars
parses a time cell (src/data/time.rs `parse_time`), so an end given as text means the same
instant in Spark and in regulars; epoch milliseconds are accepted too."""

import re
from typing import Optional

DAY_MS = 86_400_000.0
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_PART = re.compile(r"[0-9]{1,4}")


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)."""
    y = year - 1 if month <= 2 else year
    era = int((y if y >= 0 else y - 399) / 400)
    yoe = y - era * 400
    doy = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _date_ms(y: int, m: int, d: int) -> Optional[float]:
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    dim = 31 if m in (1, 3, 5, 7, 8, 10, 12) else 30 if m in (4, 6, 9, 11) else 29 if leap else 28
    if not 1 <= m <= 12 or d == 0 or d > dim:
        return None
    return days_from_civil(y, m, d) * DAY_MS


def _number(s: str) -> Optional[int]:
    return int(s) if _PART.fullmatch(s) else None


def _clock_ms(s: str) -> Optional[float]:
    parts = s.rstrip("Z").split(":")
    if len(parts) not in (2, 3):
        return None
    h, m = _number(parts[0]), _number(parts[1])
    sec = 0.0
    if len(parts) == 3:
        if not _NUMBER.fullmatch(parts[2]):
            return None
        sec = float(parts[2])
        if not 0.0 <= sec < 61.0:
            return None
    if h is None or m is None or h > 23 or m > 59:
        return None
    return (h * 3600.0 + m * 60.0 + sec) * 1000.0


def parse_time(text: str) -> Optional[float]:
    s = text.strip()
    if not s:
        return None
    if len(s) == 8 and s.isascii() and s.isdigit():
        return _date_ms(int(s[0:4]), int(s[4:6]), int(s[6:8]))
    cut = min([i for i in (s.find(" "), s.find("T")) if i >= 0], default=-1)
    date, clock = (s, None) if cut < 0 else (s[:cut], s[cut + 1 :].strip())
    if "-" in date or "/" in date:
        sep = "-" if "-" in date else "/"
        p = [_number(x) for x in date.split(sep)]
        if len(p) != 3 or None in p:
            return None
        if sep == "-":
            day_ms = _date_ms(p[0], p[1], p[2])
        else:
            day_ms = _date_ms(p[2], p[0], p[1]) if p[2] >= 100 else None
        if day_ms is None:
            return None
    elif _NUMBER.fullmatch(s):
        v = float(s)
        return v if v == v and abs(v) != float("inf") else None
    else:
        return None
    if not clock:
        return day_ms
    c = _clock_ms(clock)
    return None if c is None else day_ms + c


def parse_end(option: str, text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    t = parse_time(text)
    if t is None:
        raise ValueError(f"{option} must be a time regulars can read (e.g. 2011-09-30 or 2011-09-30T23:59:59Z), got '{text}'")
    return t
