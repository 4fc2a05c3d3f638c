//! The JSON documents of SPEC §4, schema 1: one object per run, each opening with the same
//! envelope (`schema`, `tool`, `command`, `verdict`), built here and nowhere else.

use super::document::{unpaired_kind, unpaired_message};
use super::{
    CommandName, ConnectionKind, Document, OrgsReport, Report, SCHEMA, ServeEvent, Verdict,
};
use crate::catalog::Rule;
use crate::explain::{self, Explanation, Recognition};
use crate::inspect::Inspection;
use crate::rules::time::NumericDate;
use crate::serve::Decision;
use crate::text::display_path;
use crate::timefmt;
use serde_json::{Map, Value, json};

/// `{"name":"jwt-preflight","version":…}`.
#[derive(serde::Serialize)]
struct ToolRecord {
    name: &'static str,
    version: &'static str,
}

const TOOL: ToolRecord = ToolRecord {
    name: "jwt-preflight",
    version: env!("CARGO_PKG_VERSION"),
};

/// [`TOOL`] as a JSON value.
pub fn tool() -> Value {
    Value::Object(object(&TOOL))
}

/// The envelope every document opens with.
#[derive(serde::Serialize)]
struct Envelope {
    schema: u32,
    tool: ToolRecord,
    command: &'static str,
    verdict: &'static str,
}

impl Envelope {
    fn new(command: CommandName, verdict: Verdict) -> Self {
        Envelope {
            schema: SCHEMA,
            tool: TOOL,
            command: command.as_str(),
            verdict: verdict.as_str(),
        }
    }
}

fn envelope(command: CommandName, verdict: Verdict) -> Map<String, Value> {
    object(&Envelope::new(command, verdict))
}

