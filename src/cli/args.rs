//! The command line (clap derive). Flags, environment variables and the `sf org login jwt`
//! aliases are those of SPEC §1; every command's `--help` ends with examples.

use crate::defaults;
use crate::report::{self, CommandName};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Finds, offline, every reason Salesforce would reject an OAuth 2.0 JWT bearer login.
#[derive(Debug, Parser)]
#[command(
    name = "jwt-preflight",
    version,
    about,
    long_about = "Finds, offline, every reason Salesforce would reject an OAuth 2.0 JWT bearer login \
(sf org login jwt, MuleSoft, simple-salesforce, jsforce …), before anything is sent.\n\n\
Exit status: 0 no error findings, 1 the preflight failed, 2 could not run.",
    after_help = "Examples:\n  \
jwt-preflight check --key server.key --cert server.crt -i 3MVG9… -o ci@acme.com\n  \
jwt-preflight check --assertion token.jwt --cert server.crt\n  \
jwt-preflight inspect token.jwt\n  \
jwt-preflight explain 'invalid_grant: audience is invalid'\n  \
jwt-preflight rules"
)]
pub struct Cli {
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands of SPEC §1.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build (or read) an assertion and run every rule against it, the key and the certificate.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Decode an assertion without trusting it: header, claims, times, structural findings.
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
    /// Build and sign an assertion exactly as `check` would, and print it (sends nothing).
    #[command(after_help = SIGN_EXAMPLES)]
    Sign(SignArgs),
    /// CI mode: check key/certificate pairs given with --key/--cert or found under folders.
    #[command(after_help = PAIRS_EXAMPLES)]
    Pairs(PairsArgs),
    /// Explain a rule code or name, or a Salesforce error reply, with causes and fixes.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// List every rule: code, name, severity, one line.
    #[command(
        after_help = "Examples:\n  jwt-preflight rules\n  jwt-preflight rules --format json\n  jwt-preflight rules --markdown"
    )]
    Rules(RulesArgs),
    /// Write server.key and a self-signed server.crt ready to upload to a connected app.
    #[command(
        after_help = "Examples:\n  jwt-preflight keygen --out secrets/prod\n  jwt-preflight keygen --bits 4096 --days 730 --subject 'CN=ci, O=Acme'"
    )]
    Keygen(KeygenArgs),
    /// A local Salesforce token endpoint: check the assertion a real client sends.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Print the manual page (roff), of the tool or of one command.
    #[command(
        after_help = "Examples:\n  jwt-preflight man | man -l -\n  jwt-preflight man > /usr/local/share/man/man1/jwt-preflight.1\n  jwt-preflight man check > jwt-preflight-check.1"
    )]
    Man(ManArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  jwt-preflight completions bash > /etc/bash_completion.d/jwt-preflight\n  jwt-preflight completions zsh > ~/.zfunc/_jwt-preflight"
    )]
    Completions(CompletionsArgs),
}

// Examples are kept under 80 columns, with `\` continuations, so clap never wraps a
// command in the middle and every line can be copied as it is.
const CHECK_EXAMPLES: &str = "Examples:
  # Build the assertion the integration would send, and check everything:
  jwt-preflight check --key server.key --cert server.crt \\
      --client-id 3MVG9… --username ci@acme.com \\
      --login-url https://acme.my.salesforce.com

  # The same flags as `sf org login jwt`:
  jwt-preflight check -f server.key --cert server.crt \\
      -i 3MVG9… -o ci@acme.com -r https://test.salesforce.com

  # Why was this assertion rejected?
  jwt-preflight check --assertion token.jwt --cert server.crt \\
      --client-id 3MVG9… --username ci@acme.com

  # An org the sf CLI logged in to with JWT, or all of them:
  jwt-preflight check --target-org prod --cert server.crt
  jwt-preflight check --all-sf-orgs

  # In CI, as GitHub annotations or JSON, at a fixed instant:
  jwt-preflight check --config jwt-preflight.toml --format github
  jwt-preflight check --assertion - --cert server.crt \\
      --now 2026-06-01T12:00:00Z --format json < token.jwt";

const SERVE_EXAMPLES: &str = "Examples:
  # Stand in for login.salesforce.com, test and every My Domain (proxy),
  # and for the --as URL at http(s)://127.0.0.1:PORT (direct):
  jwt-preflight serve --cert server.crt \\
      --client-id 3MVG9… --username ci@acme.com

  # Then run the real client through it, unmodified:
  HTTPS_PROXY=http://127.0.0.1:PORT NODE_EXTRA_CA_CERTS=ca.crt \\
      SF_DISABLE_DNS_CHECK=true sf org login jwt -i 3MVG9… \\
      -o ci@acme.com -f server.key

  # In a test: one request, JSON records, the exit status of check:
  jwt-preflight serve --config jwt-preflight.toml --once \\
      --timeout 60 --format json --ca-dir .serve-ca

