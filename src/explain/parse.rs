//! Reading what the user gave `explain`: a JSON body, `error: description` in any spelling,
//! Python-dict and query-string forms, raw HTTP responses, or the whole output of a failed
//! `sf org login jwt` (one reply per attempt).

use super::replies::REPLIES;
use serde_json::Value;

/// The `[audience=… login=…]` pair the Salesforce CLI appends to a failed attempt, or the
/// pair inferred from the CLI's fixed order of attempts when it printed none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The audience the CLI put in the assertion.
    pub audience: String,
    /// The login URL the CLI posted to.
    pub login: String,
    /// Inferred from the order of attempts, not printed by the CLI.
    pub inferred: bool,
}

/// The client whose output the text is, when it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// `sf org login jwt` (or `sfdx auth:jwt:grant`, or @salesforce/core).
    SfCli,
    /// simple-salesforce's `SalesforceAuthenticationFailed`.
    SimpleSalesforce,
    /// Anything else, or a bare reply.
    Unknown,
}

impl Client {
    /// Which client printed `text`, from the wrappers each one puts around Salesforce's words.
    pub fn of(text: &str) -> Client {
        let lower = text.to_ascii_lowercase();
        if [
            "errors encountered:",
            "error authenticating with jwt",
            "jwtgranterror",
            "jwtautherror",
            "json web token error",
            "client id is required for jwt authentication",
            "lightningdomain::",
        ]
        .iter()
        .any(|m| lower.contains(m))
        {
            Client::SfCli
        } else if lower.contains("authentication failed (code:")
            || lower.contains("salesforceauthenticationfailed")
        {
            Client::SimpleSalesforce
        } else {
            Client::Unknown
        }
    }
}

/// One reply as given by the user, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyText {
    /// The text the reply was read from (one line of the CLI output, or the whole input).
    pub input: String,
    /// The `error` field, lowercased, when one was found.
    pub error: Option<String>,
    /// The `error_description`, when one was found.
    pub description: Option<String>,
    /// The login URL / audience pair, when the CLI appended one.
    pub attempt: Option<Attempt>,
}

/// What the input was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// One Salesforce reply: a JSON body or text.
    Reply,
    /// The output of a failed `sf org login jwt`: one reply per attempt.
    CliOutput,
}

/// The parsed input of `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// A single reply, or the CLI's list of attempts.
    pub kind: SubjectKind,
    /// The replies, in input order.
    pub replies: Vec<ReplyText>,
    /// The client that printed them, when the text says.
    pub client: Client,
}

/// Parses what the user gave `explain` (other than a rule code or name): a JSON body, a reply
/// as text, or the output of `sf org login jwt`.
pub fn parse_subject(text: &str) -> Subject {
    let mut s = parse_subject_depth(text, 0);
    s.client = Client::of(text);
    s
}

fn parse_subject_depth(text: &str, depth: u8) -> Subject {
    let t = text.trim_start_matches('\u{feff}').trim();
    // PowerShell renders the CLI's error object as `@{name=JwtAuthError; message=…}`, with the
    // message's line breaks as literal `\n`.
    let unescaped;
    let t = if t.contains("\\n") && find_ci(t, "errors encountered:").is_some() {
        unescaped = t.replace("\\r\\n", "\n").replace("\\n", "\n");
        unescaped.as_str()
    } else {
        t
    };
    if depth < 3
        && let Ok(v) = serde_json::from_str::<Value>(t)
        && let Some(s) = from_json(&v, t, depth)
    {
        return s;
    }
    if let Some(pos) = find_ci(t, "errors encountered:") {
        let rest = &t[pos + "errors encountered:".len()..];
        let replies: Vec<ReplyText> = rest
            .lines()
            .map(str::trim)
            .take_while(|l| !is_cli_trailer(l))
            // The end of PowerShell's `@{…}` and of a `--json` string.
            .map(|l| l.trim_end_matches(['}', '"', ',']).trim_end())
            .filter(|l| !l.is_empty())
            .map(parse_line)
            .collect();
        if !replies.is_empty() {
            return Subject {
                kind: SubjectKind::CliOutput,
                replies,
                client: Client::SfCli,
            };
        }
    }
    Subject {
        kind: SubjectKind::Reply,
        replies: vec![parse_line(t)],
        client: Client::Unknown,
    }
}