/// A record as a JSON object. The records here are structs of plain fields, which always
/// serialize to one; anything else would give an empty object.
fn object(record: &impl serde::Serialize) -> Map<String, Value> {
    match serde_json::to_value(record) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The document as one JSON value.
pub fn to_value(doc: &Document) -> Value {
    let mut m = envelope(doc.command(), doc.verdict());
    let body = match doc {
        Document::Check(r) => report_body(r),
        Document::Inspect(i) => inspect_body(i),
        Document::Orgs(o) => {
            let orgs: Vec<Value> = o.orgs.iter().map(|(name, r)| org_value(name, r)).collect();
            let mut body = Map::from_iter([("orgs".to_string(), Value::Array(orgs))]);
            if !o.skipped.is_empty() {
                let skipped = o
                    .skipped
                    .iter()
                    .map(|(name, why)| json!({"name": name, "reason": why}))
                    .collect();
                body.insert("skipped".into(), Value::Array(skipped));
            }
            body
        }
        Document::Pairs(r) => {
            let pairs: Vec<Value> = r
                .pairs
                .iter()
                .map(|p| {
                    json!({
                        "key": p.key,
                        "cert": p.cert,
                        "status": p.status.as_str(),
                        "error": p.error,
                        "findings": p.findings,
                    })
                })
                .collect();
            let unpaired: Vec<Value> = r
                .unpaired
                .iter()
                .map(|f| {
                    json!({
                        "path": display_path(&f.path),
                        "kind": unpaired_kind(f),
                        "message": unpaired_message(f),
                    })
                })
                .collect();
            Map::from_iter([
                ("pairs".to_string(), Value::Array(pairs)),
                ("unpaired".to_string(), Value::Array(unpaired)),
            ])
        }
        Document::Rule(rule) => Map::from_iter([(
            "rule".to_string(),
            json!({
                "code": rule.code, "name": rule.name, "severity": rule.severity,
                "check": rule.group.as_str(), "summary": rule.summary, "why": rule.why,
                "fix": rule.fix, "salesforce": rule.salesforce,
                "evidence": rule.evidence, "source": rule.source,
            }),
        )]),
        Document::Replies(r) => Map::from_iter([
            ("source".to_string(), r.source.into()),
            ("input".to_string(), input_kind(&r.explanation).into()),
            ("client".to_string(), client_name(r.explanation.client)),
            ("notes".to_string(), json!(r.explanation.notes)),
            ("replies".to_string(), Value::Array(replies(&r.explanation))),
        ]),
        Document::Rules(rules) => Map::from_iter([(
            "rules".to_string(),
            Value::Array(rules.iter().map(rule_summary).collect()),
        )]),
        Document::Signed(s) => {
            let mut b = Map::new();
            b.insert("assertion".into(), s.token.clone().into());
            if let Some(req) = &s.request {
                b.insert("request".into(), json!({"url": req.url, "body": req.body}));
            }
            b
        }
        Document::Generated(g) => Map::from_iter([
            ("key".to_string(), g.key_path.clone().into()),
            ("certificate".to_string(), g.cert_path.clone().into()),
        ]),
        Document::Script(s) => Map::from_iter([("script".to_string(), s.clone().into())]),
        Document::Serve(e) => serve_body(e),
        Document::Failure(f) => {
            let mut b = Map::from_iter([("error".to_string(), f.error.line().into())]);
            if let Some(hint) = f.error.hint() {
                b.insert("hint".into(), hint.into());
            }
            b
        }
    };
    m.extend(body);
    Value::Object(m)
}

/// One org of `check --config`: its name, then the report's envelope and body, or why it
/// could not be checked.
fn org_value(name: &str, r: &Result<Report, crate::error::Error>) -> Value {
    match r {
        Ok(r) => Value::Object(object(&OrgRecord::new(name, r))),
        Err(e) => json!({"name": name, "verdict": "fail", "error": e.line()}),
    }
}

/// Pretty-printed, with a final newline; `serve`'s events as JSON Lines, one record each.
pub fn render(doc: &Document) -> String {
    let text = match doc {
        Document::Serve(_) => serde_json::to_string(&to_value(doc)),
        Document::Orgs(o) if o.orgs.len() > 1 => render_orgs(doc, o),
        _ => serde_json::to_string_pretty(&to_value(doc)),
    };
    let mut s = text.unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// `check --config`'s document, byte for byte what [`serde_json::to_string_pretty`] makes of
/// [`to_value`], but with each org built and printed on every core: with hundreds of orgs,
/// printing them one after another was the longest step after the checks themselves.
fn render_orgs(doc: &Document, o: &OrgsReport) -> serde_json::Result<String> {
    /// Where the orgs go in the document printed without them. JSON strings hold no raw line
    /// break, so this can only be the top-level member.
    const PLACEHOLDER: &str = "\n  \"orgs\": []";
    let orgs = crate::parallel::map(&o.orgs, |(name, r)| {
        let mut text = Vec::with_capacity(4096);
        text.extend_from_slice(b"    ");
        match r {
            // Straight from the record `org_value` would turn into a `Value` first.
            Ok(report) => pretty_at(&mut text, &OrgRecord::new(name, report), 2)?,
            Err(_) => pretty_at(&mut text, &org_value(name, r), 2)?,
        }
        // serde_json writes only UTF-8 (its strings come from `str`s).
        String::from_utf8(text).map_err(serde::ser::Error::custom)
    });
    let orgs = orgs
        .into_iter()
        .collect::<serde_json::Result<Vec<String>>>()?;
    let mut outline = to_value(&Document::Orgs(OrgsReport {
        orgs: Vec::new(),
        skipped: o.skipped.clone(),
    }));
    // The outline's verdict is the whole run's, not that of an empty run.
    if let Some(m) = outline.as_object_mut() {
        m.insert("verdict".into(), doc.verdict().as_str().into());
    }
    let outline = serde_json::to_string_pretty(&outline)?;
    let Some(at) = outline.find(PLACEHOLDER) else {
        return serde_json::to_string_pretty(&to_value(doc));
    };
    let orgs_len: usize = orgs.iter().map(|t| t.len() + 2).sum();
    let mut text = String::with_capacity(outline.len() + orgs_len + 16);
    text.push_str(&outline[..at]);
    text.push_str("\n  \"orgs\": [\n");
    for (i, org) in orgs.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(org);
    }
    text.push_str("\n  ]");
    text.push_str(&outline[at + PLACEHOLDER.len()..]);
    Ok(text)
}

/// A checked org of `check --config`: its name, then the report's envelope and body. Printed
/// straight from this record, not through a [`Value`] (building one cost more than printing
/// it, for hundreds of orgs).
#[derive(serde::Serialize)]
struct OrgRecord<'a> {
    name: &'a str,
    #[serde(flatten)]
    envelope: Envelope,
    #[serde(flatten)]
    body: ReportBody<'a>,
}

impl<'a> OrgRecord<'a> {
    fn new(name: &'a str, r: &'a Report) -> Self {
        OrgRecord {
            name,
            envelope: Envelope::new(r.command, r.verdict()),
            body: ReportBody::of(r),
        }
    }
}

