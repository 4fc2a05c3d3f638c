//! Matching a reply against the table: exact descriptions and their aliases, a description
//! contained in longer text (the longest wins), an `error` code alone, and, for text that
//! matches nothing, the closest known replies by a soft token similarity.

use super::parse::{ReplyText, trim_noise};
use super::replies::{KnownReply, REPLIES};

/// A close known reply offered for text that matched nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// The known reply.
    pub reply: &'static KnownReply,
    /// How close it is, 0 to 1.
    pub score: f64,
}

/// How one reply matched the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Recognition {
    /// The description (or an `error` with only one known reply) was recognised.
    Known {
        /// The matching entry.
        reply: &'static KnownReply,
        /// The `error` given differs from the one Salesforce sends with this description.
        error_differs: bool,
    },
    /// Only the `error` was given, and several replies carry it.
    ErrorOnly {
        /// The error code.
        error: &'static str,
        /// Every known reply with that error.
        candidates: Vec<&'static KnownReply>,
    },
    /// Nothing matched.
    Unknown {
        /// The closest known replies, best first (may be empty).
        suggestions: Vec<Suggestion>,
        /// The `error` given, when it is a known error code.
        known_error: Option<&'static str>,
    },
}

/// Lowercase, straight apostrophes, single spaces, no surrounding quotes or final period.
pub(crate) fn normalise(s: &str) -> String {
    let s = s.replace(['\u{2019}', '\u{2018}', '`'], "'");
    let s = trim_noise(&s).to_lowercase();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn spellings(r: &KnownReply) -> impl Iterator<Item = &'static str> {
    std::iter::once(r.description).chain(r.aliases.iter().copied())
}

/// The entry whose description or alias is this text.
pub(crate) fn by_description(desc: &str) -> Option<&'static KnownReply> {
    let n = normalise(desc);
    REPLIES
        .iter()
        .find(|r| spellings(r).any(|s| normalise(s) == n))
}

/// The entry whose description appears inside the text, the longest spelling winning
/// ("authentication failure - invalid client credentials" over "authentication failure").
fn by_contained_description(text: &str) -> Option<&'static KnownReply> {
    let hay = normalise(text);
    let mut best: Option<(&'static KnownReply, usize)> = None;
    for r in REPLIES {
        for s in spellings(r) {
            let needle = normalise(s);
            if contains_words(&hay, &needle) && best.is_none_or(|(_, len)| needle.len() > len) {
                best = Some((r, needle.len()));
            }
        }
    }
    best.map(|(r, _)| r)
}

/// `needle` occurs in `hay` on word boundaries.
pub(crate) fn contains_words(hay: &str, needle: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut from = 0;
    while let Some(off) = hay[from..].find(needle) {
        let start = from + off;
        let end = start + needle.len();
        if !word(hay[..start].chars().next_back()) && !word(hay[end..].chars().next()) {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

pub(crate) fn known_error(code: &str) -> Option<&'static str> {
    REPLIES
        .iter()
        .find(|r| r.error.eq_ignore_ascii_case(code))
        .map(|r| r.error)
}

pub(crate) fn with_error(code: &str) -> Vec<&'static KnownReply> {
    REPLIES
        .iter()
        .filter(|r| r.error.eq_ignore_ascii_case(code))
        .collect()
}

/// Matches one reply against the table.
pub fn match_reply(r: &ReplyText) -> Recognition {
    let given_error = r.error.as_deref();
    let known = |reply: &'static KnownReply| Recognition::Known {
        reply,
        error_differs: given_error
            .is_some_and(|e| known_error(e).is_some() && !e.eq_ignore_ascii_case(reply.error)),
    };
    if let Some(d) = &r.description {
        if let Some(reply) = by_description(d) {
            return known(reply);
        }
        // An error code sent as description ("invalid_grant" alone in a JSON body's description).
        if given_error.is_none()
            && let Some(e) = known_error(d.trim())
        {
            return error_only(e);
        }
    }
    if let Some(reply) = by_contained_description(&r.input) {
        return known(reply);
    }
    let code = given_error.and_then(known_error).or_else(|| {
        // a known error code somewhere in the text
        REPLIES
            .iter()
            .map(|k| k.error)
            .find(|e| contains_words(&normalise(&r.input), e))
    });
    match (&r.description, code) {
        (None, Some(e)) => error_only(e),
        _ => Recognition::Unknown {
            suggestions: suggest(r.description.as_deref().unwrap_or(&r.input)),
            known_error: code,
        },
    }
}

fn error_only(code: &'static str) -> Recognition {
    let candidates = with_error(code);
    match candidates.as_slice() {
        [only] => Recognition::Known {
            reply: only,
            error_differs: false,
        },
        _ => Recognition::ErrorOnly {
            error: code,
            candidates,
        },
    }
}

/// How close a suggestion must be to be offered.
const SUGGEST_THRESHOLD: f64 = 0.5;

/// The known replies closest to this text, best first (at most three).
pub fn suggest(text: &str) -> Vec<Suggestion> {
    let query = tokens(text);
    if query.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Suggestion> = REPLIES
        .iter()
        .map(|r| {
            let score = spellings(r)
                .map(|s| similarity(&query, &tokens(s)))
                .fold(0.0, f64::max);
            Suggestion { reply: r, score }
        })
        .filter(|s| s.score >= SUGGEST_THRESHOLD)
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(3);
    out
}

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "this", "to", "of", "in", "for", "and", "with", "by", "be",
];

fn tokens(s: &str) -> Vec<String> {
    normalise(s)
        .replace('\'', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty() && !STOPWORDS.contains(t))
        .map(str::to_string)
        .collect()
}

/// A soft Dice coefficient: each token counts by its best match in the other list, where two
/// tokens match when their edit distance is small next to their length.
fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let best = |x: &String, ys: &[String]| ys.iter().map(|y| token_sim(x, y)).fold(0.0, f64::max);
    let sum: f64 =
        a.iter().map(|x| best(x, b)).sum::<f64>() + b.iter().map(|y| best(y, a)).sum::<f64>();
    sum / (a.len() + b.len()) as f64
}

fn token_sim(a: &str, b: &str) -> f64 {
    let max = a.chars().count().max(b.chars().count());
    if max == 0 {
        return 0.0;
    }
    let s = 1.0 - levenshtein(a, b) as f64 / max as f64;
    if s >= 0.7 { s } else { 0.0 }
}

pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
