#!/usr/bin/env bash
# Checks that every fixture is what README.md says it is, using only openssl, keytool and
# python3's standard library (never jwt-preflight itself). gen.sh runs it after generating;
# it can also be run on its own, from anywhere. Prints one line per failed check and exits 1
# if any failed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
T="$(mktemp -d "${TMPDIR:-/tmp}/jwt-preflight-verify.XXXXXX")"
trap 'rm -rf "$T"' EXIT
PASSIN="file:$HERE/passphrase.txt"
FAILS=0; CHECKS=0

ok()   { CHECKS=$((CHECKS + 1)); }
bad()  { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
# expect DESCRIPTION COMMAND...: the command must succeed
expect()     { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok; else bad "$d"; fi; }
# expect_not DESCRIPTION COMMAND...: the command must fail
expect_not() { local d=$1; shift; if "$@" >/dev/null 2>&1; then bad "$d"; else ok; fi; }
# same DESCRIPTION A B: two strings must be equal
same() { if [ "$2" = "$3" ]; then ok; else bad "$1: '$2' != '$3'"; fi; }

[ "$(cat passphrase.txt)" = "preflight-test-pass" ] && [ "$(wc -c < passphrase.txt)" -eq 19 ] \
    && ok || bad "passphrase.txt"

# ------------------------------------------------------------------------ keys
modulus() { openssl rsa -noout -modulus "$@" 2>/dev/null; }
SERVER_N=$(modulus -in server.key)
[ -n "$SERVER_N" ] && ok || bad "server.key unreadable"
first() { head -1 "$1" | tr -d '\r'; }
same "server.key is PKCS#8"      "$(first server.key)"        "-----BEGIN PRIVATE KEY-----"
same "server.pkcs1.key is PKCS#1" "$(first server.pkcs1.key)" "-----BEGIN RSA PRIVATE KEY-----"
same "server.pkcs1.key modulus"  "$(modulus -in server.pkcs1.key)"             "$SERVER_N"
same "server.pkcs8.der modulus"  "$(modulus -inform DER -in server.pkcs8.der)" "$SERVER_N"
same "server.pkcs1.der modulus"  "$(modulus -inform DER -in server.pkcs1.der)" "$SERVER_N"
# DER structure: PKCS#8 has version INTEGER then an AlgorithmIdentifier SEQUENCE; PKCS#1 has 9 INTEGERs
expect "server.pkcs8.der is PKCS#8" sh -c "openssl asn1parse -inform DER -in server.pkcs8.der | grep -q rsaEncryption"
expect_not "server.pkcs1.der is PKCS#1" sh -c "openssl asn1parse -inform DER -in server.pkcs1.der | grep -q rsaEncryption"
for f in server.enc.key server.scrypt.key server.pbe-3des.key server.legacy-dek.key; do
    same "$f decrypts to server.key" "$(modulus -in "$f" -passin "$PASSIN")" "$SERVER_N"
    expect_not "$f rejects a wrong passphrase" openssl rsa -noout -in "$f" -passin pass:wrong
done
# the encryption schemes, read from the ASN.1
alg_of() { openssl asn1parse -in "$1" 2>/dev/null | grep -o -E 'OBJECT +:[^ ]+' | sed 's/.*://' | tr '\n' ' '; }
same "server.enc.key scheme"      "$(alg_of server.enc.key)"      "PBES2 PBKDF2 hmacWithSHA256 aes-256-cbc "
same "server.scrypt.key scheme"   "$(alg_of server.scrypt.key)"   "PBES2 scrypt aes-256-cbc "
same "server.pbe-3des.key scheme" "$(alg_of server.pbe-3des.key)" "pbeWithSHA1And3-KeyTripleDES-CBC "
expect "server.legacy-dek.key has DEK-Info" grep -q -E '^DEK-Info: AES-128-CBC,[0-9A-F]{32}$' server.legacy-dek.key
expect "server.legacy-dek.key has Proc-Type" grep -q '^Proc-Type: 4,ENCRYPTED$' server.legacy-dek.key

bits() { openssl pkey -in "$1" -noout -text 2>/dev/null | head -1; }
same "server.key size"  "$(bits server.key)"  "Private-Key: (2048 bit, 2 primes)"
same "other.key size"   "$(bits other.key)"   "Private-Key: (2048 bit, 2 primes)"
same "small.key size"   "$(bits small.key)"   "Private-Key: (1024 bit, 2 primes)"
same "rsa4096.key size" "$(bits rsa4096.key)" "Private-Key: (4096 bit, 2 primes)"
same "ec.key type"      "$(bits ec.key)"      "Private-Key: (256 bit)"
expect "ec.key is P-256" sh -c "openssl pkey -in ec.key -noout -text | grep -q 'NIST CURVE: P-256'"
same "ed25519.key type" "$(bits ed25519.key)" "ED25519 Private-Key:"
same "dsa.key type"     "$(bits dsa.key)"     "Private-Key: (2048 bit)"
expect "dsa.key is DSA" sh -c "openssl asn1parse -in dsa.key | grep -q dsaEncryption"
for f in other.key small.key rsa4096.key ec.key ed25519.key dsa.key; do
    same "$f is PKCS#8 PEM" "$(first "$f")" "-----BEGIN PRIVATE KEY-----"
done
expect_not "other.key differs from server.key" [ "$(modulus -in other.key)" = "$SERVER_N" ]

# mangled keys: openssl cannot read them, and undoing the mangling gives server.key back
for f in server.oneline.key server.nobreaks.key server.escaped.key server.quoted.key; do
    expect_not "$f is unreadable as it stands" openssl pkey -in "$f" -noout
    [ "$(wc -l < "$f")" -eq 0 ] && ok || bad "$f has a newline"
done
expect "mangled keys unmangle to server.key" python3 -c '
k = open("server.key").read()
assert open("server.oneline.key").read() == k.replace("\n", " ")
assert open("server.nobreaks.key").read() == k.replace("\n", "")
assert open("server.escaped.key").read() == k.replace("\n", "\\n")
assert open("server.quoted.key").read() == "\"" + k.replace("\n", "\\n") + "\""
'

# ------------------------------------------------------------------------ certificates
# check_cert FILE KEY SUBJECT NOT_BEFORE NOT_AFTER SIGALG
check_cert() {
    local f=$1 key=$2 subj=$3 nb=$4 na=$5 sigalg=$6
    same "$f subject"    "$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253)" "subject=$subj"
    same "$f issuer"     "$(openssl x509 -in "$f" -noout -issuer  -nameopt RFC2253)" "issuer=$subj"
    same "$f notBefore"  "$(openssl x509 -in "$f" -noout -startdate)" "notBefore=$nb"
    same "$f notAfter"   "$(openssl x509 -in "$f" -noout -enddate)"   "notAfter=$na"
    same "$f signature"  "$(openssl x509 -in "$f" -noout -text | grep -m1 'Signature Algorithm' | sed 's/.*: //')" "$sigalg"
    same "$f key = $key" "$(openssl x509 -in "$f" -noout -pubkey | sha256sum)" "$(openssl pkey -in "$key" -pubout | sha256sum)"
    expect "$f keyUsage digitalSignature" sh -c "openssl x509 -in '$f' -noout -ext keyUsage | grep -q 'Digital Signature'"
    # self-signature: verify the TBSCertificate bytes against the certificate's own key
    openssl x509 -in "$f" -outform DER -out "$T/c.der"
    openssl x509 -in "$f" -noout -pubkey > "$T/c.pub"
    python3 - "$T/c.der" "$T" <<'EOF'
import sys
der = open(sys.argv[1], "rb").read()
def tlv(b, i):                       # -> (start of value, end of element)
    n = b[i + 1]; i += 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[i:i + k], "big"); i += k
    return i, i + n
v, _ = tlv(der, 0)                   # Certificate SEQUENCE
_, tbs_end = tlv(der, v)             # tbsCertificate
_, alg_end = tlv(der, tbs_end)       # signatureAlgorithm
sv, se = tlv(der, alg_end)           # signatureValue BIT STRING (first byte: unused bits = 0)
open(sys.argv[2] + "/tbs", "wb").write(der[v:tbs_end])
open(sys.argv[2] + "/sig", "wb").write(der[sv + 1:se])
EOF
    local md=sha256; [[ "$sigalg" == sha1* ]] && md=sha1
    expect "$f self-signature verifies" openssl dgst "-$md" -verify "$T/c.pub" -signature "$T/sig" "$T/tbs"
}
S='O=Example,CN=jwt-preflight-test'   # RFC 2253 order: last RDN first
D1='Jan  1 00:00:00 2026 GMT'; D2='Jan  1 00:00:00 2036 GMT'
check_cert server.crt   server.key  "$S"                  "$D1" "$D2" sha256WithRSAEncryption
check_cert other.crt    other.key   'O=Example,CN=other'  "$D1" "$D2" sha256WithRSAEncryption
check_cert small.crt    small.key   'O=Example,CN=small'  "$D1" "$D2" sha256WithRSAEncryption
check_cert rsa4096.crt  rsa4096.key 'O=Example,CN=rsa4096' "$D1" "$D2" sha256WithRSAEncryption
check_cert ec.crt       ec.key      'O=Example,CN=ec-p256' "$D1" "$D2" ecdsa-with-SHA256
check_cert expired.crt  server.key  "$S" 'Jan  1 00:00:00 2024 GMT' 'Jan  1 00:00:00 2025 GMT' sha256WithRSAEncryption
check_cert notyet.crt   server.key  "$S" 'Jan  1 00:00:00 2030 GMT' 'Jan  1 00:00:00 2031 GMT' sha256WithRSAEncryption
check_cert expiring.crt server.key  "$S" "$D1" 'Jun 11 12:00:00 2026 GMT' sha256WithRSAEncryption
check_cert sha1.crt     server.key  "$S" "$D1" "$D2" sha1WithRSAEncryption
check_cert big.crt      server.key  "$S" "$D1" "$D2" sha256WithRSAEncryption
# the expiring window, relative to NOW = 1780315200
same "expiring.crt = NOW + 10 days" "$(python3 -c 'import calendar,time; print(calendar.timegm(time.strptime("2026-06-11 12:00:00","%Y-%m-%d %H:%M:%S")) - 1780315200)')" 864000
BIG_PEM=$(wc -c < big.crt); BIG_DER=$(openssl x509 -in big.crt -outform DER | wc -c)
[ "$BIG_PEM" -gt 4096 ] && [ "$BIG_DER" -lt 4096 ] && ok || bad "big.crt: PEM $BIG_PEM, DER $BIG_DER"
[ "$(wc -c < server.crt)" -lt 4096 ] && ok || bad "server.crt over 4096 bytes"
same "server.der.crt = DER of server.crt" "$(openssl x509 -in server.crt -outform DER | sha256sum)" "$(sha256sum < server.der.crt)"
expect "server.der.crt parses as DER" openssl x509 -inform DER -in server.der.crt -noout
# CRLF copy: every line ends in CRLF, text precedes the block, the block is server.crt's
expect "server.crlf.crt: CRLF only" python3 -c '
b = open("server.crlf.crt", "rb").read()
assert b.count(b"\r\n") == b.count(b"\n") > 0
i = b.index(b"-----BEGIN CERTIFICATE-----")
assert i > 0 and b"Certificate:" in b[:i]
assert b[i:].replace(b"\r\n", b"\n") == open("server.crt", "rb").read()'
same "chain.crt = server.crt + other.crt" "$(sha256sum < chain.crt)" "$(cat server.crt other.crt | sha256sum)"
same "chain.crt has two blocks" "$(grep -c 'BEGIN CERTIFICATE' chain.crt)" 2

