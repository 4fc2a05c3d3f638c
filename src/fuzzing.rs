//! The entry points the fuzz targets call (`fuzz/fuzz_targets/*.rs`), here so that a plain
//! `cargo test` replays the regression corpus (`fuzz/regressions/<target>/`) through exactly
//! the same code: every crash ever found, and the hostile inputs of the resource limits.
//! Each function panics when an invariant breaks; that is what a fuzzer reports.
#![doc(hidden)]

use crate::catalog::Code;
use crate::check::{self, AssertionInput, CheckInput};
use crate::material::{CertInfo, Error, KeyInfo, read_certificate, read_private_key};
use crate::report::{self, AssertionSource, KeySummary};
use crate::rules::{self, Expectations, Material};
use crate::{inspect, signature, token};
use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

/// The fixtures' evaluation instant, 2026-06-01T12:00:00Z.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_780_315_200, 0).unwrap_or_default()
}

/// The fixtures' consumer key and username.
fn fixture_expectations() -> Expectations {
    Expectations {
        client_id: Some("3MVG9testConsumerKey.jwtpreflight0123456789".into()),
        username: Some("ci@example.com".into()),
        ..Expectations::default()
    }
}

/// Every format of a document.
fn render_all(doc: &report::Document) {
    for format in [
        report::Format::Human,
        report::Format::Json,
        report::Format::Github,
        report::Format::Markdown,
    ] {
        let _ = report::render(doc, format);
        let _ = report::stderr_lines(doc, format);
    }
}

/// `check --assertion` on `text` with the fixtures' expectations, rendered in every format.
fn check_and_render(text: &str, key: Option<&KeyInfo>, cert: Option<&CertInfo>, strict: bool) {
    let exp = fixture_expectations();
    let input = CheckInput {
        key,
        key_mode: key.map(|_| 0o600),
        cert,
        assertion: AssertionInput::Given {
            text: text.to_string(),
            source: AssertionSource::File,
        },
        expectations: &exp,
        now: now(),
        strict,
        clock: None,
        extra: Vec::new(),
    };
    if let Ok(r) = check::run(&input) {
        render_all(&report::Document::Check(r));
    }
}

/// Arbitrary bytes, read as lossy UTF-8, through the token parser, every rule that looks at
/// an assertion alone, and the `check`/`inspect` renderers.
pub fn token_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let t = token::parse(&text);

    // Invariants of the parser that hold for every input.
    if t.is_three_segments() {
        assert_eq!(
            format!("{}.{}", t.signing_input(), t.signature_b64),
            t.raw,
            "the segments must be the input's exact bytes"
        );
    } else {
        assert!(
            t.findings.iter().any(|f| f.is(Code::PF101)),
            "{} segments but no {}",
            t.segment_count,
            Code::PF101
        );
    }
    assert!(
        t.findings.iter().filter(|f| f.is(Code::PF104)).count()
            <= 2 * (crate::defaults::MAX_DUPLICATES_LISTED + 1),
        "{} findings are capped",
        Code::PF104
    );

    // Every rule that needs only the assertion, with default expectations...
    let material = Material {
        token: Some(&t),
        key: None,
        key_mode: None,
        cert: None,
    };
    let _ = rules::evaluate(&material, &Expectations::default(), now()).finish();

    // ...and with the fixtures' expectations, so the issuer/subject comparisons run too; then
    // render the report in every format.
    check_and_render(&text, None, None, true);
    let i = inspect::inspect(&text, AssertionSource::Stdin, "fuzz.jwt", now());
    render_all(&report::Document::Inspect(i));
}

/// The passphrase the encrypted fixtures use, so mutated encrypted keys get decrypted.
fn fixture_passphrase(_: &str) -> Result<Zeroizing<String>, Error> {
    Ok(Zeroizing::new("preflight-test-pass".into()))
}

/// Arbitrary bytes through the private key reader. Every error names the input.
pub fn key_reader(data: &[u8]) {
    const NAME: &str = "fuzz.key";
    match read_private_key(NAME, data, &mut fixture_passphrase) {
        Ok(info) => {
            let _ = KeySummary::new(&info);
            let _ = (info.algorithm(), info.bits(), info.format.describe());
        }
        Err(e) => assert!(
            // A PKCS#12 archive's certificate is reported as "fuzz.key (certificate inside): …".
            e.message().starts_with("fuzz.key: ") || e.message().starts_with("fuzz.key ("),
            "error does not name the input: {}",
            e.message()
        ),
    }
}

/// Arbitrary bytes through the certificate reader, then the key/certificate rules and the
/// renderers on whatever it read. Every error names the input.
pub fn cert_reader(data: &[u8]) {
    const NAME: &str = "fuzz.crt";
    let cert = match read_certificate(NAME, data) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                e.message().starts_with("fuzz.crt: "),
                "error does not name the input: {}",
                e.message()
            );
            return;
        }
    };
    let material = Material {
        token: None,
        key: None,
        key_mode: None,
        cert: Some(&cert),
    };
    let _ = rules::evaluate(&material, &Expectations::default(), now()).finish();
    check_and_render("", None, Some(&cert), false);
}

