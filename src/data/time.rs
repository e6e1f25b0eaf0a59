//! Time parsing for CSV import: ISO dates and datetimes, compact `YYYYMMDD`, US `M/D/YYYY H:MM`,
//! and epoch milliseconds. All times are UTC; results are epoch milliseconds.

pub const DAY_MS: f64 = 86_400_000.0;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let year_of_era = y - era * 400;
    let m = month as i64;
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn date_ms(year: i64, month: u32, day: u32) -> Option<f64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) as f64 * DAY_MS)
}

/// `HH:MM[:SS[.fff]]`, optionally followed by `Z`; returns milliseconds into the day.
fn clock_ms(s: &str) -> Option<f64> {
    let s = s.trim_end_matches('Z');
    let mut parts = s.split(':');
    let h = number(parts.next()?)?;
    let m = number(parts.next()?)?;
    let sec: f64 = match parts.next() {
        Some(p) => {
            let v: f64 = p.parse().ok()?;
            if !(0.0..61.0).contains(&v) {
                return None;
            }
            v
        }
        None => 0.0,
    };
    if parts.next().is_some() || h > 23 || m > 59 {
        return None;
    }
    Some((h as f64 * 3600.0 + m as f64 * 60.0 + sec) * 1000.0)
}

/// Parses a time cell; `None` when it is not a date this importer understands.
pub fn parse_time(text: &str) -> Option<f64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    // Compact YYYYMMDD (the CDNOW files).
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let year: i64 = s[0..4].parse().ok()?;
        return date_ms(year, s[4..6].parse().ok()?, s[6..8].parse().ok()?);
    }
    let (date, clock) = match s.find(|c| c == ' ' || c == 'T') {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let day_ms = if date.contains('-') {
        let mut p = date.split('-');
        let (y, m, d) = (number(p.next()?)?, number(p.next()?)?, number(p.next()?)?);
        if p.next().is_some() {
            return None;
        }
        date_ms(y as i64, m, d)?
    } else if date.contains('/') {
        // M/D/YYYY (the spreadsheet export of Online Retail).
        let mut p = date.split('/');
        let (m, d, y) = (number(p.next()?)?, number(p.next()?)?, number(p.next()?)?);
        if p.next().is_some() || y < 100 {
            return None;
        }
        date_ms(y as i64, m, d)?
    } else if let Ok(ms) = s.parse::<f64>() {
        // Epoch milliseconds.
        return if ms.is_finite() { Some(ms) } else { None };
    } else {
        return None;
    };
    match clock {
        None | Some("") => Some(day_ms),
        Some(c) => Some(day_ms + clock_ms(c)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(parse_time("1970-01-02"), Some(DAY_MS));
        assert_eq!(parse_time("19970101"), Some(days_from_civil(1997, 1, 1) as f64 * DAY_MS));
        // Independent reference: 2011-12-09 08:50:00 UTC = 1323420600 s.
        assert_eq!(parse_time("2011-12-09 08:50:00"), Some(1_323_420_600_000.0));
        assert_eq!(parse_time("2011-12-09T08:50:00Z"), Some(1_323_420_600_000.0));
        assert_eq!(parse_time("12/9/2011 8:50"), Some(1_323_420_600_000.0));
        assert_eq!(parse_time("1323420600000"), Some(1_323_420_600_000.0));
        // 2000-02-29 is 11016 days after the epoch.
        assert_eq!(days_from_civil(2000, 2, 29), 11016);
        for bad in ["", "2011-02-30", "2011-13-01", "yesterday", "2011-01-01 25:00", "NaN"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