Replies: the first error decides, in this order: the token's structure, iss,
the login host (https, the org's environment), header, aud, signature, exp,
sub. Nothing is forwarded: a CONNECT to any host outside Salesforce's domains
is refused.";

const INSPECT_EXAMPLES: &str = "Examples:
  jwt-preflight inspect token.jwt
  pbpaste | jwt-preflight inspect -
  jwt-preflight inspect token.jwt --format json --now 2026-06-01T12:00:00Z";

const SIGN_EXAMPLES: &str = "Examples:
  jwt-preflight sign --key server.key --client-id 3MVG9… --username ci@acme.com
  jwt-preflight sign --key server.key -i 3MVG9… -o ci@acme.com \\
      -r https://acme.my.salesforce.com --request";

const PAIRS_EXAMPLES: &str = "Examples:
  jwt-preflight pairs secrets/
  jwt-preflight pairs --key prod.key --cert prod.crt \\
      --key uat.key --cert uat.crt
  jwt-preflight pairs secrets/ --format github --cert-warn-days 45";

const EXPLAIN_EXAMPLES: &str = "Examples:
  jwt-preflight explain PF403
  jwt-preflight explain signature-hash-mismatch
  jwt-preflight explain 'invalid_grant: audience is invalid'
  jwt-preflight explain reply.json
  sf org login jwt … 2>&1 | jwt-preflight explain -";

/// An http(s) URL with a host: what `--clock-url` can send a HEAD request to.
fn http_url(s: &str) -> Result<String, String> {
    let url = crate::salesforce::SimpleUrl::parse(s.trim()).ok_or_else(|| {
        "not a URL; give an http(s) URL such as https://login.salesforce.com".to_string()
    })?;
    if url.scheme != "https" && url.scheme != "http" {
        return Err(format!(
            "{}:// is not http or https; the clock check reads the Date header of an HTTP response",
            url.scheme
        ));
    }
    if url.host.contains(char::is_whitespace) {
        return Err("the host name holds whitespace".to_string());
    }
    Ok(s.trim().to_string())
}

impl Command {
    /// The command's name and the format it prints in, for reporting a run that could not
    /// start.
    pub fn name_and_format(&self) -> (CommandName, report::Format) {
        match self {
            Command::Check(a) => (CommandName::Check, a.format.into()),
            Command::Inspect(a) => (CommandName::Inspect, a.format.into()),
            Command::Sign(_) => (CommandName::Sign, report::Format::Human),
            Command::Pairs(a) => (CommandName::Pairs, a.format.into()),
            Command::Explain(a) => (CommandName::Explain, a.format.into()),
            Command::Rules(a) if a.markdown => (CommandName::Rules, report::Format::Markdown),
            Command::Rules(a) => (CommandName::Rules, a.format.into()),
            Command::Keygen(_) => (CommandName::Keygen, report::Format::Human),
            Command::Completions(_) => (CommandName::Completions, report::Format::Human),
            Command::Serve(a) => (CommandName::Serve, a.format.into()),
            Command::Man(_) => (CommandName::Man, report::Format::Human),
        }
    }
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A report for people.
    Human,
    /// The JSON report (schema 1).
    Json,
    /// GitHub Actions workflow annotations.
    Github,
}

impl From<Format> for report::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Human => report::Format::Human,
            Format::Json => report::Format::Json,
            Format::Github => report::Format::Github,
        }
    }
}

/// The RSASSA-PKCS1-v1_5 algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum RsAlg {
    /// RSA PKCS#1 v1.5 with SHA-256 (the only one Salesforce documents).
    Rs256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    Rs384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    Rs512,
}

impl RsAlg {
    /// The core's algorithm.
    pub fn alg(self) -> crate::signature::Alg {
        use crate::signature::Alg;
        match self {
            RsAlg::Rs256 => Alg::RS256,
            RsAlg::Rs384 => Alg::RS384,
            RsAlg::Rs512 => Alg::RS512,
        }
    }

    /// The JWS name.
    pub fn as_str(self) -> &'static str {
        self.alg().as_str()
    }
}