# ------------------------------------------------------------------------ PKCS#12
openssl x509 -in server.crt -outform DER | sha256sum > "$T/crt.sum"
for f in server.p12 server.legacy.p12 server.keytool.p12; do
    legacy=(); [ "$f" = server.legacy.p12 ] && legacy=(-legacy)
    openssl pkcs12 "${legacy[@]}" -in "$f" -passin "$PASSIN" -nodes -out "$T/p12.pem" 2>/dev/null \
        && ok || bad "$f does not open with the passphrase"
    same "$f key = server.key"  "$(modulus -in "$T/p12.pem")" "$SERVER_N"
    same "$f cert = server.crt" "$(openssl x509 -in "$T/p12.pem" -outform DER | sha256sum)" "$(cat "$T/crt.sum")"
    expect_not "$f rejects a wrong passphrase" openssl pkcs12 "${legacy[@]}" -in "$f" -passin pass:wrong -nodes -noout
    expect "$f opens with keytool" keytool -list -keystore "$f" -storetype PKCS12 -storepass "$(cat passphrase.txt)"
done
expect "server.p12: PBES2/AES-256-CBC, MAC sha256" sh -c "openssl pkcs12 -in server.p12 -passin '$PASSIN' -info -noout 2>&1 | grep -q 'MAC: sha256' && openssl pkcs12 -in server.p12 -passin '$PASSIN' -info -noout 2>&1 | grep -q 'AES-256-CBC'"
expect "server.legacy.p12: RC2 + 3DES, MAC sha1" sh -c "openssl pkcs12 -legacy -in server.legacy.p12 -passin '$PASSIN' -info -noout 2>&1 | grep -q 'pbeWithSHA1And40BitRC2-CBC' && openssl pkcs12 -legacy -in server.legacy.p12 -passin '$PASSIN' -info -noout 2>&1 | grep -q 'pbeWithSHA1And3-KeyTripleDES-CBC' && openssl pkcs12 -legacy -in server.legacy.p12 -passin '$PASSIN' -info -noout 2>&1 | grep -q 'MAC: sha1'"
expect_not "server.legacy.p12 needs -legacy in OpenSSL 3" openssl pkcs12 -in server.legacy.p12 -passin "$PASSIN" -nodes -noout

