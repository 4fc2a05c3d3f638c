#!/usr/bin/env bash
# Makes the hostile inputs of issue 11 with openssl and Python, never with this tool, so the
# tool is not its own oracle. Each is a valid file with one parameter patched to an absurd
# value, byte for byte as the issue's recipes say. Run from anywhere; it rewrites only the
# files it makes (the crash inputs beside them are kept as found).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
td="$here/../../testdata"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

patch() { # patch IN OUT HEX_FROM HEX_TO [first|last]
    python3 - "$1" "$2" "$3" "$4" "${5:-first}" <<'PY'
import sys
src, dst, a, b, which = sys.argv[1:6]
d = open(src, 'rb').read()
a, b = bytes.fromhex(a), bytes.fromhex(b)
assert len(a) == len(b), "a patch must keep every DER length"
i = d.find(a) if which == 'first' else d.rfind(a)
assert i >= 0, f"{a.hex()} not in {src}"
open(dst, 'wb').write(d[:i] + b + d[i + len(a):])
PY
}

kr="$here/key_reader"
# D2: scrypt N = 2^22, r = 64: 128·r·N = 32 GiB (N 32768 → 4194304, r 4 → 64).
openssl pkcs8 -topk8 -scrypt -scrypt_N 32768 -scrypt_r 4 -in "$td/server.key" -passout pass:pw \
    -outform DER -out "$tmp/s.der"
patch "$tmp/s.der" "$kr/scrypt-32gib.p8.der" 0203008000020104 0203400000020140
# Just over the limit: r 4 → 16 gives 64 MiB, which openssl refuses too (its limit is 32 MiB).
patch "$tmp/s.der" "$kr/scrypt-64mib.p8.der" 0203008000020104 0203008000020110
# D3: PBKDF2 iterations 2^23 → 2^31 − 1.
openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 8388608 -in "$td/server.key" -passout pass:pw \
    -outform DER -out "$tmp/p.der"
patch "$tmp/p.der" "$kr/pbkdf2-2g-iterations.p8.der" 020400800000 02047fffffff
# The same in a PKCS#12: its MAC (the last iteration count in the file) and its first
# encrypted part (the first), each patched alone.
openssl pkcs12 -export -in "$td/server.crt" -inkey "$td/server.key" -passout pass:pw \
    -iter 8388608 -out "$tmp/big.p12"
patch "$tmp/big.p12" "$kr/pkcs12-mac-2g-iterations.p12" 020400800000 02047fffffff last
patch "$tmp/big.p12" "$kr/pkcs12-layer-2g-iterations.p12" 020400800000 02047fffffff first

# D8: damaged PEM blocks.
cr="$here/cert_reader"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' > "$cr/certificate-block-aaaa.crt"
printf -- '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' > "$cr/certificate-block-empty.crt"
printf -- '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' > "$kr/private-key-block-aaaa.key"
printf -- '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n' > "$kr/private-key-block-empty.key"

# D4: 5000 repeated claim members (the integration test makes a larger one).
python3 - "$here/token_parser/claims-5000-duplicates.jwt" <<'PY'
import base64, sys
b = lambda s: base64.urlsafe_b64encode(s.encode()).rstrip(b'=').decode()
claims = '{' + ','.join('"a%d":1,"a%d":2' % (i, i) for i in range(5000)) + '}'
open(sys.argv[1], 'w').write(b('{"alg":"RS256"}') + '.' + b(claims) + '.' + b('sig'))
PY
# -0 as exp: an integer literal.
python3 - "$here/token_parser/exp-negative-zero.jwt" <<'PY'
import base64, sys
b = lambda s: base64.urlsafe_b64encode(s.encode()).rstrip(b'=').decode()
open(sys.argv[1], 'w').write(b('{"alg":"RS256"}') + '.' + b('{"iss":"3MVG9x","sub":"a@b.com","aud":"https://login.salesforce.com","exp":-0}') + '.' + b('s'))
PY
# serve_request: byte 0 the method (0 POST, 1 GET), byte 1 the content type (0 form, 2 JSON),
# then the target, a NUL, and the body.
mkdir -p "$here/serve_request"
python3 - "$here/serve_request" "$td/tokens" <<'PY'
import os, sys, urllib.parse
out, tokens = sys.argv[1:3]
tok = lambda n: open(os.path.join(tokens, n + '.jwt')).read().strip()
form = lambda **kw: urllib.parse.urlencode(kw).encode()
bearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
seeds = {
    'good-token.bin': b'\0\0/services/oauth2/token\0' + form(grant_type=bearer, assertion=tok('good')),
    'expired-token.bin': b'\0\0/services/oauth2/token\0' + form(grant_type=bearer, assertion=tok('exp-passed')),
    'site-path.bin': b'\0\1/customers/services/oauth2/token\0' + form(grant_type=bearer, assertion=tok('aud-path')),
    'json-body.bin': b'\0\2/services/oauth2/token\0{"grant_type":"x"}',
    'repeated.bin': b'\0\0/services/oauth2/token\0grant_type=%s&assertion=a&assertion=b' % bearer.encode(),
    'bad-percent.bin': b'\0\0/services/oauth2/token\0grant_type=%ZZ%&assertion=%ff%fe%00' + b'%' * 300,
    'get-token.bin': b'\1\3/services/oauth2/token?assertion=' + tok('good').encode() + b'\0',
    'org-query.bin': b'\1\3/services/data/v66.0/query?q=SELECT+Name+FROM+Organization\0',
    'versions.bin': b'\1\3/services/data/\0',
    'odd-query.bin': b'\1\3/services/data/v/query?q=%E9%00from%20from\0',
}
for name, data in seeds.items():
    open(os.path.join(out, name), 'wb').write(data)
PY
echo "wrote the hostile inputs under $here"
