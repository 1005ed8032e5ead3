#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""CLI contract tests of `rtprm pe verify` and the signature line of
`rtprm prm module`: exit codes (0 verified / digest matches, 1 unsigned,
mismatch, refused or unreadable, 2 usage), the text and "rtprm-pe-verify/1"
JSON shapes, on a corpus image signed here with Debian's snakeoil key
(sbsign; package ovmf ships the key, passphrase per its README.Debian).

usage: test_cli_verify.py RTPRM CORPUS_DIR
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_harness  # noqa: E402
from cli_harness import check, finish, run  # noqa: E402

RTPRM, CORPUS = sys.argv[1], sys.argv[2]
cli_harness.RTPRM = RTPRM
CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem"
KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key"


def sign(tmp, src, dst):
    key = os.path.join(tmp, "key.pem")
    if not os.path.exists(key):
        subprocess.run(["openssl", "rsa", "-in", KEY, "-passin", "pass:snakeoil", "-out", key], check=True,
                       capture_output=True)
    subprocess.run(["sbsign", "--key", key, "--cert", CERT, "--output", dst, src], check=True, capture_output=True)


def other_cert(tmp):
    """A self-signed certificate nobody signed anything with."""
    key, pem = os.path.join(tmp, "other.key"), os.path.join(tmp, "other.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem,
                    "-days", "1", "-subj", "/CN=rtprm test other"], check=True, capture_output=True)
    return pem


def patched(tmp, src, name, fn):
    data = bytearray(open(src, "rb").read())
    fn(data)
    out = os.path.join(tmp, name)
    with open(out, "wb") as f:
        f.write(data)
    return out


def dir4(data):
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    return pe + 24 + (112 if struct.unpack_from("<H", data, pe + 24)[0] == 0x20B else 96) + 32