# ------------------------------------------------------------------------ bad inputs
same "empty.key size"     "$(wc -c < empty.key)"     0
same "garbage.bin size"   "$(wc -c < garbage.bin)"   4096
same "truncated.der size" "$(wc -c < truncated.der)" 300
same "truncated.der is a prefix of server.der.crt" "$(sha256sum < truncated.der)" "$(head -c 300 server.der.crt | sha256sum)"
expect_not "truncated.der does not parse" openssl x509 -inform DER -in truncated.der -noout
expect "text.txt is one line of text" grep -q -x '[A-Za-z ,.]*' text.txt

# ------------------------------------------------------------------------ tokens
openssl x509 -in server.crt  -noout -pubkey > "$T/server.pub"
openssl x509 -in other.crt   -noout -pubkey > "$T/other.pub"
openssl x509 -in rsa4096.crt -noout -pubkey > "$T/rsa4096.pub"
PSS=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32)

# sig_check TOKEN PUB DIGEST INPUT [openssl options]: does the token's signature segment verify
# over INPUT (a variant of the signing input, derived from the token as presented)?
#   as-is   the header.claims text exactly as presented
#   padded  both segments re-encoded as base64url WITH padding
#   std     both segments re-encoded as standard base64 (+ / =)
#   nl, crlf  the presented text + "\n" / "\r\n"
#   claims  the claims segment alone
#   json    decoded header JSON + "." + decoded claims JSON
#   good    good.jwt's signing input (for sig-altered)
sig_check() {
    local tok=$1 pub=$2 dg=$3 input=$4; shift 4
    python3 - "tokens/$tok.jwt" "$input" "$T" <<'EOF' || return 2
import base64, sys
tok, variant, t = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(tok, "rb").read().decode().rstrip("\n")
h, c, s = text.split(".")
def dec(x): return base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
def url(b): return base64.urlsafe_b64encode(b).decode()
def std(b): return base64.b64encode(b).decode()
si = {
    "as-is":  f"{h}.{c}",
    "padded": f"{url(dec(h))}.{url(dec(c))}",
    "std":    f"{std(dec(h))}.{std(dec(c))}",
    "nl":     f"{h}.{c}\n",
    "crlf":   f"{h}.{c}\r\n",
    "claims": c,
    "json":   f"{dec(h).decode()}.{dec(c).decode()}",
    "good":   open("tokens/good.jwt").read().rstrip("\n").rsplit(".", 1)[0],
}[variant]
open(t + "/si", "wb").write(si.encode())
open(t + "/sig", "wb").write(dec(s))
EOF
    openssl dgst "-$dg" -verify "$pub" -signature "$T/sig" "$@" "$T/si" >/dev/null 2>&1
}
# (status 2: the token could not even be taken apart, which is a failure either way)
valid()   { local rc=0; sig_check "$@" || rc=$?; [ $rc -eq 0 ] && ok || bad "token $1 should verify ($*)"; }
invalid() { local rc=0; sig_check "$@" || rc=$?; [ $rc -eq 1 ] && ok || bad "token $1 should NOT verify ($*)"; }

