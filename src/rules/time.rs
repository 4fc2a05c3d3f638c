//! PF331–PF343: expiry and the other time claims, all evaluated at an explicit `now` (never the
//! system clock, which only the command layer reads).

use crate::catalog::{CheckGroup, Code, Severity};
use crate::finding::{Finding, Findings};
use crate::timefmt;
use crate::token::Object;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// The documented maximum lifetime of an assertion (the default lifetime is the same fact).
pub const MAX_LIFETIME_SECS: i64 = crate::defaults::LIFETIME_SECS;
/// Below this many seconds left, an assertion may expire in flight (PF336).
pub const TIGHT_WINDOW_SECS: i64 = 30;
/// Above this, a timestamp is in milliseconds (PF333): 10^11 s is the year 5138.
pub const MILLISECONDS_THRESHOLD: i64 = 100_000_000_000;

/// A NumericDate claim as read: the value Salesforce would see, and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericDate {
    /// An integer JSON number.
    Integer(i64),
    /// A number with a fraction, truncated.
    Fraction(i64),
    /// A string of digits.
    DigitString(i64),
    /// Not a number at all.
    NotANumber,
}

impl NumericDate {
    /// Reads a claim value.
    pub fn read(v: &Value) -> NumericDate {
        match v {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    NumericDate::Integer(i)
                } else if let Some(u) = n.as_u64() {
                    NumericDate::Integer(i64::try_from(u).unwrap_or(i64::MAX))
                } else if n.as_f64() == Some(0.0) {
                    // `-0` is an integer literal in JSON, but the parser keeps it as the
                    // float -0.0: it is the integer 0.
                    NumericDate::Integer(0)
                } else if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                    // Saturating float-to-int conversion is what we want for absurd values.
                    NumericDate::Fraction(f.trunc() as i64)
                } else {
                    NumericDate::NotANumber
                }
            }
            Value::String(s)
                if !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.parse()
                    .map(NumericDate::DigitString)
                    .unwrap_or(NumericDate::NotANumber)
            }
            _ => NumericDate::NotANumber,
        }
    }

    /// The seconds value, when there is one.
    pub fn value(self) -> Option<i64> {
        match self {
            NumericDate::Integer(v) | NumericDate::Fraction(v) | NumericDate::DigitString(v) => {
                Some(v)
            }
            NumericDate::NotANumber => None,
        }
    }
}

/// Runs PF331–PF343 at `now`.
pub fn evaluate(claims: &Object, now: DateTime<Utc>, out: &mut Findings) {
    let now_s = now.timestamp();
    let now_text = timefmt::rfc3339(now);
    out.ran(CheckGroup::Time, format!("evaluated at {now_text}"));
    match claims.get("exp") {
        None => out.push(Finding::new(Code::PF331, "the claims have no \"exp\"")),
        Some(raw) => check_exp(raw, now_s, &now_text, out),
    }
    if let Some(nbf) = claims.get("nbf").and_then(|v| NumericDate::read(v).value())
        && nbf > MILLISECONDS_THRESHOLD
    {
        out.push(Finding::new(
            Code::PF341,
            format!(
                "nbf {nbf} is in milliseconds ({} read as milliseconds); read as seconds the assertion is not valid for tens of thousands of years",
                timefmt::unix_rfc3339(nbf / 1000)
            ),
        ));
    } else if let Some(nbf) = claims.get("nbf").and_then(|v| NumericDate::read(v).value())
        && nbf > now_s
    {
        out.push(Finding::new(
            Code::PF341,
            format!(
                "nbf is {} ({}), {} s after now ({now_text})",
                nbf,
                timefmt::unix_rfc3339(nbf),
                nbf.saturating_sub(now_s)
            ),
        ));
    }
    if let Some(iat) = claims.get("iat").and_then(|v| NumericDate::read(v).value())
        && iat > MILLISECONDS_THRESHOLD
    {
        out.push(Finding::new(
            Code::PF342,
            format!(
                "iat {iat} is in milliseconds ({} read as milliseconds); read as seconds it lies tens of thousands of years ahead",
                timefmt::unix_rfc3339(iat / 1000)
            ),
        ));
    } else if let Some(iat) = claims.get("iat").and_then(|v| NumericDate::read(v).value())
        && iat > now_s
    {
        out.push(Finding::new(
            Code::PF342,
            format!(
                "iat is {} ({}), {} s after now ({now_text}): the signing host's clock is ahead",
                iat,
                timefmt::unix_rfc3339(iat),
                iat.saturating_sub(now_s)
            ),
        ));
    }
    if let Some(jti) = claims.get("jti") {
        out.push(Finding::new(Code::PF343,
            format!("jti is {jti}: Salesforce rejects an assertion whose jti it has seen before, so mint a new one per request"),
        ));
    }
}

