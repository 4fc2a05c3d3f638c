#!/usr/bin/env bash
# Regenerates every fixture in this folder from scratch.
#
# The fixtures are an independent oracle for jwt-preflight, so they are made only with the
# openssl CLI, keytool and python3's standard library (for JSON, base64url and byte surgery).
# Never use the project's own code here.
#
# Keys (and therefore every signature) are random on each run; everything else (claims, dates,
# serial numbers, crafted padding bytes, the fake JWE parts) is fixed.
#
# Outputs are built in a scratch folder and copied in at the end, so a failed run leaves the
# previous fixtures alone. tokens/ is owned by this script and replaced wholesale.
# After generating, verify.sh checks every fixture with openssl/keytool.
#
# Usage: testdata/gen.sh        (from anywhere; needs openssl 3.x, keytool, python3)
set -euo pipefail
shopt -s inherit_errexit   # failures inside $(...) assignments stop the script too

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

PASS='preflight-test-pass'            # passphrase of every encrypted key and PKCS#12 file
# NOW = 1780315200 = 2026-06-01T12:00:00Z, the fixed evaluation instant (used in PYLIB below)
H_RS256='{"alg":"RS256","typ":"JWT"}' # the normal header

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/jwt-preflight-gen.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
OUT="$SCRATCH/out"
mkdir -p "$OUT/tokens"
cd "$OUT"