with tempfile.TemporaryDirectory() as tmp:
    plain = os.path.join(CORPUS, "prm", "seed-lld-x64-context.efi")
    signed = os.path.join(tmp, "signed.efi")
    sign(tmp, plain, signed)

    rc, out, err = run("pe", "verify", signed)
    check("digest only: exit 0, 'digest-matches'", rc == 0 and out.rstrip().endswith(": digest-matches") and
          "sha256 computed" in out and "digest matches" in out, out + err)
    rc, out, err = run("pe", "verify", signed, "--cert", CERT)
    check("with the signing certificate: exit 0, 'verified'", rc == 0 and out.rstrip().endswith(": verified") and
          "verified against " + CERT in out and "O=SnakeOil" in out, out + err)
    rc, out, err = run("pe", "verify", signed, "--cert", CERT, "--json")
    doc = json.loads(out) if rc == 0 else {}
    sig = (doc.get("signatures") or [{}])[0]
    check("--json: schema, verdict, table, one signature, equal digests",
          doc.get("schema") == "rtprm-pe-verify/1" and doc.get("verdict") == "verified" and
          doc["certificate_table"]["entries"] == 1 and len(doc["signatures"]) == 1 and
          sig.get("digest_algorithm") == "sha256" and sig["embedded_digest"] == sig["computed_digest"] and
          len(sig["computed_digest"]) == 64 and sig["verified"] is True and sig["error"] == "" and
          doc["findings"] == [] and sum(r[1] for r in doc["ranges"]) == doc["hashed_bytes"], out[-500:])

    rc, out, err = run("pe", "verify", signed, "--cert", other_cert(tmp), "--json")
    doc = json.loads(out) if out.startswith("{") else {}
    sig = (doc.get("signatures") or [{}])[0]
    check("another certificate: exit 1, 'mismatch', verified false with OpenSSL's reason",
          rc == 1 and doc.get("verdict") == "mismatch" and sig.get("verified") is False and
          sig.get("digest_matches") is True and "does not verify" in sig.get("error", ""), out + err)

    rc, out, err = run("pe", "verify", plain)
    check("unsigned: exit 1, 'unsigned'", rc == 1 and "unsigned (no certificate table)" in out and
          out.rstrip().endswith(": unsigned"), out + err)
    rc, out, err = run("pe", "verify", plain, "--json")
    check("unsigned --json", rc == 1 and json.loads(out)["verdict"] == "unsigned" and
          json.loads(out)["signatures"] == [], out)

    pe = bytearray(open(signed, "rb").read())
    cert_off, cert_size = struct.unpack_from("<II", pe, dir4(pe))
    tampered = patched(tmp, signed, "byte.efi", lambda d: d.__setitem__(0x400, d[0x400] ^ 1))
    rc, out, err = run("pe", "verify", tampered, "--cert", CERT)
    check("one byte changed: exit 1, DIGEST MISMATCH", rc == 1 and "DIGEST MISMATCH" in out and
          out.rstrip().endswith(": mismatch"), out + err)
    past = patched(tmp, signed, "past.efi", lambda d: struct.pack_into("<I", d, dir4(d) + 4, cert_size + 8))
    rc, out, err = run("pe", "verify", past)
    check("table past the end of the file: exit 1, PE_AUTH_CERT_RANGE",
          rc == 1 and "PE_AUTH_CERT_RANGE (0x0261)" in err and "[EFI_SECURITY_VIOLATION]" in err, err)
    short = patched(tmp, signed, "short.efi", lambda d: struct.pack_into("<I", d, cert_off, 4))
    rc, out, err = run("pe", "verify", short)
    check("dwLength below its header: exit 1, PE_AUTH_CERT_ENTRY", rc == 1 and "PE_AUTH_CERT_ENTRY" in err, err)
    junk = patched(tmp, signed, "junk.efi", lambda d: d.__setitem__(slice(cert_off + 8, cert_off + 16), b"\0" * 8))
    rc, out, err = run("pe", "verify", junk, "--json")
    doc = json.loads(out) if out.startswith("{") else {}
    check("PKCS#7 that does not parse: exit 1, the reason in the signature's error",
          rc == 1 and "does not parse" in (doc.get("signatures") or [{}])[0].get("error", ""), out + err)
    after = os.path.join(tmp, "after.efi")
    with open(after, "wb") as f:
        f.write(open(signed, "rb").read() + b"\0" * 8)
    rc, out, err = run("pe", "verify", after)
    check("bytes appended after the table: the warning, and the digest no longer matches (sbverify agrees)",
          rc == 1 and "warning" in err and "PE_AUTH_AFTER_CERTS (0x0266)" in err and "DIGEST MISMATCH" in out,
          out + err)
    rc, out, err = run("pe", "verify", after, "--strict")
    check("--strict refuses them", rc == 1 and "PE_AUTH_AFTER_CERTS" in err, err)

    rc, out, err = run("pe", "verify", signed, "--cert", os.path.join(tmp, "missing.pem"))
    check("unreadable certificate file: exit 1 with the reason", rc == 1 and "cannot open the certificate" in err, err)
    rc, out, err = run("pe", "verify", signed, "--cert", plain)
    check("certificate file without PEM: exit 1", rc == 1 and "no PEM certificate" in err, err)
    rc, out, err = run("pe", "verify", os.path.join(tmp, "none.efi"))
    check("missing image: exit 1", rc == 1 and err != "", err)
    rc, out, err = run("pe", "verify")
    check("no IMG: usage, exit 2", rc == 2, err)
    rc, out, err = run("pe", "verify", signed, "--cert")
    check("--cert without a value: usage, exit 2", rc == 2, err)

    rc, out, err = run("prm", "module", signed)
    check("prm module names the signature state", rc == 0 and "signature: 1 signature(s), digest matches (sha256)" in out,
          out + err)
    rc, out, err = run("prm", "module", signed, "--json")
    check("prm module --json carries it", rc == 0 and
          json.loads(out).get("signature") == "1 signature(s), digest matches (sha256)", out[-300:])
    rc, out, err = run("prm", "module", plain)
    check("an unsigned module says so", rc == 0 and "signature: unsigned" in out, out)
    rc, out, err = run("prm", "module", tampered)
    check("a tampered module: the state says DIGEST MISMATCH", rc == 0 and "DIGEST MISMATCH" in out, out)

sys.exit(finish())