/// Where a passphrase comes from: never from a flag's value.
#[derive(Debug, Clone, Args, Default)]
pub struct PassphraseArgs {
    /// Read the passphrase of an encrypted key or PKCS#12 file from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "passphrase_file",
        help_heading = "Inputs"
    )]
    pub passphrase_env: Option<String>,

    /// Read the passphrase from the first line of this file.
    #[arg(long, value_name = "PATH", help_heading = "Inputs")]
    pub passphrase_file: Option<PathBuf>,
}

/// The claims and login target, shared by `check` and `sign`.
#[derive(Debug, Clone, Args)]
pub struct ClaimArgs {
    /// The connected app's consumer key: the expected (or built) iss.
    #[arg(
        long,
        short = 'i',
        env = "SF_CLIENT_ID",
        value_name = "ID",
        help_heading = "Claims and login target"
    )]
    pub client_id: Option<String>,

    /// The Salesforce username: the expected (or built) sub.
    #[arg(
        long,
        short = 'o',
        env = "SF_USERNAME",
        value_name = "NAME",
        help_heading = "Claims and login target"
    )]
    pub username: Option<String>,

    /// Where the token request is posted [default: https://login.salesforce.com].
    #[arg(
        long,
        short = 'r',
        visible_alias = "instance-url",
        env = "SF_LOGIN_URL",
        value_name = "URL",
        help_heading = "Claims and login target"
    )]
    pub login_url: Option<String>,

    /// The aud to use and expect [default: the login URL's origin].
    #[arg(
        long,
        env = "SF_AUDIENCE_URL",
        value_name = "URL",
        help_heading = "Claims and login target"
    )]
    pub audience: Option<String>,

    /// The algorithm the connected app is expected to accept (PF202 fires when alg differs).
    #[arg(long, value_enum, default_value_t = RsAlg::Rs256, value_name = "ALG", help_heading = "Claims and login target")]
    pub expect_alg: RsAlg,

    /// The algorithm to sign with when building [default: the expected one].
    #[arg(
        long,
        value_enum,
        value_name = "ALG",
        help_heading = "Claims and login target"
    )]
    pub alg: Option<RsAlg>,

    /// exp = now + this many seconds, when building.
    #[arg(
        long,
        default_value_t = defaults::LIFETIME_SECS,
        value_name = "SECONDS",
        allow_negative_numbers = true,
        // A year either way covers every real use and keeps exp arithmetic in range.
        value_parser = clap::value_parser!(i64)
            .range(-defaults::MAX_LIFETIME_ARG_SECS..=defaults::MAX_LIFETIME_ARG_SECS),
        help_heading = "Time"
    )]
    pub lifetime: i64,

    /// Evaluate every time rule at this instant (RFC 3339 or UNIX seconds) instead of the clock.
    #[arg(long, value_name = "RFC3339|UNIX", help_heading = "Time")]
    pub now: Option<String>,
}

/// `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The private key: PEM or DER; PKCS#1, PKCS#8, encrypted PKCS#8, or PKCS#12 (.p12/.pfx).
    #[arg(
        long,
        short = 'f',
        visible_alias = "jwt-key-file",
        env = "SF_JWT_KEY_FILE",
        value_name = "PATH",
        help_heading = "Inputs"
    )]
    pub key: Option<PathBuf>,

    /// The X.509 certificate uploaded to the connected app: PEM or DER.
    #[arg(
        long,
        env = "SF_JWT_CERT_FILE",
        value_name = "PATH",
        help_heading = "Inputs"
    )]
    pub cert: Option<PathBuf>,

    /// Check an assertion built elsewhere (a file, or - for stdin) instead of building one.
    #[arg(long, value_name = "PATH|-", help_heading = "Inputs")]
    pub assertion: Option<String>,

    /// Claims and login target.
    #[command(flatten)]
    pub claims: ClaimArgs,

    /// Compare the local clock with the login server's Date header (a HEAD request; sends no credential).
    #[arg(long, help_heading = "Time")]
    pub clock_check: bool,

    /// The URL whose Date header --clock-check reads (implies --clock-check).
    #[arg(long, value_name = "URL", value_parser = http_url, help_heading = "Time")]
    pub clock_url: Option<String>,

    /// A TOML file listing orgs; checks every org in it (or --org NAME).
    #[arg(
        long,
        env = "JWT_PREFLIGHT_CONFIG",
        value_name = "PATH",
        help_heading = "CI"
    )]
    pub config: Option<PathBuf>,

    /// With --config: check only this org.
    #[arg(long, value_name = "NAME", requires = "config", help_heading = "CI")]
    pub org: Option<String>,

    /// Check an org the Salesforce CLI authorised with `sf org login jwt`, by alias or
    /// username: its stored client id, username, login URL and key (also SF_TARGET_ORG, when
    /// no --key, --assertion or --config is given).
    #[arg(
        long,
        value_name = "ALIAS|USERNAME",
        conflicts_with_all = ["config", "assertion"],
        help_heading = "The sf CLI's orgs"
    )]
    pub target_org: Option<String>,

    /// Check every org the Salesforce CLI authorised with JWT (the others are listed as
    /// skipped, with why).
    #[arg(
        long,
        conflicts_with_all = ["config", "assertion", "target_org"],
        help_heading = "The sf CLI's orgs"
    )]
    pub all_sf_orgs: bool,

    /// Passphrase sources.
    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// Warnings fail too.
    #[arg(long, help_heading = "Output")]
    pub strict: bool,

    /// PF513 fires when the certificate expires within this many days.
    #[arg(
        long,
        default_value_t = defaults::CERT_WARN_DAYS,
        value_name = "N",
        value_parser = clap::value_parser!(i64).range(0..=36_500),
        help_heading = "Output"
    )]
    pub cert_warn_days: i64,
}