# Tokens that are valid RS256 signatures by server.key over exactly what they present
for name in good padded stdbase64 header-not-json claims-array dup-member alg-missing \
        header-kid header-crit iss-missing iss-orgid iss-other sub-missing sub-prn sub-prn-wins \
        sub-userid sub-escaped sub-html sub-other aud-missing aud-array aud-bare-host aud-http \
        aud-lightning aud-path aud-test aud-trailing-slash aud-mydomain aud-sandbox-mydomain \
        aud-other-host exp-missing exp-string exp-fraction exp-text exp-ms exp-passed exp-far \
        exp-tight nbf-future iat-future jti; do
    valid "$name" "$T/server.pub" sha256 as-is
done
valid alg-rs512 "$T/server.pub" sha512 as-is
valid alg-ps256 "$T/server.pub" sha256 as-is "${PSS[@]}"
invalid alg-ps256 "$T/server.pub" sha256 as-is
expect "alg-hs256 is HMAC-SHA256 with key 'secret'" python3 -c '
import base64, hashlib, hmac
h, c, s = open("tokens/alg-hs256.jwt").read().rstrip("\n").split(".")
assert base64.urlsafe_b64decode(s + "=") == hmac.new(b"secret", f"{h}.{c}".encode(), hashlib.sha256).digest()'

