//! The `jwt-preflight` binary: a thin shell over the `jwt_preflight` library.
#![forbid(unsafe_code)]

/// The static musl build allocates with mimalloc: musl's allocator serialises every thread on
/// one lock, which made `check --config` slower on two cores than on one (Cargo.toml).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(jwt_preflight::cli::main())
}
