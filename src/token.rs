//! Strict, total parsing of a compact JWS (RFC 7515 §7.1).
//!
//! The parser never fails and never panics: whatever it is given, it returns what it could
//! read plus the structural findings PF101–PF104. It keeps the exact bytes of every segment,
//! because the signature covers those bytes and not their decoded meaning.

use crate::catalog::Code;
use crate::defaults::MAX_DUPLICATES_LISTED;
use crate::finding::Finding;
use base64::Engine;
#[cfg(test)]
use base64::engine::general_purpose::URL_SAFE;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;

/// A decoded JSON object, with its members in their original order.
pub type Object = Map<String, Value>;

/// A compact JWS, parsed without trusting it.
#[derive(Debug, Clone, Default)]
pub struct Token {
    /// The whole token as given, without surrounding whitespace.
    pub raw: String,
    /// The header segment exactly as given.
    pub header_b64: String,
    /// The claims segment exactly as given.
    pub claims_b64: String,
    /// The signature segment exactly as given.
    pub signature_b64: String,
    /// The decoded header bytes (possibly decoded leniently after a PF102 finding).
    pub header_bytes: Option<Vec<u8>>,
    /// The decoded claims bytes (possibly decoded leniently after a PF102 finding).
    pub claims_bytes: Option<Vec<u8>>,
    /// The header, when it is a JSON object.
    pub header: Option<Object>,
    /// The claims, when they are a JSON object.
    pub claims: Option<Object>,
    /// The signature bytes, when the segment decodes.
    pub signature: Option<Vec<u8>>,
    /// How many dot-separated segments the input had.
    pub segment_count: usize,
    /// PF101–PF104.
    pub findings: Vec<Finding>,
}

impl Token {
    /// The signing input as sent: the header and claims segments joined by a dot.
    pub fn signing_input(&self) -> String {
        format!("{}.{}", self.header_b64, self.claims_b64)
    }

    /// Whether the three segments were found (the claims may still be unreadable).
    pub fn is_three_segments(&self) -> bool {
        self.segment_count == 3
    }

    /// The header's `alg`, when it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.as_ref()?.get("alg")?.as_str()
    }
}

/// Which part of the token a finding is about.
#[derive(Debug, Clone, Copy)]
enum Part {
    Header,
    Claims,
    Signature,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Header => "header",
            Part::Claims => "claims",
            Part::Signature => "signature",
        }
    }
}

/// Parses a compact JWS. Surrounding whitespace (a trailing newline from a file) is ignored.
pub fn parse(input: &str) -> Token {
    let raw = input.trim();
    let mut token = Token {
        raw: raw.to_string(),
        ..Token::default()
    };
    let segments: Vec<&str> = raw.split('.').collect();
    token.segment_count = if raw.is_empty() { 0 } else { segments.len() };
    if segments.len() != 3 || raw.is_empty() {
        let what = match token.segment_count {
            0 => "the assertion is empty".to_string(),
            5 => "the assertion has 5 segments: it is a JWE (an encrypted JWT); Salesforce needs a signed JWS of 3 segments".to_string(),
            n => format!("the assertion has {n} dot-separated segment{}, not 3 (header.claims.signature)", if n == 1 { "" } else { "s" }),
        };
        token.findings.push(Finding::new(Code::PF101, what));
        return token;
    }
    token.header_b64 = segments[0].to_string();
    token.claims_b64 = segments[1].to_string();
    token.signature_b64 = segments[2].to_string();

    token.header_bytes = decode_segment(segments[0], Part::Header, &mut token.findings);
    token.claims_bytes = decode_segment(segments[1], Part::Claims, &mut token.findings);
    token.signature = decode_segment(segments[2], Part::Signature, &mut token.findings);

    if let Some(bytes) = &token.header_bytes {
        token.header = parse_object(bytes, Part::Header, &mut token.findings);
    }
    if let Some(bytes) = &token.claims_bytes {
        token.claims = parse_object(bytes, Part::Claims, &mut token.findings);
    }
    token
}