# Signature forensics: each must fail as RS256 over the presented input, and verify under the
# variant it was made with (which is what PF402-PF406 have to find)
for name in sig-other-key sig-hash-mismatch sig-altered sig-padded-input sig-stdbase64-input \
        sig-newline sig-crlf sig-claims-only sig-json sig-truncated sig-leading-zero sig-4096 \
        sig-pss sig-missing-null sig-zero-in-padding sig-short-padding sig-blocktype2 \
        sig-trailing-data sig-ber-length; do
    invalid "$name" "$T/server.pub" sha256 as-is
done
valid sig-other-key       "$T/other.pub"   sha256 as-is
valid sig-hash-mismatch   "$T/server.pub"  sha512 as-is
valid sig-4096            "$T/rsa4096.pub" sha256 as-is
valid sig-altered         "$T/server.pub"  sha256 good
valid sig-padded-input    "$T/server.pub"  sha256 padded
valid sig-stdbase64-input "$T/server.pub"  sha256 std
invalid sig-stdbase64-input "$T/server.pub" sha256 padded    # not merely a padding difference
valid sig-newline         "$T/server.pub"  sha256 nl
valid sig-crlf            "$T/server.pub"  sha256 crlf
valid sig-claims-only     "$T/server.pub"  sha256 claims
valid sig-json            "$T/server.pub"  sha256 json
valid sig-pss             "$T/server.pub"  sha256 as-is "${PSS[@]}"
expect "sig-altered: only sub changed" python3 -c '
import base64, json
def claims(n):
    c = open(f"tokens/{n}.jwt").read().split(".")[1]
    return json.loads(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)))
g, a = claims("good"), claims("sig-altered")
assert a["sub"] == "admin@example.com" and {**a, "sub": g["sub"]} == g'

