//! The listener. One port serves three ways in, told apart by the first bytes and the request
//! line: a TLS handshake is a direct `https://` request; `CONNECT host:443` opens a proxy
//! tunnel to a Salesforce host, whose TLS ends here with a leaf for that host; anything else
//! is plain HTTP (a proxied `http://` URL, or a direct request). Nothing is ever forwarded:
//! a tunnel to any other host is refused.
//!
//! hyper parses HTTP and rustls speaks TLS; every read has a deadline, bodies are capped and
//! connections are counted, so a client can stall or flood only itself.

use super::ca::Ca;
use super::{Error, Sink};
use crate::defaults::{SERVE_MAX_BODY_BYTES, SERVE_MAX_CONNECTIONS, SERVE_SHUTDOWN_GRACE_SECS};
use crate::report::{
    ConnectionEvent, ConnectionKind, Listening, ServeEvent, ServeTotals, ServedOrgSummary,
};
use crate::salesforce::{SimpleUrl, is_salesforce_family};
use crate::serve::{self, ExchangeKind, ServedOrg};
use crate::text::{display_path, escape_controls};
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

/// How the server runs.
pub struct Settings {
    /// `--listen` and `--port`.
    pub listen: SocketAddr,
    /// `--as`: the login URL a direct request stands for.
    pub stands_for: String,
    /// `--read-timeout`.
    pub read_timeout: Duration,
    /// `--once`.
    pub once: bool,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--now`.
    pub fixed_now: Option<DateTime<Utc>>,
}

/// What every connection shares.
struct Shared {
    orgs: Vec<ServedOrg>,
    ca: Ca,
    /// The identity of a direct `https://` listener: the `--as` host, localhost and loopback.
    direct_tls: Arc<ServerConfig>,
    /// The `--as` URL's origin.
    direct_origin: String,
    /// The address bound (with the port picked for `--port 0`).
    address: SocketAddr,
    settings: Settings,
    sink: Mutex<Option<Sink>>,
    /// Rung by the first token request under `--once`.
    token_seen: Notify,
    /// One permit per connection or tunnel being served.
    permits: Arc<Semaphore>,
    /// Changes when the server stops: connections finish their request and close.
    stopping: watch::Receiver<bool>,
}

impl Shared {
    fn now(&self) -> DateTime<Utc> {
        self.settings.fixed_now.unwrap_or_else(Utc::now)
    }

    fn with_sink(&self, f: impl FnOnce(&mut Sink)) {
        let mut guard = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sink) = guard.as_mut() {
            f(sink);
        }
    }

    fn failed(&self, peer: SocketAddr, message: String) {
        let event = ConnectionEvent {
            at: Utc::now(),
            peer: peer.to_string(),
            kind: ConnectionKind::Failed { message },
        };
        self.with_sink(|s| s.connection(event));
    }

    fn refused(&self, peer: SocketAddr, host: String, reason: &str) {
        let event = ConnectionEvent {
            at: Utc::now(),
            peer: peer.to_string(),
            kind: ConnectionKind::Refused {
                host,
                reason: reason.to_string(),
            },
        };
        self.with_sink(|s| s.connection(event));
    }
}

/// Binds, reports where, serves until Ctrl-C, SIGTERM, `--once` or `--timeout`, and returns
/// the totals.
pub fn run(
    settings: Settings,
    orgs: Vec<ServedOrg>,
    summaries: Vec<ServedOrgSummary>,
    ca: Ca,
    sink: Sink,
) -> Result<ServeTotals, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::new(format!("cannot start the server: {e}")))?;
    runtime.block_on(serve(settings, orgs, summaries, ca, sink))
}