/// A report's fields after the envelope.
#[derive(serde::Serialize)]
struct ReportBody<'a> {
    evaluated_at: String,
    assertion: &'a Option<super::document::AssertionSummary>,
    key: &'a Option<super::document::KeySummary>,
    certificate: &'a Option<super::document::CertSummary>,
    checks: &'a [crate::finding::Check],
    findings: &'a [crate::finding::Finding],
}

impl<'a> ReportBody<'a> {
    fn of(r: &'a Report) -> Self {
        ReportBody {
            evaluated_at: timefmt::rfc3339(r.evaluated_at),
            assertion: &r.assertion,
            key: &r.key,
            certificate: &r.certificate,
            checks: &r.checks,
            findings: &r.findings,
        }
    }
}

/// Writes `value` as [`serde_json::to_string_pretty`] would if it stood `depth` levels deep in
/// a document: two spaces an indent, inner lines indented by `depth` more. Each org of a
/// `check --config` document is printed by itself this way, with no copy to indent it after.
fn pretty_at(
    out: &mut Vec<u8>,
    value: &impl serde::Serialize,
    depth: usize,
) -> serde_json::Result<()> {
    let formatter = NestedPretty {
        depth,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// serde_json's `PrettyFormatter` with a starting depth, writing a line break and its indent
/// in one piece.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`: on a line of its own unless the container was empty.
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w, false)?;
        }
        w.write_all(bracket)
    }

    fn line<W: ?Sized + std::io::Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        /// A line break and the indent of 31 levels; deeper documents write more spaces.
        const BREAK: &[u8; 63] =
            b"\n                                                              ";
        if comma {
            w.write_all(b",")?;
        }
        let width = 2 * self.depth;
        match BREAK.get(..=width) {
            Some(line) => w.write_all(line),
            None => {
                w.write_all(BREAK)?;
                (BREAK.len() - 1..width).try_for_each(|_| w.write_all(b" "))
            }
        }
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, !first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, !first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// One `serve` event: its `event` name, then its fields.
fn serve_body(e: &ServeEvent) -> Map<String, Value> {
    let mut m = Map::from_iter([("event".to_string(), e.name().into())]);
    let body = match e {
        ServeEvent::Listening(l) => json!({
            "address": l.address,
            "port": l.port,
            "proxy_url": l.url,
            "token_url": format!("{}/services/oauth2/token", l.url),
            "stands_for": l.stands_for,
            "ca_file": l.ca_file,
            "ca_kept": l.ca_kept,
            "once": l.once,
            "timeout": l.timeout,
            "orgs": l.orgs.iter().map(|o| json!({
                "name": o.name,
                "client_id": o.client_id,
                "username": o.username,
                "login_url": o.login_url,
                "cert": o.cert,
                "findings": o.findings,
            })).collect::<Vec<_>>(),
        }),
        ServeEvent::Exchange(x) => {
            let mut b = Map::new();
            b.insert("at".into(), timefmt::rfc3339(x.at).into());
            b.insert("kind".into(), x.kind.as_str().into());
            b.insert("client".into(), json!(x.client));
            b.insert("method".into(), x.method.clone().into());
            b.insert("url".into(), x.url.clone().into());
            b.insert("org".into(), json!(x.org));
            if let Some(r) = &x.report {
                b.insert("assertion".into(), json!(r.assertion));
                b.insert("checks".into(), json!(r.checks));
                b.insert("findings".into(), json!(r.findings));
            }
            let (decided_by, reason) = match &x.decision {
                Some(Decision::Finding(c)) => {
                    let r = c.rule();
                    (json!({"code": r.code, "name": r.name}), Value::Null)
                }
                Some(Decision::Request(why)) => (Value::Null, why.clone().into()),
                _ => (Value::Null, Value::Null),
            };
            b.insert("decided_by".into(), decided_by);
            b.insert("reason".into(), reason);
            b.insert(
                "reply".into(),
                json!({"status": x.reply.status, "body": x.reply.body}),
            );
            Value::Object(b)
        }
        ServeEvent::Attempts(a) => json!({
            "client": a.client,
            "iss": a.iss,
            "sub": a.sub,
            "attempts": a.attempts.iter().map(|t| json!({
                "host": t.host,
                "aud": t.aud,
                "status": t.status,
                "reply": t.reply,
                "decided_by": t.decided_by.map(|c| c.rule().code),
            })).collect::<Vec<_>>(),
            "worked": a.worked.as_ref().map(|(host, aud, tried)| json!({"host": host, "aud": aud, "tried": tried})),
            "blocking": a.blocking.map(|c| c.rule().code),
        }),
        ServeEvent::Connection(c) => {
            let mut b = json!({"at": timefmt::rfc3339(c.at), "peer": c.peer});
            match &c.kind {
                ConnectionKind::Refused { host, reason } => {
                    b["host"] = host.clone().into();
                    b["reason"] = reason.clone().into();
                }
                ConnectionKind::Failed { message } => b["message"] = message.clone().into(),
            }
            b
        }
        ServeEvent::Stopped(t) => json!({
            "stopped_by": t.stopped_by,
            "token_requests": t.token_requests,
            "accepted": t.accepted,
            "follow_ups": t.follow_ups,
            "not_found": t.not_found,
            "refused": t.refused,
            "failed_connections": t.failed_connections,
            "exit_status": t.exit_status,
        }),
    };
    if let Value::Object(b) = body {
        m.extend(b);
    }
    m
}

