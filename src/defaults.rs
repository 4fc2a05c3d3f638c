//! Every default and every resource limit, in one place, with the reason for its value.
//!
//! Limits bound what one hostile input can cost: every read stops at a cap whatever the file
//! claims to be, and every key-derivation parameter is checked before any work is done, so a
//! crafted key cannot exhaust memory or CPU.

/// Where the token request goes when nothing says otherwise: Salesforce's production login.
pub const LOGIN_URL: &str = "https://login.salesforce.com";
/// exp = now + this when building an assertion: Salesforce's documented maximum, "within 3
/// minutes" (PF335 warns above it).
pub const LIFETIME_SECS: i64 = 180;
/// The largest `--lifetime` (or config `lifetime`), either way: a year covers every real use
/// and keeps exp arithmetic far from overflow.
pub const MAX_LIFETIME_ARG_SECS: i64 = 31_536_000;
/// PF513 fires when the certificate expires within this many days.
pub const CERT_WARN_DAYS: i64 = 30;

/// Largest key, certificate or PKCS#12 file read: a 16384-bit PKCS#12 with a chain is under
/// 20 KB, and a wrong path to a disk image is refused at once.
pub const MAX_MATERIAL_BYTES: u64 = 1 << 20;
/// Largest assertion read. A real one is under 2 KB; up to this bound a malformed one is still
/// parsed and reported.
pub const MAX_ASSERTION_BYTES: u64 = 1 << 20;
/// Largest config file read (200 orgs take about 40 KB).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Largest passphrase file read.
pub const MAX_PASSPHRASE_FILE_BYTES: u64 = 64 << 10;
/// Largest reply, CLI output or log `explain` reads.
pub const MAX_EXPLAIN_BYTES: u64 = 1 << 20;
/// Largest file `pairs` opens to recognise it.
pub const MAX_SNIFF_BYTES: u64 = 1 << 20;

/// PBKDF2 (and PKCS#12 KDF) iterations accepted per derivation. openssl writes 2048 by
/// default and keytool 10 000; 10 million is far beyond any real key and still bounds the cost
/// of a crafted one to seconds.
pub const MAX_KDF_ITERATIONS: u64 = 10_000_000;
/// Memory one scrypt derivation may use (128 · r · N bytes): openssl's own default limit
/// (`SCRYPT_MAX_MEM`, 32 MiB), so every scrypt key openssl can read is read here too.
pub const MAX_SCRYPT_MEMORY_BYTES: u64 = 32 << 20;
/// scrypt's parallelism p multiplies its time; openssl writes 1.
pub const MAX_SCRYPT_PARALLELISM: u64 = 16;
/// Key derivations in one file (a PKCS#12 has a MAC, one or two encrypted layers and a key:
/// about four).
pub const MAX_KDF_USES: usize = 16;

/// Duplicate member names listed one by one in PF104 findings before the rest are counted.
pub const MAX_DUPLICATES_LISTED: usize = 10;

/// `serve`: the largest request body read. A token request is under 4 KB; the cap keeps a
/// hostile client from holding memory.
pub const SERVE_MAX_BODY_BYTES: usize = 64 << 10;
/// `serve`: seconds a client has to send its request headers, or its body, or to finish a TLS
/// handshake, before the connection is closed (`--read-timeout`).
pub const SERVE_READ_TIMEOUT_SECS: u64 = 10;
/// `serve`: connections handled at once; more are closed at once. A client under test opens
/// one or two.
pub const SERVE_MAX_CONNECTIONS: usize = 64;
/// `serve`: TLS identities (one per Salesforce host asked for) kept before the cache is
/// emptied, so a client asking for a million host names cannot grow memory without bound.
pub const SERVE_MAX_CACHED_HOSTS: usize = 256;
/// `serve`: seconds in-flight requests get to finish when the server stops.
pub const SERVE_SHUTDOWN_GRACE_SECS: u64 = 2;
/// `serve --ca-dir`: days a kept CA is valid. A CA made per run is valid for a week, and so
/// is every leaf (backdated a day, for clocks behind).
pub const SERVE_KEPT_CA_DAYS: i64 = 730;
/// `serve`: days a per-run CA and every leaf certificate are valid.
pub const SERVE_RUN_CERT_DAYS: i64 = 7;