/// Decodes one segment strictly; when it is not strict base64url, reports PF102 and still
/// decodes it leniently so the remaining rules can run on its content.
fn decode_segment(seg: &str, part: Part, findings: &mut Vec<Finding>) -> Option<Vec<u8>> {
    if let Ok(bytes) = URL_SAFE_NO_PAD.decode(seg) {
        return Some(bytes);
    }
    // Padding alone, and exactly as base64url pads: PF105, a warning (acceptance unknown).
    let unpadded = seg.trim_end_matches('=');
    if unpadded.len() < seg.len()
        && seg.len() - unpadded.len() <= 2
        && seg.len().is_multiple_of(4)
        && let Ok(bytes) = URL_SAFE_NO_PAD.decode(unpadded)
    {
        findings.push(Finding::new(
            Code::PF105,
            format!(
                "the {} segment ends in {} '=' padding character{}, which JWS omits",
                part.name(),
                seg.len() - unpadded.len(),
                if seg.len() - unpadded.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
        ));
        return Some(bytes);
    }
    let mut problems = Vec::new();
    if seg.contains('=') {
        problems.push("'=' padding".to_string());
    }
    if seg.contains('+') || seg.contains('/') {
        problems.push("'+' or '/' (standard base64, not base64url)".to_string());
    }
    if seg.chars().any(char::is_whitespace) {
        problems.push("whitespace".to_string());
    }
    if let Some((pos, c)) = seg.char_indices().find(|(_, c)| {
        !(c.is_ascii_alphanumeric()
            || matches!(c, '-' | '_' | '=' | '+' | '/')
            || c.is_whitespace())
    }) {
        let shown = if c.is_control() {
            format!("byte 0x{:02x}", u32::from(c))
        } else {
            format!("'{c}'")
        };
        problems.push(format!("{shown} at offset {pos}, outside base64url"));
    }
    // Lenient pass: drop padding and whitespace, map the standard alphabet onto base64url.
    let cleaned: String = seg
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let lenient = URL_SAFE_NO_PAD.decode(&cleaned).ok().or_else(|| {
        STANDARD_NO_PAD
            .decode(cleaned.replace('-', "+").replace('_', "/"))
            .ok()
    });
    if problems.is_empty() {
        problems.push(if cleaned.len() % 4 == 1 {
            "an impossible length (one character too many or too few)".to_string()
        } else {
            "non-canonical final characters (unused bits are not zero)".to_string()
        });
    }
    let decoded_note = if lenient.is_some() {
        ""
    } else {
        "; it cannot be decoded even leniently"
    };
    findings.push(Finding::new(
        Code::PF102,
        format!(
            "the {} segment is not strict base64url: {}{}",
            part.name(),
            problems.join(", "),
            decoded_note
        ),
    ));
    lenient
}

/// Parses a decoded header or claims segment as one JSON object, detecting repeated members.
fn parse_object(bytes: &[u8], part: Part, findings: &mut Vec<Finding>) -> Option<Object> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            findings.push(Finding::new(
                Code::PF103,
                format!(
                    "the {} segment does not decode to UTF-8 text (invalid byte at offset {})",
                    part.name(),
                    e.valid_up_to()
                ),
            ));
            return None;
        }
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ObjectWithDuplicates.deserialize(&mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    match parsed {
        Ok((object, duplicates)) => {
            // One finding per repeated name, up to a bound: a crafted token can repeat
            // thousands, and the report must stay readable.
            for name in duplicates.iter().take(MAX_DUPLICATES_LISTED) {
                findings.push(Finding::new(Code::PF104,
                    format!(
                        "the {} has the member \"{}\" more than once; parsers disagree on which value wins",
                        part.name(),
                        shorten(name)
                    ),
                ));
            }
            if duplicates.len() > MAX_DUPLICATES_LISTED {
                findings.push(Finding::new(
                    Code::PF104,
                    format!(
                        "the {} repeats {} more member names (not listed)",
                        part.name(),
                        duplicates.len() - MAX_DUPLICATES_LISTED
                    ),
                ));
            }
            Some(object)
        }
        Err(e) => {
            let kind = match serde_json::from_str::<Value>(text) {
                Ok(Value::Array(_)) => "a JSON array, not an object".to_string(),
                Ok(Value::String(_)) => "a JSON string, not an object".to_string(),
                Ok(Value::Number(_)) => "a JSON number, not an object".to_string(),
                Ok(Value::Bool(_)) | Ok(Value::Null) => "a JSON literal, not an object".to_string(),
                _ => format!("not valid JSON ({e})"),
            };
            findings.push(Finding::new(
                Code::PF103,
                format!("the {} segment decodes to {}", part.name(), kind),
            ));
            None
        }
    }
}

/// A member name as quoted in a message: at most 60 characters.
fn shorten(name: &str) -> String {
    if name.chars().count() <= 60 {
        return name.to_string();
    }
    let cut: String = name.chars().take(57).collect();
    format!("{cut}…")
}

/// Deserializes a JSON object into an ordered map, remembering member names seen twice.
/// serde_json's own map silently keeps the last value, which would hide PF104.
struct ObjectWithDuplicates;

