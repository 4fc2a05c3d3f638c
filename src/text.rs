//! Text that reaches a terminal or a log: untrusted values shown safely, and secrets never
//! shown at all.
//!
//! Two dangers, two tools. A file name or a claim value may carry control characters (a
//! newline that forges a report line, an escape sequence that retitles the window or clears
//! the screen): [`escape_controls`] and [`display_path`] show them escaped. And a secret given
//! in the wrong place (a key's content where its path belongs, a passphrase as a flag value, a
//! live assertion pasted into `explain`) must never be echoed back: [`secret_kind`] recognises
//! key material and assertions, and [`redact_secrets`] removes them from any message.

use std::path::Path;

/// Characters that reorder text on screen without being control characters (the "Trojan
/// Source" bidirectional overrides and isolates, and the direction marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Shows control characters (and bidirectional overrides) escaped: `\n`, `\r`, `\t`, and
/// `\u{001b}` for the rest, so an untrusted value cannot forge lines or drive the terminal.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// A path as every output shows it: lossy UTF-8, control characters escaped.
pub fn display_path(path: &Path) -> String {
    escape_controls(&path.to_string_lossy())
}

/// `1 GiB`, `32 MiB`, `512 KiB`, `100 bytes`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    for (size, unit) in UNITS {
        if n >= size {
            let whole = n / size;
            return if n.is_multiple_of(size) {
                format!("{whole} {unit}")
            } else {
                format!("{:.1} {unit}", n as f64 / size as f64)
            };
        }
    }
    format!("{n} bytes")
}

/// What kind of secret a value looks like, when it looks like one: PEM armour, a run of
/// base64 long enough to be key material, or a signed compact JWS (an assertion).
pub fn secret_kind(value: &str) -> Option<SecretKind> {
    if find_armour(value, 0, BEGIN).is_some() || find_armour(value, 0, END).is_some() {
        return Some(SecretKind::Pem);
    }
    if find_jws(value, 0).is_some() {
        return Some(SecretKind::Assertion);
    }
    if find_base64_run(value, 0).is_some() {
        return Some(SecretKind::Base64);
    }
    None
}

/// The kinds of secret [`secret_kind`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// `-----BEGIN …-----` armour: a key or a certificate.
    Pem,
    /// A long run of base64 (a PEM body without its armour, or `base64 server.key`).
    Base64,
    /// A signed compact JWS: a live credential until it expires.
    Assertion,
}

impl SecretKind {
    /// What to call it in a message.
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::Pem => "PEM key or certificate material",
            SecretKind::Base64 => "base64 that looks like key material",
            SecretKind::Assertion => "an assertion (a signed JWT)",
        }
    }
}

/// The shortest run of base64 counted as key material. A consumer key is 85 characters and
/// carries no `+` or `/`; a PEM body is hundreds of characters and nearly always has both.
const MIN_BASE64_SECRET: usize = 100;

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// The byte range of the first run of base64 (line breaks allowed inside) at or after `from`
/// that is long enough and mixed enough to be key material.
fn find_base64_run(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if !is_base64_char(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let (mut count, mut slash_or_plus, mut digit, mut lower, mut upper) =
            (0usize, false, false, false, false);
        let mut end = i;
        while i < bytes.len() && (is_base64_char(bytes[i]) || matches!(bytes[i], b'\n' | b'\r')) {
            let b = bytes[i];
            if is_base64_char(b) {
                count += 1;
                slash_or_plus |= matches!(b, b'+' | b'/');
                digit |= b.is_ascii_digit();
                lower |= b.is_ascii_lowercase();
                upper |= b.is_ascii_uppercase();
                end = i + 1;
            }
            i += 1;
        }
        if count >= MIN_BASE64_SECRET && slash_or_plus && digit && lower && upper {
            return Some((start, end));
        }
    }
    None
}

fn is_base64url_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

/// The byte range of the first signed compact JWS (`eyJ…` header, claims, non-empty
/// signature) at or after `from`, and where its signature starts.
fn find_jws(text: &str, from: usize) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let mut search = from;
    while let Some(off) = text[search..].find("eyJ") {
        let start = search + off;
        let mut i = start;
        let mut dots = Vec::new();
        while i < bytes.len() && (is_base64url_char(bytes[i]) || bytes[i] == b'.') {
            if bytes[i] == b'.' {
                dots.push(i);
            }
            i += 1;
        }
        if dots.len() >= 2 && dots[1] + 1 < i && bytes[dots[1] + 1] != b'.' {
            let sig_end = dots.get(2).copied().unwrap_or(i);
            if sig_end > dots[1] + 1 {
                return Some((start, dots[1] + 1, sig_end));
            }
        }
        search = start + 3;
    }
    None
}

/// Replaces the signature of every compact JWS in `text` with a marker, keeping the header
/// and claims (they help an explanation; the signature is what makes the token a credential).
pub fn redact_signatures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some((_, sig_start, sig_end)) = find_jws(text, at) {
        out.push_str(&text[at..sig_start]);
        out.push_str("<signature hidden>");
        at = sig_end;
    }
    out.push_str(&text[at..]);
    out
}

/// Removes every secret from a message: the `known` values first (arguments already found to
/// look secret, which a parser may quote whole), then any PEM block, base64 key material and
/// JWS signature left. What is removed is replaced by a marker that says what it was.
pub fn redact_secrets(text: &str, known: &[&str]) -> String {
    let mut out = text.to_string();
    for k in known {
        if let Some(kind) = secret_kind(k)
            && !k.is_empty()
        {
            out = out.replace(k, &format!("<{} not shown>", kind.describe()));
        }
    }
    out = redact_pem(&out);
    out = redact_base64(&out);
    redact_signatures(&out)
}

