#!/bin/sh
# Seeds fuzz/corpus/<target>/ from ../testdata. Run from anywhere; safe to re-run (files are
# copied under their fixture names, so re-running only refreshes them). The corpus folders are
# git-ignored: never commit them.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../testdata"
corpus="$here/corpus"
mkdir -p "$corpus/token_parser" "$corpus/check_pipeline" "$corpus/key_reader" "$corpus/cert_reader" \
    "$corpus/serve_request"

# Assertions: every fixture token.
for f in "$data"/tokens/*; do
    [ -f "$f" ] || continue
    cp "$f" "$corpus/token_parser/"
    cp "$f" "$corpus/check_pipeline/"
done

# Keys and certificates: every fixture file (each reader must also reject the other kind,
# garbage and text cleanly), except the scripts and the README.
for f in "$data"/*; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in
        *.sh | *.md | .gitattributes) continue ;;
    esac
    cp "$f" "$corpus/key_reader/"
    cp "$f" "$corpus/cert_reader/"
done

# Requests to serve: the regression seeds (made by regressions/gen.sh with Python).
cp "$here"/regressions/serve_request/* "$corpus/serve_request/"

for t in token_parser check_pipeline key_reader cert_reader serve_request; do
    printf '%s: %s files\n' "$t" "$(ls "$corpus/$t" | wc -l)"
done