/// `inspect`.
#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// The assertion: a file, or - (the default) for stdin.
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub input: String,

    /// Show times relative to this instant (RFC 3339 or UNIX seconds) instead of the clock.
    #[arg(long, value_name = "RFC3339|UNIX", help_heading = "Time")]
    pub now: Option<String>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,
}

/// `sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// The private key (as for check).
    #[arg(
        long,
        short = 'f',
        visible_alias = "jwt-key-file",
        env = "SF_JWT_KEY_FILE",
        value_name = "PATH"
    )]
    pub key: PathBuf,

    /// Claims and login target.
    #[command(flatten)]
    pub claims: ClaimArgs,

    /// Print the token request (POST URL, form body and a curl line) instead of the assertion.
    #[arg(long)]
    pub request: bool,

    /// Passphrase sources.
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

/// `pairs`.
#[derive(Debug, Clone, Args)]
pub struct PairsArgs {
    /// Folders to search for keys and certificates (hidden folders, .git, target and
    /// node_modules are skipped; links to files are read, links to folders are not followed).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Follow links to folders too, each folder once (so a link cycle ends).
    #[arg(long, help_heading = "Inputs")]
    pub follow: bool,

    /// A private key; repeat, each followed by its --cert.
    #[arg(long, value_name = "PATH", help_heading = "Inputs")]
    pub key: Vec<PathBuf>,

    /// A certificate; repeat, one per --key.
    #[arg(long, value_name = "PATH", help_heading = "Inputs")]
    pub cert: Vec<PathBuf>,

    /// Passphrase sources.
    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// Warnings fail too.
    #[arg(long, help_heading = "Output")]
    pub strict: bool,

    /// PF513 threshold in days.
    #[arg(
        long,
        default_value_t = defaults::CERT_WARN_DAYS,
        value_name = "N",
        value_parser = clap::value_parser!(i64).range(0..=36_500),
        help_heading = "Output"
    )]
    pub cert_warn_days: i64,

    /// Evaluate certificate validity at this instant.
    #[arg(long, value_name = "RFC3339|UNIX", help_heading = "Time")]
    pub now: Option<String>,
}

/// `explain`.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// A rule code (PF403) or name, a Salesforce reply (text or JSON), a file, or - for stdin.
    #[arg(value_name = "CODE|TEXT|FILE|-")]
    pub subject: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,
}

/// `rules`.
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// Output format (github is not meaningful here and prints the human list).
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,

    /// Print the Markdown table used in the README.
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
}

/// `keygen`.
#[derive(Debug, Clone, Args)]
pub struct KeygenArgs {
    /// Folder to write server.key and server.crt into.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,

    /// RSA modulus size: 2048, 3072 or 4096.
    #[arg(long, default_value_t = 2048)]
    pub bits: u32,

    /// Certificate validity in days.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    /// Certificate subject.
    #[arg(long, default_value = "CN=jwt-preflight")]
    pub subject: String,
}

/// `serve --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServeFormat {
    /// Each exchange for people, on stderr.
    Human,
    /// One JSON record per event on stdout (JSON Lines).
    Json,
}

impl From<ServeFormat> for report::Format {
    fn from(f: ServeFormat) -> Self {
        match f {
            ServeFormat::Human => report::Format::Human,
            ServeFormat::Json => report::Format::Json,
        }
    }
}