/// The whole `check` on an arbitrary assertion with a real key and certificate (the
/// fixtures'): signature verification and the PF401–PF407 diagnosis, then the renderers;
/// also the raw signature primitives on the decoded signature, whatever its length.
pub fn check_pipeline(material: &(KeyInfo, CertInfo), data: &[u8]) {
    let (key, cert) = material;
    let text = String::from_utf8_lossy(data);
    check_and_render(&text, Some(key), Some(cert), true);
    let t = token::parse(&text);
    if let (Some(sig), Some(public)) = (t.signature.as_deref(), cert.rsa()) {
        let _ = signature::testing::recover_block(public, sig);
        let alg = signature::alg_for_token(&t, signature::Alg::RS256);
        let _ = signature::verify(public, alg.hash(), t.signing_input().as_bytes(), sig);
    }
}

/// Reads the key and certificate [`check_pipeline`] runs with.
pub fn check_pipeline_material(key: &[u8], cert: &[u8]) -> (KeyInfo, CertInfo) {
    let key = read_private_key("server.key", key, &mut crate::material::no_passphrase)
        .unwrap_or_else(|e| panic!("fixture key: {e}"));
    let cert =
        read_certificate("server.crt", cert).unwrap_or_else(|e| panic!("fixture certificate: {e}"));
    (key, cert)
}

/// The org `serve_request` answers for: the fixtures' consumer key, user and certificate.
pub fn serve_org(cert: &[u8]) -> crate::serve::ServedOrg {
    crate::serve::ServedOrg {
        name: "fuzz".into(),
        expectations: fixture_expectations(),
        cert: Some(
            read_certificate("server.crt", cert)
                .unwrap_or_else(|e| panic!("fixture certificate: {e}")),
        ),
    }
}

/// Arbitrary bytes as an HTTP request to `serve`'s pure handler: byte 0 picks the method,
/// byte 1 the content type, then the target and the body, split at the first NUL. The
/// reply must be one `serve` can send (200, 400 or 404 with a JSON body; an OAuth error for
/// a refused token request), and the exchange renders in every format.
pub fn serve_request(org: &crate::serve::ServedOrg, data: &[u8]) {
    use crate::serve::{Attempts, ExchangeKind, Request, handle};
    let (head, rest) = data.split_at(data.len().min(2));
    let method =
        ["POST", "GET", "PUT", "post"][usize::from(head.first().copied().unwrap_or(0) % 4)];
    let content_type = [
        Some("application/x-www-form-urlencoded"),
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        Some("application/json"),
        None,
    ][usize::from(head.get(1).copied().unwrap_or(0) % 4)];
    let (target, body) = match rest.iter().position(|b| *b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let target = String::from_utf8_lossy(target);
    let target = if target.starts_with('/') {
        target.into_owned()
    } else {
        format!("{}{target}", crate::serve::TOKEN_PATH)
    };
    let request = Request {
        method: method.into(),
        origin: "https://login.salesforce.com".into(),
        direct_origin: None,
        target,
        content_type: content_type.map(str::to_string),
        user_agent: Some("fuzz".into()),
        body: body.to_vec(),
    };
    let e = handle(&request, std::slice::from_ref(org), now());
    assert!(
        matches!(e.reply.status, 200 | 400 | 404),
        "status {}",
        e.reply.status
    );
    assert!(e.reply.body.is_object() || e.reply.body.is_array());
    if e.kind == ExchangeKind::Token && e.reply.status == 400 {
        assert!(e.reply.body["error"].is_string() && e.reply.body["error_description"].is_string());
    }
    // The signature of any token sent, in the body or the query, never reaches a report.
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
    let signatures: Vec<String> = form_urlencoded::parse(&request.body)
        .chain(form_urlencoded::parse(query.as_bytes()))
        .map(|(_, v)| token::parse(&v))
        // A signed compact JWS: a base64url header of a JSON object (`eyJ…`) and a base64url
        // signature. Runs of other bytes that the path happens to share are no secret.
        .filter(|t| {
            let base64url = |s: &str| {
                s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            };
            t.is_three_segments()
                && t.header_b64.starts_with("eyJ")
                && base64url(&t.header_b64)
                && t.signature_b64.len() >= 16
                && base64url(&t.signature_b64)
        })
        .map(|t| t.signature_b64)
        .collect();
    let mut attempts = Attempts::new();
    let recorded = attempts.record(&e);
    let mut docs = vec![report::Document::Serve(report::ServeEvent::Exchange(
        Box::new(e),
    ))];
    for s in [recorded.before, recorded.with, attempts.finish()]
        .into_iter()
        .flatten()
    {
        docs.push(report::Document::Serve(report::ServeEvent::Attempts(s)));
    }
    for doc in &docs {
        for format in [report::Format::Human, report::Format::Json] {
            let shown = format!(
                "{}{}",
                report::render(doc, format),
                report::stderr_lines(doc, format).join("\n")
            );
            for sig in &signatures {
                assert!(!shown.contains(sig.as_str()), "a signature was shown");
            }
        }
    }
}