/// How a PEM BEGIN line starts (what [`find_armour`] looks for).
const BEGIN: &str = "-----BEGIN ";
/// How a PEM END line starts.
const END: &str = "-----END ";

/// The byte range of the first `-----BEGIN LABEL-----` (or `-----END LABEL-----`, as `open`
/// says) at or after `from`: PEM armour, not a mere mention of the word.
fn find_armour(text: &str, from: usize, open: &str) -> Option<(usize, usize)> {
    let mut search = from;
    while let Some(off) = text[search..].find(open) {
        let start = search + off;
        let label_start = start + open.len();
        let label_len = text[label_start..]
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b' ')
            .count();
        if (1..=64).contains(&label_len) && text[label_start + label_len..].starts_with("-----") {
            return Some((start, label_start + label_len + 5));
        }
        search = label_start;
    }
    None
}

/// Replaces PEM blocks (`-----BEGIN X-----` … `-----END X-----`, or a block cut short: its
/// armour and the base64 after it) and stray END lines with a marker.
fn redact_pem(text: &str) -> String {
    const MARK: &str = "<PEM block not shown>";
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    loop {
        let begin = find_armour(text, at, BEGIN);
        let end_line = find_armour(text, at, END);
        match (begin, end_line) {
            (Some((b, body)), e) if e.is_none_or(|(e, _)| b < e) => {
                out.push_str(&text[at..b]);
                out.push_str(MARK);
                at = match find_armour(text, body, END) {
                    Some((_, after)) => after,
                    // A block cut short (a parser quoting an argument up to its first '='):
                    // the base64 after the armour goes too.
                    None => body + base64_body_len(&text[body..]),
                };
            }
            (_, Some((e, after))) => {
                out.push_str(&text[at..e]);
                out.push_str(MARK);
                at = after;
            }
            _ => {
                out.push_str(&text[at..]);
                return out;
            }
        }
    }
}

/// The length of the PEM body at the start of `text`: base64 and line breaks.
fn base64_body_len(text: &str) -> usize {
    text.bytes()
        .take_while(|b| is_base64_char(*b) || matches!(b, b'\n' | b'\r' | b' '))
        .count()
}

fn redact_base64(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some((start, end)) = find_base64_run(text, at) {
        out.push_str(&text[at..start]);
        out.push_str("<base64 key material not shown>");
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\nNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ";

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(32 << 20), "32 MiB");
        assert_eq!(human_bytes(34_359_738_368), "32 GiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(12), "12 bytes");
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped() {
        assert_eq!(
            escape_controls("a\nb\u{1b}]0;x\u{7}\u{202e}c"),
            "a\\nb\\u{001b}]0;x\\u{0007}\\u{202e}c"
        );
        assert_eq!(escape_controls("plain"), "plain");
    }

    #[test]
    fn secrets_are_recognised() {
        assert_eq!(
            secret_kind("-----BEGIN PRIVATE KEY-----\nAAAA"),
            Some(SecretKind::Pem)
        );
        assert_eq!(secret_kind(KEY_BODY), Some(SecretKind::Base64));
        assert_eq!(
            secret_kind("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"),
            Some(SecretKind::Assertion)
        );
        // A consumer key, a URL, a username and an unsigned token are not secrets.
        for plain in [
            "3MVG9testConsumerKey.jwtpreflight0123456789",
            "3MVG9A2kN3Bn17huxQ_nyJZb4K4Pwi0cZnpGzWlcEUw0GmDOX8aNBHDw5nzGyjBHc1Gr1DCUSlMWBlTKZDwP3",
            "https://acme.my.salesforce.com",
            "ci@example.com",
            "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.",
        ] {
            assert_eq!(secret_kind(plain), None, "{plain}");
        }
    }

    #[test]
    fn redaction_removes_every_form() {
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----\n");
        let msg = format!("error: unexpected argument '{pem}' found");
        let r = redact_secrets(&msg, &[&pem]);
        assert!(!r.contains("MIIE") && !r.contains("BEGIN"), "{r}");
        // A parser quotes an argument up to its first '=' and goes on.
        let padded = pem.replace("KcwggSj", "Kcwg=Sj");
        let cut = &padded[..padded.find('=').unwrap_or(padded.len())];
        let r = redact_secrets(
            &format!("error: unexpected argument '{cut}' found\nUsage: x"),
            &[&padded],
        );
        assert_eq!(
            r,
            "error: unexpected argument '<PEM block not shown>' found\nUsage: x"
        );
        let r = redact_secrets(&format!("x {pem} y"), &[]);
        assert_eq!(r, "x <PEM block not shown>\n y");
        let r = redact_secrets(&format!("{KEY_BODY}\n-----END PRIVATE KEY-----"), &[]);
        assert!(!r.contains("MIIE") && !r.contains("END PRIVATE"), "{r}");
        // Our own messages mention the armour without being key material.
        let plain = "is text with no PEM block (no -----BEGIN line)";
        assert_eq!(redact_secrets(plain, &[plain]), plain);
        let r = redact_secrets("t=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl&x", &[]);
        assert_eq!(
            r,
            "t=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.<signature hidden>&x"
        );
    }
}