die() { echo "gen.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Python glue (standard library only). PYLIB is prepended to every snippet run through `py`.
# ---------------------------------------------------------------------------------------------
PYLIB='
import base64, hashlib, json, sys
NOW = 1780315200
ISS = "3MVG9testConsumerKey.jwtpreflight0123456789"
SUB = "ci@example.com"
AUD = "https://login.salesforce.com"
def std():
    # standard claims, in the fixed order iss, sub, aud, exp (extras go after)
    return {"iss": ISS, "sub": SUB, "aud": AUD, "exp": NOW + 120}
def dumps(o):
    return json.dumps(o, separators=(",", ":"))
def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
def out(s):
    sys.stdout.write(s)
def outb(b):
    sys.stdout.buffer.write(b)
def stream(label, n):
    # deterministic pseudo-random bytes: SHA-256(label || counter) blocks
    buf, i = b"", 0
    while len(buf) < n:
        buf += hashlib.sha256(label.encode() + i.to_bytes(4, "big")).digest()
        i += 1
    return buf[:n]
'
py() { python3 -c "$PYLIB"$'\n'"$1" "${@:2}"; }

# claims 'PYTHON'  -> compact claims JSON: the standard claims dict `c`, edited by the statements.
#   claims ''                         the standard claims
#   claims 'del c["iss"]'             drop a claim
#   claims 'c["nbf"] = NOW + 300'     change one / append an extra (extras come after exp)
claims() { py "c = std()
$1
out(dumps(c))"; }

# stdin bytes -> base64url without padding
b64url() { python3 -c 'import base64,sys; sys.stdout.write(base64.urlsafe_b64encode(sys.stdin.buffer.read()).rstrip(b"=").decode())'; }
# stdin bytes -> base64url WITH '=' padding
b64url_padded() { python3 -c 'import base64,sys; sys.stdout.write(base64.urlsafe_b64encode(sys.stdin.buffer.read()).decode())'; }
# stdin bytes -> standard base64 ('+', '/', '=' padding)
b64std() { python3 -c 'import base64,sys; sys.stdout.write(base64.b64encode(sys.stdin.buffer.read()).decode())'; }

# sign KEY DIGEST [openssl dgst options...]: stdin bytes -> raw signature bytes on stdout
sign() { local key=$1 digest=$2; shift 2; openssl dgst "-$digest" -binary -sign "$key" "$@"; }

# signing_input HEADER_JSON CLAIMS_JSON -> b64url(header).b64url(claims)
signing_input() { printf '%s.%s' "$(printf '%s' "$1" | b64url)" "$(printf '%s' "$2" | b64url)"; }

# make_token HEADER_JSON CLAIMS_JSON [KEY] [DIGEST] -> compact JWS (no newline)
make_token() {
    local si; si=$(signing_input "$1" "$2")
    printf '%s.%s' "$si" "$(printf '%s' "$si" | sign "${3:-server.key}" "${4:-sha256}" | b64url)"
}

# put NAME TOKEN: tokens/NAME.jwt holds the token followed by one "\n".
# A failing step inside "$(...)" used as an argument does not stop `set -e`; it leaves an empty
# segment instead, so refuse those (only alg-none and sig-empty end in "." on purpose).
put() {
    local t=$2
    case "$1" in alg-none|sig-empty) t=${t%.}x ;; esac
    [[ -n "$t" && "$t" != .* && "$t" != *. && "$t" != *..* ]] || die "tokens/$1.jwt: empty segment (a step failed)"
    printf '%s\n' "$2" > "tokens/$1.jwt"
}

# tok NAME HEADER_JSON CLAIMS_JSON [KEY] [DIGEST]: the common case
tok() { put "$1" "$(make_token "${@:2}")"; }

# mk_cert KEY SUBJECT NOT_BEFORE NOT_AFTER SERIAL OUT [MD] [EXTRA_EXTENSION_CONFIG]
# A self-signed certificate with explicit validity dates. OpenSSL 3.0's `req -x509`/`x509` only
# take -days, so use `openssl ca -selfsign` with a throw-away CA folder (kept in $SCRATCH).
mk_cert() {
    local key=$1 subj=$2 nb=$3 na=$4 serial=$5 out=$6 md=${7:-sha256} extra=${8:-}
    local d; d=$(mktemp -d "$SCRATCH/ca.XXXXXX")
    touch "$d/index.txt"
    echo "$serial" > "$d/serial"
    cat > "$d/ca.cnf" <<EOF
[ca]
default_ca = CA_default
[CA_default]
dir             = $d
database        = \$dir/index.txt
new_certs_dir   = \$dir
serial          = \$dir/serial
default_md      = $md
policy          = policy_any
x509_extensions = v3
copy_extensions = none
unique_subject  = no
email_in_dn     = no
[policy_any]
commonName       = supplied
organizationName = optional
[req]
distinguished_name = req_dn
[req_dn]
[v3]
basicConstraints     = critical, CA:FALSE
keyUsage             = critical, digitalSignature
subjectKeyIdentifier = hash
$extra
EOF
    openssl req -config "$d/ca.cnf" -new -key "$key" -subj "$subj" -out "$d/req.csr"
    openssl ca -config "$d/ca.cnf" -selfsign -keyfile "$key" -in "$d/req.csr" \
        -startdate "$nb" -enddate "$na" -batch -notext -preserveDN -out "$d/cert.pem" \
        2>"$d/ca.log" || { cat "$d/ca.log" >&2; die "openssl ca failed for $out"; }
    openssl x509 -in "$d/cert.pem" -out "$out"   # plain PEM, nothing else in the file
}

SERVER_SUBJ='/CN=jwt-preflight-test/O=Example'
NB=20260101000000Z   # notBefore of the normal certificates
NA=20360101000000Z   # notAfter  of the normal certificates

# =============================================================================================
# Keys
# =============================================================================================
printf '%s' "$PASS" > passphrase.txt

genrsa() { openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$1" -out "$2"; }
genrsa 2048 server.key       # PKCS#8 PEM ("BEGIN PRIVATE KEY")
genrsa 2048 other.key
genrsa 1024 small.key
genrsa 4096 rsa4096.key
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out ec.key
openssl genpkey -quiet -algorithm ED25519 -out ed25519.key
openssl genpkey -quiet -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$SCRATCH/dsa.params"
openssl genpkey -quiet -paramfile "$SCRATCH/dsa.params" -out dsa.key

# Other encodings of server.key
openssl rsa  -in server.key -traditional -out server.pkcs1.key 2>/dev/null        # BEGIN RSA PRIVATE KEY
# (not `pkey -outform DER`: OpenSSL 3.0 writes RSA keys in DER as PKCS#1 that way)
openssl pkcs8 -topk8 -nocrypt -in server.key -outform DER -out server.pkcs8.der
openssl rsa  -in server.key -traditional -outform DER -out server.pkcs1.der 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc  -in server.key -passout "pass:$PASS" -out server.enc.key
openssl pkcs8 -topk8 -scrypt          -in server.key -passout "pass:$PASS" -out server.scrypt.key
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in server.key -passout "pass:$PASS" -out server.pbe-3des.key
# legacy "Proc-Type: 4,ENCRYPTED / DEK-Info: AES-128-CBC,..." PEM
openssl rsa -in server.key -aes128 -traditional -passout "pass:$PASS" -out server.legacy-dek.key 2>/dev/null

# server.key as CI secrets mangle it. Every "\n" of the file is replaced, the final one too,
# exactly as `tr '\n' ' '` or a JSON-escaping secret store would do.
py '
pem = open("server.key").read()
open("server.oneline.key",  "w").write(pem.replace("\n", " "))
open("server.nobreaks.key", "w").write(pem.replace("\n", ""))
esc = pem.replace("\n", "\\n")
open("server.escaped.key",  "w").write(esc)
open("server.quoted.key",   "w").write("\"" + esc + "\"")
'

# =============================================================================================
# Certificates (all self-signed; serial numbers fixed so reruns differ only in key material)
# =============================================================================================
mk_cert server.key  "$SERVER_SUBJ"       $NB $NA 1001 server.crt
mk_cert other.key   '/CN=other/O=Example'   $NB $NA 1002 other.crt
mk_cert small.key   '/CN=small/O=Example'   $NB $NA 1003 small.crt
mk_cert rsa4096.key '/CN=rsa4096/O=Example' $NB $NA 1004 rsa4096.crt
mk_cert ec.key      '/CN=ec-p256/O=Example' $NB $NA 1005 ec.crt
# server.key with other validity windows / signature hash
mk_cert server.key "$SERVER_SUBJ" 20240101000000Z 20250101000000Z 1006 expired.crt
mk_cert server.key "$SERVER_SUBJ" 20300101000000Z 20310101000000Z 1007 notyet.crt
mk_cert server.key "$SERVER_SUBJ" $NB 20260611120000Z           1008 expiring.crt   # NOW + 10 days
mk_cert server.key "$SERVER_SUBJ" $NB $NA 1009 sha1.crt sha1
# big.crt: 80 subjectAltName DNS entries make the PEM > 4096 bytes while the DER stays < 4096
SAN="subjectAltName = @alt_names"$'\n''[alt_names]'
for i in $(seq 1 80); do SAN+=$'\n'"$(printf 'DNS.%d = san-%03d.jwt-preflight.example.com' "$i" "$i")"; done
mk_cert server.key "$SERVER_SUBJ" $NB $NA 100A big.crt sha256 "$SAN"
big_pem=$(wc -c < big.crt); big_der=$(openssl x509 -in big.crt -outform DER | wc -c)
[ "$big_pem" -gt 4096 ] && [ "$big_der" -lt 4096 ] || die "big.crt sizes off: PEM $big_pem, DER $big_der"

openssl x509 -in server.crt -outform DER -out server.der.crt
# CRLF line ends, with `openssl x509 -text` output before the PEM block
openssl x509 -in server.crt -text | py 'sys.stdout.buffer.write(sys.stdin.buffer.read().replace(b"\n", b"\r\n"))' > server.crlf.crt
cat server.crt other.crt > chain.crt

# =============================================================================================
# PKCS#12
# =============================================================================================
openssl pkcs12 -export -inkey server.key -in server.crt -name jwt-preflight-test \
    -passout "pass:$PASS" -out server.p12                 # OpenSSL 3 defaults: PBES2/AES-256-CBC, HMAC-SHA256
openssl pkcs12 -export -legacy -inkey server.key -in server.crt -name jwt-preflight-test \
    -passout "pass:$PASS" -out server.legacy.p12          # RC2-40 (certs) + 3DES (key), HMAC-SHA1
keytool -importkeystore -noprompt \
    -srckeystore server.p12 -srcstoretype PKCS12 -srcstorepass "$PASS" \
    -destkeystore server.keytool.p12 -deststoretype PKCS12 -deststorepass "$PASS" -destkeypass "$PASS" \
    >"$SCRATCH/keytool.log" 2>&1 || { cat "$SCRATCH/keytool.log" >&2; die "keytool failed"; }

# =============================================================================================
# Bad inputs
# =============================================================================================
: > empty.key
openssl rand -out garbage.bin 4096
head -c 300 server.der.crt > truncated.der
printf 'This file is neither a key nor a certificate, just a short English sentence.\n' > text.txt

# =============================================================================================
# Tokens
# =============================================================================================
GOOD_CLAIMS=$(claims '')
GOOD=$(make_token "$H_RS256" "$GOOD_CLAIMS")
GOOD_SI=${GOOD%.*}          # header.claims
GOOD_H=${GOOD_SI%%.*}       # header segment
GOOD_C=${GOOD_SI#*.}        # claims segment
GOOD_S=${GOOD##*.}          # signature segment
put good "$GOOD"

# --- structure (PF1xx) ---
put two-segments "$GOOD_SI"
# JWE-shaped: protected header . encrypted key . IV . ciphertext . tag; the last four are fixed
# pseudo-random bytes of the right sizes (a real JWE needs AES-GCM, which the openssl CLI lacks).
put five-segments "$(py '
h = b64u(dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
parts = [b64u(stream("jwe-" + n, size)) for n, size in (("cek", 256), ("iv", 12), ("ct", 130), ("tag", 16))]
out(".".join([h] + parts))')"
# padded.jwt: the standard claims are 130 bytes (130 % 3 == 1), so their base64url needs "==".
# The signature covers the padded text, so the padding is the only fault.
PADDED_SI="$GOOD_H.$(printf '%s' "$GOOD_CLAIMS" | b64url_padded)"
[[ "$PADDED_SI" == *= ]] || die "padded.jwt: claims segment has no padding"
put padded "$PADDED_SI.$(printf '%s' "$PADDED_SI" | sign server.key sha256 | b64url)"
# stdbase64.jwt: the filler claim note="????" makes the claims 144 bytes (no padding needed) and
# puts '/' into their standard base64; the signature covers that exact text.
STD_CLAIMS=$(claims 'c["note"] = "????"')
STD_SI="$GOOD_H.$(printf '%s' "$STD_CLAIMS" | b64std)"
[[ "$STD_SI" == */* || "$STD_SI" == *+* ]] && [[ "$STD_SI" != *= ]] || die "stdbase64.jwt: bad filler"
put stdbase64 "$STD_SI.$(printf '%s' "$STD_SI" | sign server.key sha256 | b64url)"
tok header-not-json 'not json'  "$GOOD_CLAIMS"
tok claims-array    "$H_RS256"  '["a","b"]'
tok dup-member      "$H_RS256"  "${GOOD_CLAIMS%\}},\"sub\":\"admin@example.com\"}"
head -c 1000 /dev/zero > tokens/nul.jwt        # 1000 NUL bytes, no newline

# --- header (PF2xx) ---
tok alg-missing '{"typ":"JWT"}'                 "$GOOD_CLAIMS"
tok alg-rs512   '{"alg":"RS512","typ":"JWT"}'   "$GOOD_CLAIMS" server.key sha512
PS_SI=$(signing_input '{"alg":"PS256","typ":"JWT"}' "$GOOD_CLAIMS")
PSS_OPTS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32)   # MGF1 defaults to SHA-256
put alg-ps256 "$PS_SI.$(printf '%s' "$PS_SI" | sign server.key sha256 "${PSS_OPTS[@]}" | b64url)"
put alg-none  "$(signing_input '{"alg":"none"}' "$GOOD_CLAIMS")."
HS_SI=$(signing_input '{"alg":"HS256","typ":"JWT"}' "$GOOD_CLAIMS")
put alg-hs256 "$HS_SI.$(printf '%s' "$HS_SI" | openssl dgst -sha256 -hmac secret -binary | b64url)"
tok header-kid  '{"alg":"RS256","typ":"JWT","kid":"k1"}'       "$GOOD_CLAIMS"
tok header-crit '{"alg":"RS256","typ":"JWT","crit":["exp"]}'   "$GOOD_CLAIMS"

# --- issuer (PF30x) ---
tok iss-missing "$H_RS256" "$(claims 'del c["iss"]')"
tok iss-orgid   "$H_RS256" "$(claims 'c["iss"] = "00D5g000004ABCDEAY"')"
tok iss-other   "$H_RS256" "$(claims 'c["iss"] = "3MVG9someOtherConsumerKey"')"

# --- subject (PF31x) ---
tok sub-missing  "$H_RS256" "$(claims 'del c["sub"]')"
tok sub-prn      "$H_RS256" "$(claims 'del c["sub"]; c["prn"] = "ci@example.com"')"
tok sub-prn-wins "$H_RS256" "$(claims 'c["prn"] = "other@example.com"')"
tok sub-userid   "$H_RS256" "$(claims 'c["sub"] = "0055g00000AbCdEAAV"')"
tok sub-escaped  "$H_RS256" "$(claims 'c["sub"] = "ci%40example.com"')"
tok sub-html     "$H_RS256" "$(claims 'c["sub"] = "ci&#64;example.com"')"
tok sub-other    "$H_RS256" "$(claims 'c["sub"] = "someone@example.com"')"

# --- audience (PF32x) ---
tok aud-missing "$H_RS256" "$(claims 'del c["aud"]')"
tok aud-array   "$H_RS256" "$(claims 'c["aud"] = [AUD]')"
aud() { tok "$1" "$H_RS256" "$(claims "c[\"aud\"] = \"$2\"")"; }
aud aud-bare-host          'login.salesforce.com'
aud aud-http               'http://login.salesforce.com'
aud aud-lightning          'https://acme.lightning.force.com'
aud aud-path               'https://login.salesforce.com/services/oauth2/token'
aud aud-test               'https://test.salesforce.com'
aud aud-trailing-slash     'https://login.salesforce.com/'
aud aud-mydomain           'https://acme.my.salesforce.com'
aud aud-sandbox-mydomain   'https://acme--uat.sandbox.my.salesforce.com'
aud aud-other-host         'https://example.com'

# --- time (PF33x, PF34x) ---
tok exp-missing  "$H_RS256" "$(claims 'del c["exp"]')"
tok exp-string   "$H_RS256" "$(claims 'c["exp"] = str(NOW + 120)')"
tok exp-fraction "$H_RS256" "$(claims 'c["exp"] = NOW + 120.5')"
tok exp-text     "$H_RS256" "$(claims 'c["exp"] = "tomorrow"')"
tok exp-ms       "$H_RS256" "$(claims 'c["exp"] = (NOW + 120) * 1000')"
tok exp-passed   "$H_RS256" "$(claims 'c["exp"] = NOW - 42')"
tok exp-far      "$H_RS256" "$(claims 'c["exp"] = NOW + 600')"
tok exp-tight    "$H_RS256" "$(claims 'c["exp"] = NOW + 10')"
tok nbf-future   "$H_RS256" "$(claims 'c["nbf"] = NOW + 300')"
tok iat-future   "$H_RS256" "$(claims 'c["iat"] = NOW + 300')"
tok jti          "$H_RS256" "$(claims 'c["jti"] = "0f8c2b1e-6d3a-4c5f-9b7e-2a1d4e6f8c90"')"

# --- signature forensics (PF4xx) ---
# sig_over BYTES_ON_STDIN -> b64url signature with server.key/SHA-256 over whatever is piped in
sig_over() { sign server.key sha256 | b64url; }
tok sig-other-key     "$H_RS256" "$GOOD_CLAIMS" other.key sha256
tok sig-hash-mismatch "$H_RS256" "$GOOD_CLAIMS" server.key sha512
tok sig-4096          "$H_RS256" "$GOOD_CLAIMS" rsa4096.key sha256
put sig-altered "$GOOD_H.$(claims 'c["sub"] = "admin@example.com"' | b64url).$GOOD_S"
put sig-padded-input "$GOOD_SI.$(printf '%s' "$PADDED_SI" | sig_over)"
# standard-base64 input: filler note="???" gives 143 bytes, so the standard form has both '/'
# and '=' padding while the presented base64url form has '_' and no padding.
SB_CLAIMS=$(claims 'c["note"] = "???"')
SB_STD_SI="$(printf '%s' "$H_RS256" | b64std).$(printf '%s' "$SB_CLAIMS" | b64std)"
SB_URL_SI=$(signing_input "$H_RS256" "$SB_CLAIMS")
[[ "$SB_STD_SI" == */* && "$SB_STD_SI" == *= && "$SB_URL_SI" == *_* ]] || die "sig-stdbase64-input: bad filler"
put sig-stdbase64-input "$SB_URL_SI.$(printf '%s' "$SB_STD_SI" | sig_over)"
put sig-newline     "$GOOD_SI.$(printf '%s\n'   "$GOOD_SI" | sig_over)"
put sig-crlf        "$GOOD_SI.$(printf '%s\r\n' "$GOOD_SI" | sig_over)"
put sig-claims-only "$GOOD_SI.$(printf '%s'     "$GOOD_C"  | sig_over)"
put sig-json        "$GOOD_SI.$(printf '%s.%s'  "$H_RS256" "$GOOD_CLAIMS" | sig_over)"
put sig-truncated     "$GOOD_SI.$(py 'out(b64u(b64u_dec(sys.argv[1])[:-1]))'      "$GOOD_S")"
put sig-leading-zero  "$GOOD_SI.$(py 'out(b64u(b"\x00" + b64u_dec(sys.argv[1])))' "$GOOD_S")"
put sig-empty "$GOOD_SI."
put sig-pss "$GOOD_SI.$(printf '%s' "$GOOD_SI" | sign server.key sha256 "${PSS_OPTS[@]}" | b64url)"

# Crafted PKCS#1 v1.5 blocks (RFC 8017 9.2: EM = 00 01 FF..FF 00 DigestInfo), each turned into a
# "signature" with the raw RSA private operation (no padding added by openssl). H is SHA-256 of
# the good signing input. `block baseline` is the correct encoding and must reproduce good.jwt's
# signature byte for byte: that proves the construction before the broken variants are trusted.
block() { py '
variant, si = sys.argv[1], sys.argv[2].encode()
K = 256                                                     # modulus length of server.key
H = hashlib.sha256(si).digest()
DI = bytes.fromhex("3031300d060960864801650304020105000420") + H        # 51 bytes
def pkcs1(t, ff=None):                                      # 00 01 FF.. 00 t, K bytes total
    ff = K - 3 - len(t) if ff is None else ff
    return b"\x00\x01" + b"\xff" * ff + b"\x00" + t
if variant == "baseline":
    em = pkcs1(DI)
elif variant == "missing-null":                             # AlgorithmIdentifier without NULL
    em = pkcs1(bytes.fromhex("302f300b0609608648016503040201" "0420") + H)
elif variant == "zero-in-padding":                          # padding byte at offset 102 -> 00
    em = bytearray(pkcs1(DI)); em[102] = 0; em = bytes(em)
elif variant == "short-padding":                            # 7 FF, separator, 195 x AA, DI
    em = b"\x00\x01" + b"\xff" * 7 + b"\x00" + b"\xaa" * (K - 10 - len(DI)) + DI
elif variant == "blocktype2":                               # encryption-style block, type 02
    ps = bytes(b for b in stream("blocktype2-padding", 400) if b != 0)[:K - 3 - len(DI)]
    em = b"\x00\x02" + ps + b"\x00" + DI
elif variant == "trailing-data":                            # DI then 4 extra bytes
    em = pkcs1(DI + bytes.fromhex("deadbeef"))
elif variant == "ber-length":                               # SEQUENCE length 81 31 (long form)
    em = pkcs1(bytes.fromhex("308131") + DI[2:])
else:
    raise SystemExit("unknown variant " + variant)
assert len(em) == K, (variant, len(em))
outb(em)' "$1" "$GOOD_SI"; }
# raw_sign BLOCK_FILE: m^d mod n with no padding added. OpenSSL 3.0.19's `pkeyutl -sign` refuses
# inputs longer than a digest ("The input data looks too long to be a hash") even with
# rsa_padding_mode:none, so use the identical raw private-key operation of `pkeyutl -decrypt`
# (same bytes as the deprecated `rsautl -sign -raw`; the baseline check below proves it).
raw_sign() { openssl pkeyutl -decrypt -inkey server.key -pkeyopt rsa_padding_mode:none -in "$1"; }

block baseline > "$SCRATCH/baseline.bin"
[ "$(raw_sign "$SCRATCH/baseline.bin" | b64url)" = "$GOOD_S" ] \
    || die "crafted baseline block does not reproduce the good signature"
for v in missing-null zero-in-padding short-padding blocktype2 trailing-data ber-length; do
    block "$v" > "$SCRATCH/$v.bin"
    put "sig-$v" "$GOOD_SI.$(raw_sign "$SCRATCH/$v.bin" | b64url)"
done

# =============================================================================================
# PF504: a key whose parts disagree, as a corrupted file has them. Flip one bit of the private
# exponent d (the 4th INTEGER of RSAPrivateKey) in a copy of server.key; the DER stays valid.
# =============================================================================================
py '
der = bytearray(open("server.pkcs1.der", "rb").read())
def header(i):
    tag, first = der[i], der[i + 1]
    if first < 0x80:
        return tag, first, i + 2
    n = first & 0x7F
    return tag, int.from_bytes(der[i + 2:i + 2 + n], "big"), i + 2 + n
_, _, pos = header(0)                      # outer SEQUENCE
for _ in range(3):                         # skip version, n, e
    _, length, start = header(pos)
    pos = start + length
tag, length, start = header(pos)           # d
assert tag == 0x02
der[start + length - 1] ^= 0x01
body = base64.b64encode(bytes(der)).decode()
pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END RSA PRIVATE KEY-----\n"
open("server.corrupt.key", "w").write(pem)
'

# =============================================================================================
# Install: replace tokens/ and every top-level file generated above
# =============================================================================================
# server.key must be 0600 (PF505 is about that); the other secret-bearing files follow suit.
# Git keeps only the executable bit, so a fresh checkout gets the umask's mode instead.
chmod 600 ./*.key server.pkcs8.der server.pkcs1.der ./*.p12 passphrase.txt
NFILES=$(find . -type f | wc -l)
rm -rf "$HERE/tokens"
for f in *; do rm -rf "${HERE:?}/$f"; done
cp -a "$OUT"/. "$HERE"/
cd "$HERE"
echo "gen.sh: wrote $NFILES files ($(ls tokens | wc -l) of them in tokens/)"

"$HERE/verify.sh"
