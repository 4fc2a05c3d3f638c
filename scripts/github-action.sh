#!/usr/bin/env bash
# The GitHub Action's one step (action.yml): installs jwt-preflight from the action's own
# checkout with `cargo install --locked`, then runs `pairs` and/or `check --config` with
# --format github. Inputs come as INPUT_* variables; the step fails if any command fails.
set -euo pipefail
action="${JWT_PREFLIGHT_ACTION_PATH:?JWT_PREFLIGHT_ACTION_PATH is not set}"
root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/jwt-preflight-action"
bin="$root/bin/jwt-preflight"
if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=jwt-preflight::cargo is not installed on this runner (add a Rust toolchain step, e.g. dtolnay/rust-toolchain@stable)"
    exit 2
fi
if [[ ! -x "$bin" ]]; then
    cargo install --locked --quiet --path "$action" --root "$root"
fi
"$bin" --version

extra=()
if [[ "${INPUT_STRICT:-false}" == "true" ]]; then
    extra+=(--strict)
fi
# Word-splitting is wanted: the args input is a list of arguments.
# shellcheck disable=SC2206
extra+=(${INPUT_ARGS:-})
status=0
ran=0
if [[ -n "${INPUT_PAIRS:-}" ]]; then
    ran=1
    # shellcheck disable=SC2206
    dirs=(${INPUT_PAIRS})
    "$bin" pairs "${dirs[@]}" --format github "${extra[@]}" || status=$?
fi
if [[ -n "${INPUT_CONFIG:-}" ]]; then
    ran=1
    code=0
    "$bin" check --config "$INPUT_CONFIG" --format github "${extra[@]}" || code=$?
    if ((code > status)); then status=$code; fi
fi
if ((ran == 0)); then
    echo "::error title=jwt-preflight::give the action a pairs folder or a config file (inputs pairs, config)"
    exit 2
fi
exit "$status"