# Byte-level shape of the presented signatures and of the raw RSA blocks behind the crafted ones
sig_bytes() { python3 -c 'import base64,sys; s=open(sys.argv[1]).read().rstrip("\n").split(".")[2]; sys.stdout.buffer.write(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))' "tokens/$1.jwt"; }
same "sig-truncated length"    "$(sig_bytes sig-truncated | wc -c)" 255
same "sig-leading-zero length" "$(sig_bytes sig-leading-zero | wc -c)" 257
same "sig-leading-zero = 00 + good" "$(sig_bytes sig-leading-zero | tail -c 256 | sha256sum)" "$(sig_bytes good | sha256sum)"
same "sig-leading-zero first byte" "$(sig_bytes sig-leading-zero | head -c 1 | od -An -tx1 | tr -d ' ')" 00
same "sig-truncated = good minus last byte" "$(sig_bytes sig-truncated | sha256sum)" "$(sig_bytes good | head -c 255 | sha256sum)"
same "sig-4096 length" "$(sig_bytes sig-4096 | wc -c)" 512
same "sig-empty signature segment" "$(tail -c 2 tokens/sig-empty.jwt | od -An -c | tr -d ' ')" '.\n'
same "alg-none ends with a dot"    "$(tail -c 2 tokens/alg-none.jwt  | od -An -c | tr -d ' ')" '.\n'
for name in sig-missing-null sig-zero-in-padding sig-short-padding sig-blocktype2 sig-trailing-data sig-ber-length good; do
    sig_bytes "$name" > "$T/$name.sig"
    openssl pkeyutl -verifyrecover -pubin -inkey "$T/server.pub" -pkeyopt rsa_padding_mode:none \
        -in "$T/$name.sig" -out "$T/$name.em" 2>/dev/null || bad "$name: raw RSA recover failed"
done
expect "crafted PKCS#1 blocks are exactly as README.md describes" python3 - "$T" <<'EOF'
import hashlib, sys
t = sys.argv[1]
em = lambda n: open(f"{t}/{n}.em", "rb").read()
si = open("tokens/good.jwt").read().rstrip("\n").rsplit(".", 1)[0].encode()
H = hashlib.sha256(si).digest()
DI = bytes.fromhex("3031300d060960864801650304020105000420") + H
FF = lambda n: b"\xff" * n
assert em("good") == b"\x00\x01" + FF(202) + b"\x00" + DI
assert em("sig-missing-null") == b"\x00\x01" + FF(204) + b"\x00" + bytes.fromhex("302f300b06096086480165030402010420") + H
z = em("sig-zero-in-padding")
assert z[:2] == b"\x00\x01" and z[2:102] == FF(100) and z[102] == 0 and z[103:204] == FF(101) and z[204:] == b"\x00" + DI
assert em("sig-short-padding") == b"\x00\x01" + FF(7) + b"\x00" + b"\xaa" * 195 + DI
b2 = em("sig-blocktype2")
assert b2[:2] == b"\x00\x02" and 0 not in b2[2:204] and b2[204:] == b"\x00" + DI
assert em("sig-trailing-data") == b"\x00\x01" + FF(198) + b"\x00" + DI + bytes.fromhex("deadbeef")
assert em("sig-ber-length") == b"\x00\x01" + FF(201) + b"\x00" + bytes.fromhex("308131") + DI[2:]
assert all(len(em(n)) == 256 for n in ("good", "sig-ber-length", "sig-blocktype2"))
EOF

# Structure checks
expect "two-segments has one dot"   python3 -c 'assert open("tokens/two-segments.jwt").read().count(".") == 1'
expect "five-segments: 5 segments, JWE header" python3 -c '
import base64, json
p = open("tokens/five-segments.jwt").read().rstrip("\n").split(".")
assert len(p) == 5 and all(p)
assert json.loads(base64.urlsafe_b64decode(p[0] + "=" * (-len(p[0]) % 4))) == {"alg": "RSA-OAEP", "enc": "A256GCM"}'
expect "padded has '=' in the claims segment only" python3 -c '
h, c, s = open("tokens/padded.jwt").read().rstrip("\n").split(".")
assert c.endswith("=") and "=" not in h + s'
expect "stdbase64 has '/' or '+' in the claims, no padding" python3 -c '
h, c, s = open("tokens/stdbase64.jwt").read().rstrip("\n").split(".")
assert ("/" in c or "+" in c) and "=" not in c and not any(x in h + s for x in "+/=")'
expect "nul.jwt is 1000 NUL bytes" python3 -c 'assert open("tokens/nul.jwt", "rb").read() == bytes(1000)'
expect "every token but nul.jwt ends in exactly one newline" python3 -c '
import glob
for f in glob.glob("tokens/*.jwt"):
    if f.endswith("nul.jwt"): continue
    b = open(f, "rb").read()
    assert b.endswith(b"\n") and b.count(b"\n") == 1 and b"\r" not in b, f'

echo "verify.sh: $CHECKS checks, $FAILS failed"
[ "$FAILS" -eq 0 ]