/// The fields of a check report after the envelope, in the order of SPEC §4.
fn report_body(r: &Report) -> Map<String, Value> {
    object(&ReportBody::of(r))
}

/// `inspect`: the report's fields plus `times` and `verified: false`.
fn inspect_body(i: &Inspection) -> Map<String, Value> {
    let now = i.report.evaluated_at.timestamp();
    let mut times = Map::new();
    if let Some(claims) = &i.token.claims {
        for c in crate::inspect::TIME_CLAIMS {
            if let Some(v) = claims.get(c) {
                let secs = NumericDate::read(v).value();
                times.insert(
                    c.to_string(),
                    json!({
                        "value": v,
                        "utc": secs.map(timefmt::unix_rfc3339),
                        "relative": secs.map(|s| timefmt::relative(s, now)),
                    }),
                );
            }
        }
    }
    let mut b = report_body(&i.report);
    b.insert("times".into(), Value::Object(times));
    b.insert("verified".into(), Value::Bool(false));
    b
}

fn rule_summary(r: &Rule) -> Value {
    json!({
        "code": r.code, "name": r.name, "severity": r.severity,
        "check": r.group.as_str(), "summary": r.summary, "fix": r.fix,
        "salesforce": r.salesforce, "evidence": r.evidence, "source": r.source,
    })
}

/// The input kind as written in the JSON output.
fn input_kind(e: &Explanation) -> &'static str {
    match e.kind {
        explain::SubjectKind::Reply => "reply",
        explain::SubjectKind::CliOutput => "sf-cli-output",
    }
}

/// The client whose output it was, as the JSON names it.
fn client_name(c: explain::Client) -> Value {
    match c {
        explain::Client::SfCli => "sf-cli".into(),
        explain::Client::SimpleSalesforce => "simple-salesforce".into(),
        explain::Client::Unknown => Value::Null,
    }
}

fn cause(c: &explain::Cause) -> Value {
    json!({"cause": c.cause, "confirm": c.confirm, "fix": c.fix, "rules": c.rules})
}

fn known_reply(r: &explain::KnownReply) -> Value {
    json!({
        "error": r.error,
        "error_description": r.description,
        "flow_note": r.flow_note,
        "causes": r.causes.iter().map(cause).collect::<Vec<_>>(),
        "rules": r.rules(),
    })
}

