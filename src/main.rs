//! The `jwt-preflight` binary: a thin shell over the `jwt_preflight` library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(jwt_preflight::cli::main())
}