/// A JSON input: a reply body, a list of them, or the `--json` output of the Salesforce CLI
/// (whose `message` holds the text).
fn from_json(v: &Value, raw: &str, depth: u8) -> Option<Subject> {
    match v {
        Value::Object(m) if m.contains_key("error") || m.contains_key("error_description") => {
            let field = |k: &str| match m.get(k) {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                _ => None,
            };
            let error = field("error");
            // Salesforce's errors use `error`; some wrappers put the whole text there.
            if let (Some(e), None) = (&error, field("error_description"))
                && !looks_like_error_code(e)
            {
                return Some(parse_subject_depth(e, depth + 1));
            }
            Some(Subject {
                kind: SubjectKind::Reply,
                replies: vec![ReplyText {
                    input: raw.to_string(),
                    error: error.map(|e| e.to_ascii_lowercase()),
                    description: field("error_description"),
                    attempt: None,
                }],
                client: Client::Unknown,
            })
        }
        Value::Object(m) => match m.get("message") {
            Some(Value::String(s)) => Some(parse_subject_depth(s, depth + 1)),
            _ => None,
        },
        Value::Array(items) => {
            let mut replies = Vec::new();
            for item in items {
                let text = item.to_string();
                if let Some(s) = from_json(item, &text, depth + 1) {
                    replies.extend(s.replies);
                }
            }
            (!replies.is_empty()).then_some(Subject {
                kind: SubjectKind::Reply,
                replies,
                client: Client::Unknown,
            })
        }
        Value::String(s) => Some(parse_subject_depth(s, depth + 1)),
        _ => None,
    }
}

/// Lines that end the CLI's list of attempts (its hints, a stack trace).
fn is_cli_trailer(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.starts_with("try this")
        || l.starts_with("at ")
        || l.starts_with("***")
        || l.starts_with("stack")
        || l.starts_with("warning:")
        || l.starts_with("\",")
}

/// Splits one line (or a whole single reply) into error, description and attempt.
fn parse_line(line: &str) -> ReplyText {
    let input = line.trim().to_string();
    let (body, attempt) = split_attempt(&input);
    // key/value forms: JSON embedded in other text, Python dicts, query strings, log lines.
    if let Some(description) = extract_key(&body, "error_description") {
        let error = extract_key(&body, "error").filter(|e| looks_like_error_code(e));
        return ReplyText {
            input,
            error: error.map(|e| e.to_ascii_lowercase()),
            description: Some(description).filter(|d| !d.is_empty()),
            attempt,
        };
    }
    // simple-salesforce: `Authentication failed (code: invalid_grant): user hasn't approved …`
    if let Some(start) = find_ci(&body, "(code:")
        && let Some(end) = body[start..].find(')')
    {
        let code = body[start + 6..start + end].trim();
        let rest = body[start + end + 1..].trim_start_matches([':', ' ']);
        if looks_like_error_code(code) && !rest.trim().is_empty() {
            return ReplyText {
                input,
                error: Some(code.to_ascii_lowercase()),
                description: Some(trim_noise(rest).to_string()),
                attempt,
            };
        }
    }
    let stripped = strip_wrappers(&body);
    let (error, description) = split_error(&stripped);
    ReplyText {
        input,
        error,
        description,
        attempt,
    }
}

/// Removes a trailing ` [audience=… login=…]` and returns it.
fn split_attempt(line: &str) -> (String, Option<Attempt>) {
    let Some(start) = rfind_ci(line, "[audience=") else {
        return (line.to_string(), None);
    };
    let inner_end = line[start..]
        .find(']')
        .map(|e| start + e)
        .unwrap_or(line.len());
    let inner = &line[start + 1..inner_end];
    let mut audience = None;
    let mut login = None;
    for part in inner.split_whitespace() {
        if let Some((k, v)) = part.split_once('=') {
            match k.to_ascii_lowercase().as_str() {
                "audience" => audience = Some(v.to_string()),
                "login" => login = Some(v.to_string()),
                _ => {}
            }
        }
    }
    let rest = format!(
        "{}{}",
        &line[..start],
        line.get(inner_end + 1..).unwrap_or("")
    );
    let attempt = audience.map(|audience| Attempt {
        audience,
        login: login.unwrap_or_default(),
        inferred: false,
    });
    (rest.trim().to_string(), attempt)
}