async fn serve(
    settings: Settings,
    orgs: Vec<ServedOrg>,
    summaries: Vec<ServedOrgSummary>,
    ca: Ca,
    mut sink: Sink,
) -> Result<ServeTotals, Error> {
    let listener = TcpListener::bind(settings.listen).await.map_err(|e| {
        Error::new(format!("cannot listen on {}: {e}", settings.listen)).with_hint(
            if e.kind() == std::io::ErrorKind::AddrInUse {
                "another program has that port: give another --port, or 0 to pick a free one"
            } else {
                "give an address of this machine with --listen (the default is 127.0.0.1)"
            },
        )
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::new(format!("cannot read the listening address: {e}")))?;
    let stands_for =
        SimpleUrl::parse(&settings.stands_for).ok_or_else(|| Error::new("--as: not a URL"))?;
    let direct_names = vec![
        stands_for.host.clone(),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let direct_tls = ca.server_config(&direct_names)?;
    let url = format!("http://{address}");
    sink.emit(ServeEvent::Listening(Listening {
        address: address.to_string(),
        port: address.port(),
        url,
        stands_for: settings.stands_for.clone(),
        ca_file: display_path(&ca.cert_path),
        ca_kept: ca.kept,
        orgs: summaries,
        once: settings.once,
        timeout: settings.timeout.map(|d| d.as_secs()),
    }));
    let (stop, stopping) = watch::channel(false);
    let shared = Arc::new(Shared {
        orgs,
        direct_origin: stands_for.canonical_origin(),
        address,
        direct_tls,
        ca,
        sink: Mutex::new(Some(sink)),
        token_seen: Notify::new(),
        permits: Arc::new(Semaphore::new(SERVE_MAX_CONNECTIONS)),
        stopping,
        settings,
    });
    let deadline = async {
        match shared.settings.timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(deadline);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let stopped_by = loop {
        #[cfg(unix)]
        let terminated = async {
            match terminate.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    let Ok(permit) = shared.permits.clone().try_acquire_owned() else {
                        shared.failed(peer, format!("closed at once: {SERVE_MAX_CONNECTIONS} connections are open already"));
                        continue;
                    };
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        connection(shared, tcp, peer).await;
                        drop(permit);
                    });
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            },
            // Pauses are measured by the real clock, even under --now.
            _ = tick.tick() => shared.with_sink(|s| s.idle(Utc::now())),
            _ = shared.token_seen.notified(), if shared.settings.once => break "--once",
            _ = &mut deadline => break "--timeout",
            _ = tokio::signal::ctrl_c() => break "Ctrl-C",
            _ = terminated => break "SIGTERM",
        }
    };
    drop(listener);
    let _ = stop.send(true);
    // Every connection finishes its request and closes; then all permits are free again.
    let _ = tokio::time::timeout(
        Duration::from_secs(SERVE_SHUTDOWN_GRACE_SECS),
        shared.permits.acquire_many(SERVE_MAX_CONNECTIONS as u32),
    )
    .await;
    let sink = shared
        .sink
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| Error::new("the server's report was lost"))?;
    Ok(sink.finish(stopped_by, shared.settings.once))
}

/// How a request reached the server.
#[derive(Clone)]
enum Via {
    /// Plain HTTP on the listener: a proxy request or a direct one.
    Listener,
    /// TLS on the listener: a direct `https://` request.
    DirectTls,
    /// Inside a `CONNECT` tunnel to this origin.
    Tunnel(String),
}

/// One TCP connection: a TLS handshake or plain HTTP, told apart by the first byte.
async fn connection(shared: Arc<Shared>, tcp: TcpStream, peer: SocketAddr) {
    let timeout = shared.settings.read_timeout;
    let mut first = [0u8; 1];
    match tokio::time::timeout(timeout, tcp.peek(&mut first)).await {
        Ok(Ok(0)) | Ok(Err(_)) => return,
        Ok(Ok(_)) => {}
        Err(_) => {
            shared.failed(
                peer,
                format!(
                    "sent nothing within {} s (--read-timeout); closed",
                    timeout.as_secs()
                ),
            );
            return;
        }
    }
    // 0x16: a TLS record of type handshake, the first byte of every ClientHello.
    if first[0] == 0x16 {
        let acceptor = TlsAcceptor::from(shared.direct_tls.clone());
        match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => http(shared, TokioIo::new(tls), Via::DirectTls, peer).await,
            Ok(Err(e)) => shared.failed(peer, tls_problem(&e)),
            Err(_) => shared.failed(
                peer,
                "the TLS handshake did not finish in time; closed".into(),
            ),
        }
    } else {
        http(shared, TokioIo::new(tcp), Via::Listener, peer).await;
    }
}

/// Says why a handshake failed, and what usually fixes it.
fn tls_problem(e: &std::io::Error) -> String {
    let text = e.to_string();
    let hint = if text.contains("UnknownCA")
        || text.contains("unknown ca")
        || text.contains("BadCertificate")
    {
        ": the client does not trust serve's CA; give it the CA file (REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, curl --cacert, a Java truststore)"
    } else {
        ""
    };
    format!("TLS handshake failed: {}{hint}", escape_controls(&text))
}

