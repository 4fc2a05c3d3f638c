//! Recognises the shapes a PEM file takes after a trip through a CI secret or an environment
//! variable, and undoes them when that is unambiguous: surrounding quotes, literal `\n`
//! sequences, and a block whose line breaks were turned into spaces or removed.

/// The text with the damage undone, and one note per repair made. No notes: nothing changed.
pub(crate) fn repair(text: &str) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let mut s = text.trim().to_string();

    for quote in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(quote) && s.ends_with(quote) {
            s = s[1..s.len() - 1].trim().to_string();
            notes.push("it is wrapped in quotes".to_string());
            break;
        }
    }
    if s.contains("\\n") {
        s = s.replace("\\r\\n", "\n").replace("\\n", "\n");
        notes.push("its line breaks are literal \\n sequences".to_string());
    }
    if let Some(rebuilt) = rebuild_blocks(&s)
        && rebuilt != s
    {
        // Only worth a note when the line structure really was lost, not for CRLF or
        // trailing blanks, which parsers take as they are.
        let lost = s.lines().any(|l| {
            let l = l.trim();
            (l.starts_with("-----BEGIN") && l.len() > 40 && !l.ends_with("-----"))
                || (l.contains("-----BEGIN") && l.contains("-----END"))
                || (!l.starts_with("-----") && l.len() > 80)
        });
        if lost {
            notes.push("the PEM block lost its line breaks".to_string());
            s = rebuilt;
        }
    }
    (s, notes)
}

/// Rebuilds every `-----BEGIN X-----…-----END X-----` block with the body wrapped at 64
/// columns. Headers such as `Proc-Type:` are kept on their own lines. `None` when there is no
/// complete block.
fn rebuild_blocks(s: &str) -> Option<String> {
    let mut out = String::new();
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
        let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        for chunk in compact.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str(&end_marker);
        out.push('\n');
        found = true;
        rest = &body_start[end + end_marker.len()..];
    }
    found.then_some(out)
}

/// Splits RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`) from the base64 body.
fn split_headers(body: &str) -> (Vec<String>, String) {
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
    (headers, rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-----BEGIN PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\nd3h5ejAxMjM0NTY3ODk=\n-----END PRIVATE KEY-----\n";

    #[test]
    fn intact_pem_is_left_alone() {
        let (s, notes) = repair(GOOD);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(s, GOOD.trim());
    }

    #[test]
    fn spaces_instead_of_newlines() {
        let mangled = GOOD.trim().replace('\n', " ");
        let (s, notes) = repair(&mangled);
        assert_eq!(notes, vec!["the PEM block lost its line breaks"]);
        assert_eq!(s, GOOD);
    }

    #[test]
    fn quoted_escaped_newlines() {
        let mangled = format!("\"{}\"", GOOD.trim().replace('\n', "\\n"));
        let (s, notes) = repair(&mangled);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(s.trim(), GOOD.trim());
    }

    #[test]
    fn no_breaks_at_all() {
        let mangled = GOOD.trim().replace('\n', "");
        let (s, notes) = repair(&mangled);
        assert!(notes.iter().any(|n| n.contains("line breaks")));
        assert_eq!(s, GOOD);
    }
}
