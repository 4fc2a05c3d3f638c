//! Recognises the shapes a PEM file takes after a trip through a CI secret or an environment
//! variable, and undoes them when that is unambiguous: surrounding quotes, literal `\n`
//! sequences, and a block whose line breaks were turned into spaces or removed.

use zeroize::Zeroizing;

/// The text with the damage undone (`None` when there was nothing to undo), and one note per
/// repair made. Every copy of the text is zeroized when dropped: it is usually a private key.
pub(crate) fn repair(text: &str) -> (Option<Zeroizing<String>>, Vec<String>) {
    let trimmed = text.trim();
    let quoted = trimmed.len() >= 2
        && ['"', '\'']
            .iter()
            .any(|q| trimmed.starts_with(*q) && trimmed.ends_with(*q));
    // The usual case, a file as openssl wrote it, is decided without copying the key.
    if !quoted && !trimmed.contains("\\n") && !lost_line_breaks(trimmed) {
        return (None, Vec::new());
    }
    let mut notes = Vec::new();
    let mut s = Zeroizing::new(trimmed.to_string());
    if quoted {
        s = Zeroizing::new(s[1..s.len() - 1].trim().to_string());
        notes.push("it is wrapped in quotes".to_string());
    }
    if s.contains("\\n") {
        let crlf = replace_zeroized(&s, "\\r\\n", "\n");
        s = replace_zeroized(&crlf, "\\n", "\n");
        notes.push("its line breaks are literal \\n sequences".to_string());
    }
    // Only worth a note when the line structure really was lost, not for CRLF or trailing
    // blanks, which parsers take as they are.
    if lost_line_breaks(&s)
        && let Some(rebuilt) = rebuild_blocks(&s)
        && *rebuilt != *s
    {
        notes.push("the PEM block lost its line breaks".to_string());
        s = rebuilt;
    }
    let repaired = (!notes.is_empty()).then_some(s);
    (repaired, notes)
}

/// `s.replace(from, to)` for a `to` no longer than `from`, into a buffer sized up front: a
/// buffer that grows leaves its earlier copies of the key behind, unwiped.
fn replace_zeroized(s: &str, from: &str, to: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(s.len() + to.len()));
    let mut last = 0;
    for (at, _) in s.match_indices(from) {
        out.push_str(&s[last..at]);
        out.push_str(to);
        last = at + from.len();
    }
    out.push_str(&s[last..]);
    out
}

/// Whether a block's line breaks were turned into spaces or removed: a BEGIN line that runs
/// on, BEGIN and END on one line, or a body line longer than any encoder writes.
fn lost_line_breaks(s: &str) -> bool {
    s.lines().any(|l| {
        let l = l.trim();
        (l.starts_with("-----BEGIN") && l.len() > 40 && !l.ends_with("-----"))
            || (l.contains("-----BEGIN") && l.contains("-----END"))
            || (!l.starts_with("-----") && l.len() > 80)
    })
}

/// Rebuilds every `-----BEGIN X-----…-----END X-----` block with the body wrapped at 64
/// columns. Headers such as `Proc-Type:` are kept on their own lines. `None` when there is no
/// complete block.
fn rebuild_blocks(s: &str) -> Option<Zeroizing<String>> {
    // Sized up front, as in `replace_zeroized`: the rebuilt blocks are at most a little longer
    // than the text (a line break every 64 characters, the BEGIN and END lines as they were).
    let mut out = Zeroizing::new(String::with_capacity(2 * s.len() + 256));
    let mut rest = s;
    let mut found = false;
    while let Some(begin) = rest.find("-----BEGIN ") {
        let after_begin = &rest[begin + 11..];
        let label_end = after_begin.find("-----")?;
        let label = &after_begin[..label_end];
        if label.len() > 64 || label.contains('\n') {
            return None;
        }
        let body_start = &after_begin[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body_start.find(&end_marker)?;
        let body = &body_start[..end];
        let (headers, b64) = split_headers(body);
        out.push_str(&format!("-----BEGIN {label}-----\n"));
        for h in &headers {
            out.push_str(h);
            out.push('\n');
        }
        if !headers.is_empty() {
            out.push('\n');
        }
        let mut body = b64.chars().filter(|c| !c.is_whitespace()).peekable();
        let mut column = 0;
        while let Some(c) = body.next() {
            out.push(c);
            column += 1;
            if column == 64 || body.peek().is_none() {
                out.push('\n');
                column = 0;
            }
        }
        out.push_str(&end_marker);
        out.push('\n');
        found = true;
        rest = &body_start[end + end_marker.len()..];
    }
    found.then_some(out)
}

/// Splits RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`) from the base64 body.
fn split_headers(body: &str) -> (Vec<String>, Zeroizing<String>) {
    let mut headers = Vec::new();
    let mut rest = body.trim_start();
    for name in ["Proc-Type:", "DEK-Info:"] {
        if let Some(stripped) = rest.strip_prefix(name) {
            // The value runs to the end of the line, or, when line breaks were lost, to the
            // next space after it.
            let value_end = stripped
                .trim_start()
                .find(char::is_whitespace)
                .map(|i| i + (stripped.len() - stripped.trim_start().len()))
                .unwrap_or(stripped.len());
            headers.push(format!("{name} {}", stripped[..value_end].trim()));
            rest = stripped[value_end..].trim_start();
        }
    }
    (headers, Zeroizing::new(rest.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-----BEGIN PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\nd3h5ejAxMjM0NTY3ODk=\n-----END PRIVATE KEY-----\n";

    #[test]
    fn intact_pem_is_left_alone() {
        let (s, notes) = repair(GOOD);
        assert!(notes.is_empty(), "{notes:?}");
        assert!(s.is_none());
        // CRLF line ends and trailing blanks are not damage.
        let (s, notes) = repair(&format!("\n{}\n\n", GOOD.replace('\n', "\r\n")));
        assert!(notes.is_empty() && s.is_none(), "{notes:?}");
    }

    #[test]
    fn spaces_instead_of_newlines() {
        let mangled = GOOD.trim().replace('\n', " ");
        let (s, notes) = repair(&mangled);
        assert_eq!(notes, vec!["the PEM block lost its line breaks"]);
        assert_eq!(s.as_deref().map(String::as_str), Some(GOOD));
    }

    #[test]
    fn quoted_escaped_newlines() {
        let mangled = format!("\"{}\"", GOOD.trim().replace('\n', "\\n"));
        let (s, notes) = repair(&mangled);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(s.as_deref().map(|s| s.trim()), Some(GOOD.trim()));
    }

    #[test]
    fn no_breaks_at_all() {
        let mangled = GOOD.trim().replace('\n', "");
        let (s, notes) = repair(&mangled);
        assert!(notes.iter().any(|n| n.contains("line breaks")));
        assert_eq!(s.as_deref().map(String::as_str), Some(GOOD));
    }
}