/// The `replies` array: one object per reply, in input order.
fn replies(e: &Explanation) -> Vec<Value> {
    e.items
        .iter()
        .map(|item| {
            let attempt = match (&item.text.attempt, &item.attempt_note) {
                (Some(a), Some(n)) => json!({
                    "audience": a.audience, "login": a.login, "inferred": a.inferred,
                    "note": n.note, "rules": n.rules,
                }),
                _ => Value::Null,
            };
            match &item.outcome {
                Recognition::Known {
                    reply,
                    error_differs,
                } => json!({
                    "input": item.text.input,
                    "recognised": true,
                    "error": reply.error,
                    "error_description": reply.description,
                    "error_given": item.text.error,
                    "error_differs": error_differs,
                    "flow_note": reply.flow_note,
                    "client_note": item.client_note,
                    "attempt": attempt,
                    "causes": item.causes.iter().map(|c| cause(c)).collect::<Vec<_>>(),
                    "rules": reply.rules(),
                    "candidates": [],
                }),
                Recognition::ErrorOnly { error, candidates } => json!({
                    "input": item.text.input,
                    "recognised": true,
                    "error": error,
                    "error_description": Value::Null,
                    "error_given": item.text.error,
                    "error_differs": false,
                    "flow_note": Value::Null,
                    "attempt": attempt,
                    "causes": [],
                    "rules": [],
                    "candidates": candidates.iter().map(|c| known_reply(c)).collect::<Vec<_>>(),
                }),
                Recognition::Unknown {
                    suggestions,
                    known_error,
                } => json!({
                    "input": item.text.input,
                    "recognised": false,
                    "error": known_error,
                    "error_description": item.text.description,
                    "error_given": item.text.error,
                    "error_differs": false,
                    "flow_note": Value::Null,
                    "attempt": attempt,
                    "causes": [],
                    "rules": [],
                    "candidates": suggestions.iter().map(|s| known_reply(s.reply)).collect::<Vec<_>>(),
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{self, AssertionInput, CheckInput};
    use crate::report::AssertionSource;
    use crate::rules::Expectations;
    use chrono::DateTime;

    fn report(token: &str) -> Report {
        check_with(
            None,
            None,
            AssertionInput::Given {
                text: token.into(),
                source: AssertionSource::File,
            },
        )
    }

    /// A report with everything in it: a key and a certificate (the fixtures'), and an
    /// assertion built and signed with them.
    fn built_report() -> Report {
        let key = crate::material::read_private_key(
            "server.key",
            include_bytes!("../../testdata/server.key"),
            &mut crate::material::no_passphrase,
        )
        .expect("fixture key");
        let cert = crate::material::read_certificate(
            "server.crt",
            include_bytes!("../../testdata/server.crt"),
        )
        .expect("fixture certificate");
        let build = AssertionInput::Build {
            alg: crate::signature::Alg::RS256,
            lifetime: 300,
        };
        check_with(Some(&key), Some(&cert), build)
    }

    fn check_with(
        key: Option<&crate::material::KeyInfo>,
        cert: Option<&crate::material::CertInfo>,
        assertion: AssertionInput,
    ) -> Report {
        let expectations = Expectations {
            client_id: Some("3MVG9x".into()),
            username: Some("ci@example.com".into()),
            ..Expectations::default()
        };
        check::run(&CheckInput {
            key,
            key_mode: key.map(|_| 0o600),
            cert,
            assertion,
            expectations: &expectations,
            now: DateTime::from_timestamp(1_780_315_200, 0).expect("in range"),
            strict: false,
            clock: None,
            extra: Vec::new(),
        })
        .expect("checks")
    }

    /// `pretty_at` is serde_json's pretty printer, moved `depth` levels in.
    #[test]
    fn nested_pretty_prints_what_serde_json_prints() {
        let mut deep = json!({"leaf": [1, "two", null, {}, []]});
        for i in 0..40 {
            deep = json!({ format!("k{i}"): [deep, {"e": {}}, []], "n": i });
        }
        for value in [
            json!(null),
            json!([]),
            json!({}),
            json!({"a": [1, {"b": "c\nd"}]}),
            deep,
        ] {
            let theirs = serde_json::to_string_pretty(&value).expect("prints");
            let mut ours = Vec::new();
            super::pretty_at(&mut ours, &value, 0).expect("prints");
            assert_eq!(String::from_utf8(ours).expect("utf-8"), theirs);
            // Two levels in, each line after the first is indented four more spaces.
            let mut nested = Vec::new();
            super::pretty_at(&mut nested, &value, 2).expect("prints");
            assert_eq!(
                String::from_utf8(nested).expect("utf-8"),
                theirs.replace('\n', "\n    ")
            );
        }
    }

    /// The parallel printer must be invisible: the same bytes as printing the whole value.
    #[test]
    fn orgs_print_the_same_on_every_core() {
        // {"alg":"RS256"} . {"iss":"3MVG9x","sub":"a\nb \"q\" é"} . (no signature)
        let odd = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIzTVZHOXgiLCJzdWIiOiJhXG5iIFwicVwiIMOpIn0.";
        let orgs = vec![
            ("prod".to_string(), Ok(report(odd))),
            (
                "has \"orgs\": []\n in its name".to_string(),
                Err(crate::error::Error::new("org x: has no `key`")),
            ),
            ("sandbox".to_string(), Ok(report("not a token"))),
            ("built".to_string(), Ok(built_report())),
        ];
        for skipped in [vec![], vec![("dev".to_string(), "not JWT".to_string())]] {
            let doc = Document::Orgs(OrgsReport {
                orgs: orgs.clone(),
                skipped,
            });
            let whole = serde_json::to_string_pretty(&to_value(&doc)).expect("prints") + "\n";
            assert_eq!(render(&doc), whole);
        }
    }
}