impl<'de> DeserializeSeed<'de> for ObjectWithDuplicates {
    type Value = (Object, Vec<String>);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectWithDuplicates {
    type Value = (Object, Vec<String>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Object::new();
        // The names repeated, in the order first repeated; the set keeps this linear.
        let mut duplicates = Vec::new();
        let mut seen_twice = HashSet::new();
        while let Some(key) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            if map.contains_key(&key) {
                if seen_twice.insert(key.clone()) {
                    duplicates.push(key);
                }
                // Keep the first value in our view and report the conflict; which one a
                // server keeps is exactly what cannot be known.
                continue;
            }
            map.insert(key, value);
        }
        Ok((map, duplicates))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn codes(t: &Token) -> Vec<&'static str> {
        t.findings.iter().map(|f| f.code()).collect()
    }

    #[test]
    fn good_token_parses_with_exact_segments() {
        let raw = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"iss":"x","exp":1}"#),
            b64("sig")
        );
        let t = parse(&format!("  {raw}\n"));
        assert!(t.findings.is_empty(), "{:?}", t.findings);
        assert_eq!(t.raw, raw);
        assert_eq!(t.alg(), Some("RS256"));
        assert_eq!(t.signature.as_deref(), Some(&b"sig"[..]));
        let keys: Vec<_> = t
            .claims
            .as_ref()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys, vec!["iss", "exp"]);
    }

    #[test]
    fn wrong_segment_counts() {
        assert_eq!(codes(&parse("")), vec!["PF101"]);
        assert_eq!(codes(&parse("a.b")), vec!["PF101"]);
        let jwe = parse("a.b.c.d.e");
        assert!(jwe.findings[0].message.contains("JWE"));
    }

    #[test]
    fn padding_is_reported_but_content_still_read() {
        let claims = URL_SAFE_NO_PAD.encode(r#"{"a":1}"#) + "=";
        let t = parse(&format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256"}"#),
            claims,
            b64("s")
        ));
        assert_eq!(codes(&t), vec!["PF102"], "a '=' where no padding goes");
        assert!(t.findings[0].message.contains("padding"));
        assert!(t.claims.is_some());
        // Padding as base64url pads, and nothing else: PF105, a warning.
        let claims = URL_SAFE.encode(r#"{"a":1}"#);
        let t = parse(&format!(
            "{}.{claims}.{}",
            b64(r#"{"alg":"RS256"}"#),
            b64("s")
        ));
        assert_eq!(codes(&t), vec!["PF105"]);
        assert_eq!(t.findings[0].severity, crate::catalog::Severity::Warning);
        assert!(t.claims.is_some());
    }

    #[test]
    fn duplicates_and_non_objects() {
        let t = parse(&format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256"}"#),
            b64(r#"{"sub":"a","sub":"b"}"#),
            b64("s")
        ));
        assert_eq!(codes(&t), vec!["PF104"]);
        assert_eq!(
            t.claims
                .as_ref()
                .and_then(|c| c.get("sub"))
                .and_then(Value::as_str),
            Some("a")
        );
        let t = parse(&format!("{}.{}.{}", b64("[1]"), b64("not json"), b64("s")));
        assert_eq!(codes(&t), vec!["PF103", "PF103"]);
        let t = parse(&format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256"} x"#),
            b64("{}"),
            b64("s")
        ));
        assert_eq!(codes(&t), vec!["PF103"]);
    }

    #[test]
    fn nul_bytes_and_controls_do_not_panic() {
        let t = parse("\0\0\0.\0.\0");
        assert!(codes(&t).iter().all(|c| *c == "PF102"));
        assert!(t.findings[0].message.contains("0x00"));
    }

    /// The messages `decode_segment` reports for `seg` as the claims, and what it decodes.
    fn decode(seg: &str) -> (Vec<String>, Option<Vec<u8>>) {
        let mut findings = Vec::new();
        let bytes = decode_segment(seg, Part::Claims, &mut findings);
        (findings.into_iter().map(|f| f.message).collect(), bytes)
    }

    /// The messages `parse_object` reports for `json` as the header.
    fn object_messages(json: &str) -> Vec<String> {
        let mut findings = Vec::new();
        parse_object(json.as_bytes(), Part::Header, &mut findings);
        findings.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn messages_name_the_segment() {
        let t = parse("e30=.e30=.e30=");
        let messages: Vec<&str> = t.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "the header segment ends in 1 '=' padding character, which JWS omits",
                "the claims segment ends in 1 '=' padding character, which JWS omits",
                "the signature segment ends in 1 '=' padding character, which JWS omits",
            ]
        );
    }

    #[test]
    fn more_than_two_padding_characters_are_not_base64url_padding() {
        // "YWJj" is a whole group: four '=' after it are no padding base64url would write.
        assert_eq!(
            decode("YWJj===="),
            (
                vec!["the claims segment is not strict base64url: '=' padding".to_string()],
                Some(b"abc".to_vec())
            )
        );
        assert_eq!(
            decode("YWI="),
            (
                vec![
                    "the claims segment ends in 1 '=' padding character, which JWS omits"
                        .to_string()
                ],
                Some(b"ab".to_vec())
            )
        );
    }

    #[test]
    fn each_problem_is_named_once() {
        // '+' alone is standard base64; letters, digits and '+' are no foreign characters.
        assert_eq!(
            decode("ab+c").0,
            vec![
                "the claims segment is not strict base64url: '+' or '/' (standard base64, not base64url)"
            ]
        );
        assert_eq!(
            decode("ab/c").0,
            vec![
                "the claims segment is not strict base64url: '+' or '/' (standard base64, not base64url)"
            ]
        );
        assert_eq!(
            decode("a-b_ c9Aw").0,
            vec!["the claims segment is not strict base64url: whitespace"]
        );
        assert_eq!(
            decode("ab*c").0,
            vec![
                "the claims segment is not strict base64url: '*' at offset 2, outside base64url; it cannot be decoded even leniently"
            ]
        );
    }

    #[test]
    fn impossible_lengths_and_non_canonical_endings() {
        let impossible = "the claims segment is not strict base64url: an impossible length (one character too many or too few); it cannot be decoded even leniently";
        let non_canonical = "the claims segment is not strict base64url: non-canonical final characters (unused bits are not zero); it cannot be decoded even leniently";
        assert_eq!(decode("A"), (vec![impossible.to_string()], None));
        assert_eq!(decode("AAAAA"), (vec![impossible.to_string()], None));
        assert_eq!(decode("AB"), (vec![non_canonical.to_string()], None));
        assert_eq!(decode("AAAAAB"), (vec![non_canonical.to_string()], None));
    }

    #[test]
    fn repeated_names_are_listed_up_to_the_bound() {
        let members = |n: usize| {
            let names: Vec<String> = (0..n).map(|i| format!(r#""m{i}":1,"m{i}":2"#)).collect();
            format!("{{{}}}", names.join(","))
        };
        let listed = object_messages(&members(MAX_DUPLICATES_LISTED));
        assert_eq!(listed.len(), MAX_DUPLICATES_LISTED);
        assert_eq!(
            listed[0],
            "the header has the member \"m0\" more than once; parsers disagree on which value wins"
        );
        let more = object_messages(&members(MAX_DUPLICATES_LISTED + 1));
        assert_eq!(more.len(), MAX_DUPLICATES_LISTED + 1);
        assert_eq!(more[..MAX_DUPLICATES_LISTED], listed[..]);
        assert_eq!(
            more[MAX_DUPLICATES_LISTED],
            "the header repeats 1 more member names (not listed)"
        );
    }

    #[test]
    fn long_member_names_are_shortened_to_sixty_characters() {
        let sixty = "n".repeat(60);
        assert_eq!(shorten(&sixty), sixty);
        assert_eq!(shorten("sub"), "sub");
        assert_eq!(shorten(&"é".repeat(61)), format!("{}…", "é".repeat(57)));
        assert_eq!(
            object_messages(&format!(r#"{{"{sixty}x":1,"{sixty}x":2}}"#)),
            vec![format!(
                "the header has the member \"{}…\" more than once; parsers disagree on which value wins",
                "n".repeat(57)
            )]
        );
    }

    #[test]
    fn non_objects_are_named_by_kind() {
        let kind = |json: &str| object_messages(json).join("\n");
        assert_eq!(
            kind("[1]"),
            "the header segment decodes to a JSON array, not an object"
        );
        assert_eq!(
            kind(r#""s""#),
            "the header segment decodes to a JSON string, not an object"
        );
        assert_eq!(
            kind("1"),
            "the header segment decodes to a JSON number, not an object"
        );
        assert_eq!(
            kind("true"),
            "the header segment decodes to a JSON literal, not an object"
        );
        assert_eq!(
            kind("null"),
            "the header segment decodes to a JSON literal, not an object"
        );
        // Not JSON at all, though it starts like an array: serde's message names what was
        // expected.
        assert_eq!(
            kind("[1"),
            "the header segment decodes to not valid JSON (invalid type: sequence, expected a JSON object at line 1 column 0)"
        );
    }
}
