//! Times and durations as people read them: RFC 3339 in UTC, "2m 50s", "in 3h 4m", "5d ago".

use chrono::{DateTime, SecondsFormat, Utc};

/// `2026-06-01T12:00:00Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A UNIX timestamp as RFC 3339, or a note when it is outside chrono's range.
pub fn unix_rfc3339(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(rfc3339)
        .unwrap_or_else(|| format!("{secs} (out of range)"))
}

/// A positive duration in seconds, shortest exact form with two units: "42s", "2m 50s",
/// "3h 4m", "12d 3h", "1034y 12d".
pub fn duration(secs: i64) -> String {
    let s = secs.unsigned_abs();
    const MIN: u64 = 60;
    const HOUR: u64 = 3600;
    const DAY: u64 = 86_400;
    const YEAR: u64 = 365 * DAY;
    match s {
        0..MIN => format!("{s}s"),
        MIN..HOUR => two(s / MIN, "m", s % MIN, "s"),
        HOUR..DAY => two(s / HOUR, "h", (s % HOUR) / MIN, "m"),
        DAY..YEAR => two(s / DAY, "d", (s % DAY) / HOUR, "h"),
        _ => two(s / YEAR, "y", (s % YEAR) / DAY, "d"),
    }
}

fn two(a: u64, ua: &str, b: u64, ub: &str) -> String {
    if b == 0 {
        format!("{a}{ua}")
    } else {
        format!("{a}{ua} {b}{ub}")
    }
}

/// "in 2m 50s", "3h 4m ago" or "now", for `t` seen from `now`.
pub fn relative(t: i64, now: i64) -> String {
    let d = t.saturating_sub(now);
    match d {
        0 => "now".to_string(),
        d if d > 0 => format!("in {}", duration(d)),
        d => format!("{} ago", duration(d)),
    }
}

/// Parses `--now`: RFC 3339 (`2026-06-01T12:00:00Z`, a fraction of a second allowed) or UNIX
/// seconds (`1780315200`, or `1780315200.25`).
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return DateTime::<Utc>::from_timestamp(secs, 0)
            .ok_or_else(|| format!("{s} is outside the representable range"));
    }
    if let Some((whole, fraction)) = s.split_once('.')
        && !fraction.is_empty()
        && fraction.len() <= 9
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && let Ok(secs) = whole.parse::<i64>()
    {
        // Nanoseconds from the digits after the point, padded to nine.
        let nanos: u32 = format!("{fraction:0<9}").parse().unwrap_or(0);
        let (secs, nanos) = if whole.starts_with('-') && nanos > 0 {
            (secs.saturating_sub(1), 1_000_000_000 - nanos)
        } else {
            (secs, nanos)
        };
        return DateTime::<Utc>::from_timestamp(secs, nanos)
            .ok_or_else(|| format!("{s} is outside the representable range"));
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("'{s}' is neither RFC 3339 (2026-06-01T12:00:00Z) nor UNIX seconds ({e})")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(42), "42s");
        assert_eq!(duration(170), "2m 50s");
        assert_eq!(duration(3 * 3600 + 4 * 60 + 5), "3h 4m");
        assert_eq!(duration(-120), "2m");
        assert_eq!(relative(100, 58), "in 42s");
        assert_eq!(relative(58, 100), "42s ago");
    }

    #[test]
    fn instants() {
        assert_eq!(
            parse_instant("1780315200").map(rfc3339),
            Ok("2026-06-01T12:00:00Z".to_string())
        );
        assert_eq!(
            parse_instant("2026-06-01T14:00:00+02:00").map(rfc3339),
            Ok("2026-06-01T12:00:00Z".to_string())
        );
        assert!(parse_instant("yesterday").is_err());
        // Fractions of a second, in either form.
        let t = parse_instant("1780315200.25").unwrap_or_default();
        assert_eq!(
            (t.timestamp(), t.timestamp_subsec_millis()),
            (1_780_315_200, 250)
        );
        let t = parse_instant("2026-06-01T12:00:00.5Z").unwrap_or_default();
        assert_eq!(
            (t.timestamp(), t.timestamp_subsec_millis()),
            (1_780_315_200, 500)
        );
        let t = parse_instant("-1.5").unwrap_or_default();
        assert_eq!((t.timestamp(), t.timestamp_subsec_millis()), (-2, 500));
    }
}