/// `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The certificate on the connected app: signatures are verified against it.
    #[arg(
        long,
        env = "SF_JWT_CERT_FILE",
        value_name = "PATH",
        help_heading = "The org it stands for"
    )]
    pub cert: Option<PathBuf>,

    /// The connected app's consumer key: the iss it knows.
    #[arg(
        long,
        short = 'i',
        env = "SF_CLIENT_ID",
        value_name = "ID",
        help_heading = "The org it stands for"
    )]
    pub client_id: Option<String>,

    /// The user it knows: the sub it accepts.
    #[arg(
        long,
        short = 'o',
        env = "SF_USERNAME",
        value_name = "NAME",
        help_heading = "The org it stands for"
    )]
    pub username: Option<String>,

    /// Where the org lives: its environment (login or test) or its My Domain [default: https://login.salesforce.com].
    #[arg(
        long,
        short = 'r',
        visible_alias = "instance-url",
        env = "SF_LOGIN_URL",
        value_name = "URL",
        help_heading = "The org it stands for"
    )]
    pub login_url: Option<String>,

    /// The aud the connected app accepts [default: the origin the request was posted to].
    #[arg(
        long,
        env = "SF_AUDIENCE_URL",
        value_name = "URL",
        help_heading = "The org it stands for"
    )]
    pub audience: Option<String>,

    /// The algorithm the connected app accepts.
    #[arg(long, value_enum, default_value_t = RsAlg::Rs256, value_name = "ALG", help_heading = "The org it stands for")]
    pub expect_alg: RsAlg,

    /// A TOML file listing orgs (as for check --config): serve stands for all of them.
    #[arg(
        long,
        env = "JWT_PREFLIGHT_CONFIG",
        value_name = "PATH",
        help_heading = "The org it stands for"
    )]
    pub config: Option<PathBuf>,

    /// With --config: only this org.
    #[arg(
        long,
        value_name = "NAME",
        requires = "config",
        help_heading = "The org it stands for"
    )]
    pub org: Option<String>,

    /// The address to listen on: loopback unless another is named explicitly.
    #[arg(
        long,
        default_value = "127.0.0.1",
        value_name = "ADDR",
        help_heading = "Listening"
    )]
    pub listen: std::net::IpAddr,

    /// The port; 0 picks a free one, printed first on stdout.
    #[arg(
        long,
        default_value_t = 0,
        value_name = "PORT",
        help_heading = "Listening"
    )]
    pub port: u16,

    /// The login URL a direct request (to http(s)://ADDR:PORT/services/oauth2/token) stands for.
    #[arg(
        long = "as",
        default_value = defaults::LOGIN_URL,
        value_name = "URL",
        help_heading = "Listening"
    )]
    pub stands_for: String,

    /// Keep the CA in this folder (ca.crt, and ca.key mode 0600), reused by later runs; without it
    /// a CA is made per run, its key only in memory.
    #[arg(long, value_name = "DIR", help_heading = "Listening")]
    pub ca_dir: Option<PathBuf>,

    /// Seconds a client may take to send its request before the connection is closed.
    #[arg(
        long,
        default_value_t = defaults::SERVE_READ_TIMEOUT_SECS,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=3600),
        help_heading = "Listening"
    )]
    pub read_timeout: u64,

    /// Stop after the first token request, with check's exit status for it.
    #[arg(long, help_heading = "Scripts")]
    pub once: bool,

    /// Stop after this many seconds (with --once and no token request: exit 2).
    #[arg(
        long,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=31_536_000),
        help_heading = "Scripts"
    )]
    pub timeout: Option<u64>,

    /// Evaluate every request at this instant (RFC 3339 or UNIX seconds) instead of the clock.
    #[arg(long, value_name = "RFC3339|UNIX", help_heading = "Scripts")]
    pub now: Option<String>,

    /// How each exchange is shown.
    #[arg(long, value_enum, default_value_t = ServeFormat::Human, help_heading = "Output")]
    pub format: ServeFormat,

    /// Append every event, as a JSON record, to this file too.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub log: Option<PathBuf>,

    /// PF513 threshold in days, for the certificates' findings shown at start.
    #[arg(
        long,
        default_value_t = defaults::CERT_WARN_DAYS,
        value_name = "N",
        value_parser = clap::value_parser!(i64).range(0..=36_500),
        help_heading = "Output"
    )]
    pub cert_warn_days: i64,
}

/// `man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// One command's page (check, serve, …) instead of the tool's.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