/// The wrappers the Salesforce CLI and other clients put around Salesforce's text.
fn strip_wrappers(s: &str) -> String {
    let mut t = s.trim().to_string();
    for marker in [
        "here's the error:",
        "here\u{2019}s the error:",
        "due to:",
        "errors encountered:",
    ] {
        if let Some(p) = rfind_ci(&t, marker) {
            t = t[p + marker.len()..].trim().to_string();
        }
    }
    // A CLI error's `Name::` prefix: "JwtAuthError::…", "LightningDomain::…".
    if let Some((name, rest)) = t.split_once("::")
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && !looks_like_error_code(name)
    {
        t = rest.trim().to_string();
    }
    // "Error (JwtAuthError): …", "ERROR running force:auth:jwt:grant: …", "Error: …"
    loop {
        let lower = t.to_ascii_lowercase();
        let next = if lower.starts_with("error (") {
            t.find("):").map(|p| t[p + 2..].to_string())
        } else if lower.starts_with("error running ") {
            // the command name ends in ':' and is followed by the message
            t.find(": ").map(|p| t[p + 2..].to_string())
        } else if lower.starts_with("error:") {
            Some(t[6..].to_string())
        } else {
            None
        };
        match next {
            Some(n) if n.trim() != t => t = n.trim().to_string(),
            _ => break,
        }
    }
    t
}

/// `error: description`, `error::description`, `error - description`, `error description`,
/// or just the description.
fn split_error(s: &str) -> (Option<String>, Option<String>) {
    let s = trim_noise(s);
    let token_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let token = &s[..token_end];
    // `simple_salesforce.exceptions…` is a module path, not an error code
    let dotted = s[token_end..].starts_with('.') && s[token_end..].len() > 1;
    if !token.is_empty() && !dotted && looks_like_error_code(token) {
        let rest = s[token_end..].trim_start_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ':' | '-' | '\u{2013}' | '\u{2014}' | '/' | ',' | '|' | '=' | '"' | '\'' | '`'
                )
        });
        let rest = trim_noise(rest);
        let description = (!rest.is_empty()).then(|| rest.to_string());
        return (Some(token.to_ascii_lowercase()), description);
    }
    (None, (!s.is_empty()).then(|| s.to_string()))
}

/// Quotes, backticks, whitespace and trailing punctuation around a value.
pub(crate) fn trim_noise(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' | '.' | ';'
            )
    })
}

/// An OAuth error code: a known one, or a lowercase word with an underscore (`invalid_grant`).
pub(crate) fn looks_like_error_code(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    if REPLIES.iter().any(|r| r.error == l) {
        return true;
    }
    l.contains('_')
        && !l.starts_with('_')
        && !l.ends_with('_')
        && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value of `key` in text like `"key":"value"`, `'key': 'value'`, `key=value&…`.
fn extract_key(s: &str, key: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(off) = lower[from..].find(key) {
        let start = from + off;
        let end = start + key.len();
        from = end;
        let before_ok = start == 0 || {
            let b = bytes[start - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        let after_ok = bytes
            .get(end)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if !before_ok || !after_ok {
            continue;
        }
        let mut rest = s[end..].trim_start_matches(['"', '\'']).trim_start();
        if let Some(r) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) {
            rest = r.trim_start();
        } else {
            continue;
        }
        return Some(read_value(rest));
    }
    None
}

/// A quoted value (with backslash escapes) or a bare one up to `,` `&` `}` or the line's end.
fn read_value(rest: &str) -> String {
    let mut chars = rest.chars();
    match chars.next() {
        Some(q @ ('"' | '\'')) => {
            let mut out = String::new();
            let mut escaped = false;
            for c in chars {
                if escaped {
                    out.push(match c {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    break;
                } else {
                    out.push(c);
                }
            }
            out.trim().to_string()
        }
        _ => {
            let end = rest.find([',', '&', '}', '\n', '\r']).unwrap_or(rest.len());
            percent_decode(rest[..end].trim())
        }
    }
}

/// `+` and `%XX` of a query string; anything malformed is kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains(['%', '+']) {
        return s.to_string();
    }
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

fn rfind_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().rfind(needle)
}