fn check_exp(raw: &Value, now_s: i64, now_text: &str, out: &mut Findings) {
    let exp = NumericDate::read(raw);
    match exp {
        NumericDate::Integer(_) => {}
        NumericDate::DigitString(v) => out.push(
            Finding::new(
                Code::PF332,
                format!("exp is the string \"{v}\", not a JSON number; Salesforce tolerates it, RFC 7519 wants {v}"),
            )
            .with_fix(format!("Write exp as the JSON number {v}, without quotes: \"exp\":{v}.")),
        ),
        NumericDate::Fraction(v) => out.push(
            Finding::new(
                Code::PF332,
                format!("exp is {raw}, not an integer JSON number; NumericDate in a JWT is integer seconds ({v})"),
            )
            .with_fix(format!("Write exp as whole seconds: \"exp\":{v}, not {raw}.")),
        ),
        NumericDate::NotANumber => {
            out.push(
                Finding::new(Code::PF332,
                    format!("exp is {raw}, which is not a number of seconds at all"),
                )
                .with_severity(Severity::Error),
            );
            return;
        }
    }
    let Some(exp) = exp.value() else { return };
    if exp > MILLISECONDS_THRESHOLD {
        // Read as seconds it lies tens of thousands of years ahead: PF333 says so, and no other
        // time rule adds an absurd distance beside it.
        out.push(Finding::new(
            Code::PF333,
            format!(
                "exp {exp} is in milliseconds ({} read as milliseconds); read as seconds it lies tens of thousands of years ahead, so the assertion never expires",
                timefmt::unix_rfc3339(exp / 1000)
            ),
        ));
        return;
    }
    let left = exp.saturating_sub(now_s);
    if left <= 0 {
        out.push(Finding::new(
            Code::PF334,
            format!(
                "exp {} ({}) expired {} s before {now_text} ({} ago)",
                exp,
                timefmt::unix_rfc3339(exp),
                left.unsigned_abs(),
                timefmt::duration(left)
            ),
        ));
    } else if left > MAX_LIFETIME_SECS {
        out.push(Finding::new(Code::PF335,
            format!(
                "exp is {left} s after now; the documented limit is {MAX_LIFETIME_SECS} s ({} away)",
                timefmt::duration(left)
            ),
        ));
    } else if left < TIGHT_WINDOW_SECS {
        out.push(Finding::new(
            Code::PF336,
            format!(
                "only {left} s are left before exp ({}): it may expire in flight",
                timefmt::unix_rfc3339(exp)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extreme_values_do_not_overflow() {
        for exp in [i64::MIN, i64::MAX, -1] {
            for now in [i64::MIN, i64::MAX, 0] {
                let mut claims = Object::new();
                claims.insert("exp".into(), json!(exp));
                claims.insert("nbf".into(), json!(i64::MAX));
                claims.insert("iat".into(), json!(i64::MAX));
                let now =
                    DateTime::from_timestamp(now.clamp(-8_000_000_000_000, 8_000_000_000_000), 0)
                        .unwrap_or_default();
                let mut f = Findings::new();
                evaluate(&claims, now, &mut f);
                assert!(
                    f.has(Code::PF334) || f.has(Code::PF335) || f.has(Code::PF333),
                    "{exp} at {now}"
                );
            }
        }
        let mut claims = Object::new();
        claims.insert("exp".into(), json!(-1e308));
        evaluate(&claims, Utc::now(), &mut Findings::new());
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(NumericDate::read(&json!(5)), NumericDate::Integer(5));
        assert_eq!(NumericDate::read(&json!("5")), NumericDate::DigitString(5));
        assert_eq!(NumericDate::read(&json!(5.5)), NumericDate::Fraction(5));
        assert_eq!(NumericDate::read(&json!("soon")), NumericDate::NotANumber);
        assert_eq!(NumericDate::read(&json!(null)), NumericDate::NotANumber);
        assert_eq!(
            NumericDate::read(&json!("99999999999999999999")),
            NumericDate::NotANumber
        );
    }
}