/// Serves HTTP/1.1 on one connection until it closes, or the server stops.
async fn http<I>(shared: Arc<Shared>, io: TokioIo<I>, via: Via, peer: SocketAddr)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service_shared = shared.clone();
    let service = hyper::service::service_fn(move |req| {
        let shared = service_shared.clone();
        let via = via.clone();
        async move { Ok::<_, Infallible>(answer(shared, req, via, peer).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.settings.read_timeout)
        .max_buf_size(SERVE_MAX_BODY_BYTES.max(8192));
    let conn = builder.serve_connection(io, service).with_upgrades();
    tokio::pin!(conn);
    let mut stopping = shared.stopping.clone();
    let result = tokio::select! {
        r = conn.as_mut() => r,
        _ = async { stopping.wait_for(|s| *s).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        // A client that hangs up is no news; bad bytes and stalls are.
        if e.is_parse() || e.is_parse_too_large() || e.is_timeout() {
            let what = if e.is_timeout() {
                format!(
                    "sent no complete request within {} s (--read-timeout); closed",
                    shared.settings.read_timeout.as_secs()
                )
            } else {
                format!("sent bytes that are not HTTP/1.1 ({e}); answered 400 and closed")
            };
            shared.failed(peer, what);
        }
    }
}

/// Answers one request.
async fn answer(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    via: Via,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    match via {
        Via::Tunnel(origin) => endpoint(&shared, req, origin, None, peer).await,
        Via::DirectTls => {
            let reached = reached_as(&req, "https", &shared);
            let origin = shared.direct_origin.clone();
            endpoint(&shared, req, origin, Some(reached), peer).await
        }
        Via::Listener if req.method() == Method::CONNECT => tunnel(shared, req, peer),
        Via::Listener => match req.uri().authority().cloned() {
            // A proxy request for an http:// URL (absolute form).
            Some(authority) => {
                let host = authority.host().to_ascii_lowercase();
                if !is_salesforce_family(&host) {
                    shared.refused(
                        peer,
                        escape_controls(authority.as_str()),
                        "not a Salesforce host; serve never forwards traffic",
                    );
                    return refusal(&host);
                }
                let scheme = req
                    .uri()
                    .scheme_str()
                    .unwrap_or("http")
                    .to_ascii_lowercase();
                let origin = format!("{scheme}://{}", authority.as_str().to_ascii_lowercase());
                endpoint(&shared, req, origin, None, peer).await
            }
            None => {
                let reached = reached_as(&req, "http", &shared);
                let origin = shared.direct_origin.clone();
                endpoint(&shared, req, origin, Some(reached), peer).await
            }
        },
    }
}

/// The origin a direct client reached the server at, from its Host header when that is a
/// plain host and port (it is only ever echoed back to the same client, as instance_url).
fn reached_as(req: &Request<Incoming>, scheme: &str, shared: &Shared) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map(str::to_string)
        .unwrap_or_else(|| shared.address.to_string());
    format!("{scheme}://{host}")
}

/// `CONNECT host:443`: a tunnel whose TLS ends here, for Salesforce hosts only.
fn tunnel(shared: Arc<Shared>, req: Request<Incoming>, peer: SocketAddr) -> Response<Full<Bytes>> {
    let Some(authority) = req.uri().authority().cloned() else {
        return plain(StatusCode::BAD_REQUEST, "CONNECT needs host:port\n");
    };
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let shown = escape_controls(authority.as_str());
    if !is_salesforce_family(&host) {
        shared.refused(
            peer,
            shown,
            "not a Salesforce host; serve never forwards traffic",
        );
        return refusal(&host);
    }
    if authority.port_u16().unwrap_or(443) != 443 {
        shared.refused(
            peer,
            shown,
            "Salesforce's login servers listen on port 443 only",
        );
        return refusal(&host);
    }
    let Ok(permit) = shared.permits.clone().try_acquire_owned() else {
        shared.failed(
            peer,
            format!(
                "CONNECT {shown} refused: {SERVE_MAX_CONNECTIONS} connections are open already"
            ),
        );
        return plain(StatusCode::SERVICE_UNAVAILABLE, "too many connections\n");
    };
    let tls = match shared.ca.server_config(std::slice::from_ref(&host)) {
        Ok(c) => c,
        Err(e) => {
            shared.failed(peer, format!("CONNECT {shown}: {}", e.line()));
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot make a certificate for that host\n",
            );
        }
    };
    let origin = format!("https://{host}");
    tokio::spawn(async move {
        let timeout = shared.settings.read_timeout;
        let upgraded = match hyper::upgrade::on(req).await {
            Ok(u) => u,
            Err(_) => return,
        };
        let acceptor = TlsAcceptor::from(tls);
        match tokio::time::timeout(timeout, acceptor.accept(TokioIo::new(upgraded))).await {
            Ok(Ok(stream)) => http(shared, TokioIo::new(stream), Via::Tunnel(origin), peer).await,
            Ok(Err(e)) => shared.failed(
                peer,
                format!("in the tunnel to {host}: {}", tls_problem(&e)),
            ),
            Err(_) => shared.failed(
                peer,
                format!("in the tunnel to {host}: the TLS handshake did not finish in time"),
            ),
        }
        drop(permit);
    });
    Response::new(Full::new(Bytes::new()))
}

/// The 403 for a host serve does not stand for.
fn refusal(host: &str) -> Response<Full<Bytes>> {
    plain(
        StatusCode::FORBIDDEN,
        &format!(
            "jwt-preflight serve refuses {}: it stands in only for Salesforce hosts and never forwards traffic\n",
            escape_controls(host)
        ),
    )
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Reads the body (capped, with a deadline), answers through the core, reports the exchange.
async fn endpoint(
    shared: &Shared,
    req: Request<Incoming>,
    origin: String,
    direct_origin: Option<String>,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let header_text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let declared = header_text(header::CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    let limit = SERVE_MAX_BODY_BYTES;
    let timeout = shared.settings.read_timeout;
    if declared.is_some_and(|n| n > limit as u64) {
        // Drained first, within the read timeout, so that the 413 is not lost to a reset.
        let _ = tokio::time::timeout(timeout, read_body(body, declared)).await;
        shared.failed(
            peer,
            format!("sent a body over {} KiB; answered 413", limit >> 10),
        );
        return too_large(limit);
    }
    let body = match tokio::time::timeout(timeout, read_body(body, declared)).await {
        Ok(Ok(body)) => body,
        Ok(Err(BodyProblem::TooLarge)) => {
            shared.failed(
                peer,
                format!("sent a body over {} KiB; answered 413", limit >> 10),
            );
            return too_large(limit);
        }
        Ok(Err(BodyProblem::Unreadable)) => {
            return plain(StatusCode::BAD_REQUEST, "the body could not be read\n");
        }
        Err(_) => {
            shared.failed(
                peer,
                format!(
                    "did not send its whole body within {} s (--read-timeout); answered 408",
                    timeout.as_secs()
                ),
            );
            let mut r = plain(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time\n",
            );
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
    };
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let request = serve::Request {
        method: parts.method.as_str().to_string(),
        origin,
        direct_origin,
        target,
        content_type: header_text(header::CONTENT_TYPE),
        user_agent: header_text(header::USER_AGENT),
        body: body.to_vec(),
    };
    let exchange = serve::handle(&request, &shared.orgs, shared.now());
    let status = StatusCode::from_u16(exchange.reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    let json = serde_json::to_vec(&exchange.reply.body).unwrap_or_default();
    let token = exchange.kind == ExchangeKind::Token;
    shared.with_sink(|s| s.exchange(exchange));
    if token {
        shared.token_seen.notify_one();
    }
    let mut r = Response::new(Full::new(Bytes::from(json)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    // As Salesforce's token endpoint: never cached.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// Why a request's body was not used.
enum BodyProblem {
    /// Over [`SERVE_MAX_BODY_BYTES`] (declared or sent).
    TooLarge,
    /// The connection failed while it arrived.
    Unreadable,
}

/// A 413 closes the connection, and a socket closed with input still unread is reset, which
/// can destroy the reply before the client has read it (curl then reports a reset, not the
/// 413). So an oversized body is read on and thrown away, up to this much, before answering.
const DRAIN_BYTES: u64 = 1 << 20;

/// The body, if it is at most [`SERVE_MAX_BODY_BYTES`]. One declared or found larger is
/// drained (up to [`DRAIN_BYTES`], never kept) and refused. The caller bounds the time.
async fn read_body(mut body: Incoming, declared: Option<u64>) -> Result<Bytes, BodyProblem> {
    let limit = SERVE_MAX_BODY_BYTES as u64;
    let mut kept: Vec<u8> = Vec::new();
    let mut seen: u64 = 0;
    let mut too_large = declared.is_some_and(|n| n > limit);
    if declared.is_some_and(|n| n > DRAIN_BYTES) {
        // Too much to drain: refused at once.
        return Err(BodyProblem::TooLarge);
    }
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyProblem::Unreadable)?;
        let Some(data) = frame.data_ref() else {
            continue;
        };
        seen = seen.saturating_add(data.len() as u64);
        too_large |= seen > limit;
        if seen > DRAIN_BYTES {
            break;
        }
        if !too_large {
            kept.extend_from_slice(data);
        }
    }
    if too_large {
        Err(BodyProblem::TooLarge)
    } else {
        Ok(Bytes::from(kept))
    }
}

fn too_large(limit: usize) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "error": "invalid_request",
        "error_description": format!("request body over {} KiB (jwt-preflight serve's limit)", limit >> 10),
    });
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}
