#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause-Patent
"""`rtprm pe verify` against Debian's signing tools (sbverify, osslsigncode)
on images nobody here signed and on ours signed with Debian's snakeoil key.

Subjects:
  ours     every .efi of build/fw-x64/bin and build/fw-aa64/bin, signed at
           run time with the snakeoil key and certificate the `ovmf` package
           ships (/usr/share/ovmf/PkKek-1-snakeoil.{key,pem}, passphrase
           "snakeoil" per its README.Debian) by `sbsign`; the decrypted key
           lives in a temporary directory and is never written elsewhere;
  debian   every signed PE of the real-world corpus (shim-signed,
           grub-efi-amd64-signed, fwupd-*-signed; harnesses/realworld) and the
           x64 and arm64 kernels the Linux scenarios boot, each checked against
           its own signing certificate (taken out of its signature with
           sbattach + openssl pkcs7: proves the signature, not trust).

Per image: rtprm's computed digest equals osslsigncode's "Calculated message
digest" and the embedded one equals its "Current message digest"; where
osslsigncode warns of gaps between sections (it hashes them, the Authenticode
document's SUM_OF_BYTES_HASHED rule and sbverify do not) rtprm must agree
with sbverify instead, and the disagreement is listed. rtprm's digest verdict
equals sbverify's hash check, and its signature verdict with the certificate
equals sbverify's. Tampered copies (one byte of a section, one byte of the
signature value, a WIN_CERTIFICATE dwLength 100 bytes short, 8 bytes appended
after the table) must be refused by rtprm (exit 1) and by sbverify (non-zero
exit); a fourth copy, the
certificate table's directory Size grown past the end of the file, must be
refused by rtprm, and sbverify's answer is recorded (it accepts).

Writes REPORTS/oracle.json and REPORTS/oracle.md; exit 1 on any disagreement.
"""
import argparse
import fcntl
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# The certificate table's directory Size grown past the end of the file:
# rtprm refuses it (PE_AUTH_CERT_RANGE); sbverify reads the first
# WIN_CERTIFICATE anyway and accepts, so only rtprm's refusal is required.
SIZE_PAST_EOF = "table-size-past-eof"

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import snakeoil  # noqa: E402

SNAKEOIL_CERT = snakeoil.CERT


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


# ---- the three tools -------------------------------------------------------

def rtprm_verify(rtprm, path, cert=None):
    r = run([rtprm, "pe", "verify", "--json", path] + (["--cert", cert] if cert else []))
    js = None
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            js = json.loads(line)
    return r.returncode, js, r.stdout


def sbverify(path, cert):
    r = run(["sbverify", "--cert", cert, path])
    return {"rc": r.returncode, "hash_ok": "Hash doesn't match" not in r.stdout and "fails hash" not in r.stdout,
            "signature_ok": r.returncode == 0, "gap_warning": "gap in section table" in r.stdout}


def osslsigncode(path):
    r = run(["osslsigncode", "verify", "-in", path])
    cur = re.findall(r"Current message digest\s*:\s*([0-9A-Fa-f]+)", r.stdout)
    calc = re.findall(r"Calculated message digest\s*:\s*([0-9A-Fa-f]+)", r.stdout)
    return {"current": cur[0].lower() if cur else None, "calculated": calc[0].lower() if calc else None}


# ---- subjects --------------------------------------------------------------

def sign_ours(fw_dirs, tmp):
    key = snakeoil.decrypt_key(tmp)
    out = []
    for d in fw_dirs:
        arch = os.path.basename(os.path.dirname(d.rstrip("/")))  # build/fw-x64/bin -> fw-x64
        for src in sorted(glob.glob(os.path.join(d, "*.efi"))):
            dst = snakeoil.sign(key, src, os.path.join(tmp, "%s-%s" % (arch, os.path.basename(src))))
            out.append({"name": os.path.basename(dst), "path": dst, "cert": SNAKEOIL_CERT, "origin": "ours"})
    return out


def own_certificate(path, tmp, name):
    """A PEM of the image's own signing certificate sbverify accepts."""
    p7 = os.path.join(tmp, name + ".p7")
    if run(["sbattach", "--detach", p7, path]).returncode != 0:
        return None
    r = run(["openssl", "pkcs7", "-inform", "DER", "-in", p7, "-print_certs"])
    for i, pem in enumerate(re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", r.stdout, re.S)):
        cand = os.path.join(tmp, "%s.cert%d.pem" % (name, i))
        with open(cand, "w", encoding="ascii") as f:
            f.write(pem + "\n")
        if sbverify(path, cand)["signature_ok"]:
            return cand
    return None


def kernels(cache):
    """The x64 and arm64 kernels of the Linux scenarios (fetched and cached
    by their own fetchers)."""
    found = []
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".lock"), "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if run(["bash", os.path.join(REPO, "harnesses/e2e/linux/fetch.sh"), cache]).returncode == 0:
            found.append(json.load(open(os.path.join(cache, "manifest.json")))["vmlinuz"])
    r = run([sys.executable, os.path.join(REPO, "harnesses/e2e/linux/fetch_arm64.py")])
    if r.returncode == 0:
        found.append(json.load(open(r.stdout.strip().splitlines()[-1]))["vmlinuz"])
    return found


def debian_signed(rtprm, cache, tmp):
    sys.path.insert(0, os.path.join(REPO, "harnesses", "realworld"))
    import fetch  # noqa: E402 (harnesses/realworld/fetch.py)
    corpus, index = fetch.ensure(os.path.join(REPO, "corpus/realworld/manifest.json"), cache)
    paths = []
    for im in index["images"]:
        if im["format"] != "pe":
            continue
        path = os.path.join(corpus, im["file"])
        if rtprm_verify(rtprm, path)[1]["verdict"] != "unsigned":
            o = im["origins"][0]
            paths.append(("%s:%s" % (o["package"], os.path.basename(o["path"])), path))
    for k in kernels(os.path.join(REPO, "build", "e2e-cache")):
        paths.append(("kernel:" + os.path.basename(k), k))
    out = []
    for i, (name, path) in enumerate(paths):
        out.append({"name": name, "path": path, "cert": own_certificate(path, tmp, "d%d" % i), "origin": "debian"})
    return out


# ---- tampering -------------------------------------------------------------

def pe_layout(data):
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsec = struct.unpack_from("<H", data, pe + 6)[0]
    opt_size = struct.unpack_from("<H", data, pe + 20)[0]
    magic = struct.unpack_from("<H", data, pe + 24)[0]
    dirs = pe + 24 + (112 if magic == 0x20B else 96)
    secs = pe + 24 + opt_size
    raw = [struct.unpack_from("<II", data, secs + 40 * i + 16) for i in range(nsec)]
    return dirs + 8 * 4, [(off, size) for size, off in raw if size]


def signature_value_offset(data, cert_off, tmp):
    """File offset of the middle of the first SignerInfo's signature value:
    ContentInfo (depth 0) > [0] > SignedData > signerInfos SET > SignerInfo
    SEQUENCE > encryptedDigest OCTET STRING at depth 5 (RFC 2315 §9.2).
    Certificates sit at other depths, and a timestamp's countersignature in
    the unauthenticated attributes deeper."""
    length = struct.unpack_from("<I", data, cert_off)[0]
    der = os.path.join(tmp, "sig.der")
    with open(der, "wb") as f:
        f.write(data[cert_off + 8:cert_off + length])
    r = run(["openssl", "asn1parse", "-inform", "DER", "-in", der])
    best = None
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\d+):d=\s*5\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+prim:\s+OCTET STRING", line)
        if m and int(m.group(3)) >= 64:
            best = int(m.group(1)) + int(m.group(2)) + int(m.group(3)) // 2
            break
    return None if best is None else cert_off + 8 + best


def tampered(subject, tmp):
    data = bytearray(open(subject["path"], "rb").read())
    dir4, sections = pe_layout(data)
    cert_off, cert_size = struct.unpack_from("<II", data, dir4)
    variants = []
    off, size = sections[0]
    flip = bytearray(data)
    flip[off + size // 2] ^= 0x01
    variants.append(("section-byte", flip))
    sig = signature_value_offset(data, cert_off, tmp)
    if sig is not None:
        flip = bytearray(data)
        flip[sig] ^= 0x01
        variants.append(("signature-byte", flip))
    short = bytearray(data)
    struct.pack_into("<I", short, cert_off, struct.unpack_from("<I", data, cert_off)[0] - 100)
    variants.append(("entry-length", short))
    variants.append(("appended-bytes", bytearray(data) + b"\0" * 8))
    grow = bytearray(data)
    struct.pack_into("<I", grow, dir4 + 4, cert_size + 8)
    variants.append((SIZE_PAST_EOF, grow))
    out = []
    for kind, content in variants:
        path = os.path.join(tmp, "%s.%s.efi" % (re.sub(r"[^A-Za-z0-9_.-]", "_", subject["name"]), kind))
        with open(path, "wb") as f:
            f.write(content)
        out.append((kind, path))
    return out


# ---- checks ----------------------------------------------------------------

def check_image(rtprm, s):
    """One row: the three tools' views and the disagreements."""
    row = {"name": s["name"], "origin": s["origin"], "problems": []}
    rc, js, text = rtprm_verify(rtprm, s["path"], s["cert"])
    if js is None:
        row["problems"].append("rtprm printed no JSON (exit %d): %s" % (rc, text.strip()[-200:]))
        return row
    sig0 = js["signatures"][0] if js["signatures"] else {}
    ossl = osslsigncode(s["path"])
    sb = sbverify(s["path"], s["cert"] or SNAKEOIL_CERT)
    row.update({"rtprm_verdict": js["verdict"], "signatures": len(js["signatures"]),
                "computed": sig0.get("computed_digest"), "embedded": sig0.get("embedded_digest"),
                "osslsigncode": ossl, "sbverify": sb, "cert": bool(s["cert"])})
    findings = {f["reason"] for f in js["findings"]}
    if ossl["current"] is None and len(js["signatures"]) > 1:
        row["osslsigncode_divergence"] = "cannot read a table of %d WIN_CERTIFICATE entries" % len(js["signatures"])
    elif ossl["current"] != sig0.get("embedded_digest"):
        row["problems"].append("embedded digest: rtprm %s, osslsigncode %s" % (sig0.get("embedded_digest"), ossl["current"]))
    elif ossl["calculated"] != sig0.get("computed_digest"):
        if "PE_AUTH_GAP" in findings and sb["gap_warning"] and sb["hash_ok"]:
            row["osslsigncode_divergence"] = "hashes the gap between sections (rtprm: PE_AUTH_GAP; sbverify agrees with rtprm)"
        else:
            row["problems"].append("computed digest: rtprm %s, osslsigncode %s" % (sig0.get("computed_digest"), ossl["calculated"]))
    digest_ok = all(x["digest_matches"] for x in js["signatures"])
    if digest_ok != sb["hash_ok"]:
        row["problems"].append("digest verdict: rtprm %s, sbverify %s" % (digest_ok, sb["hash_ok"]))
    if s["origin"] == "debian":
        control(rtprm, s, row)
    if s["cert"] is None:
        row["problems"].append("no certificate of the image's own signature verifies with sbverify")
    elif (js["verdict"] == "verified") != sb["signature_ok"]:
        row["problems"].append("signature verdict: rtprm %s, sbverify %s" % (js["verdict"], sb["signature_ok"]))
    elif js["verdict"] != "verified":
        row["problems"].append("not verified by either tool (rtprm %s)" % js["verdict"])
    return row


def control(rtprm, s, row):
    """An unrelated certificate (the snakeoil one) must verify nothing. Where
    sbverify still says OK, its verdicts for this image are not evidence
    (sbverify 0.9.4 on shim's two-entry table), and the tampered copies
    only require rtprm's refusal."""
    rc, js, _ = rtprm_verify(rtprm, s["path"], SNAKEOIL_CERT)
    if rc != 1:
        row["problems"].append("rtprm verifies it against the unrelated snakeoil certificate (exit %d)" % rc)
    if sbverify(s["path"], SNAKEOIL_CERT)["signature_ok"]:
        s["sbverify_unsound"] = True
        row["sbverify_divergence"] = "sbverify accepts it against the unrelated snakeoil certificate"


def check_tampered(rtprm, s, tmp):
    rows = []
    for kind, path in tampered(s, tmp):
        rc, js, text = rtprm_verify(rtprm, path, s["cert"])
        sb = sbverify(path, s["cert"] or SNAKEOIL_CERT)
        why = js["verdict"] if js else text.strip().splitlines()[-1][:160] if text.strip() else "exit %d" % rc
        row = {"name": s["name"], "tamper": kind, "rtprm_exit": rc, "rtprm": why, "sbverify_exit": sb["rc"],
               "problems": []}
        if rc != 1:
            row["problems"].append("rtprm did not refuse it (exit %d, %s)" % (rc, why))
        if sb["rc"] == 0 and kind != SIZE_PAST_EOF and not s.get("sbverify_unsound"):
            row["problems"].append("sbverify did not refuse it")
        rows.append(row)
    return rows


def write_reports(out_dir, images, tampers):
    os.makedirs(out_dir, exist_ok=True)
    bad = [r for r in images + tampers if r["problems"]]
    summary = {"schema": "rtprm-authenticode-oracle/1", "images": len(images),
               "ours": sum(r["origin"] == "ours" for r in images),
               "debian": sum(r["origin"] == "debian" for r in images), "tampered": len(tampers),
               "osslsigncode_divergences": {r["name"]: r["osslsigncode_divergence"] for r in images
                                            if r.get("osslsigncode_divergence")},
               "sbverify_unsound": {r["name"]: r["sbverify_divergence"] for r in images if r.get("sbverify_divergence")},
               "sbverify_accepts_size_past_eof": sum(r["tamper"] == SIZE_PAST_EOF and r["sbverify_exit"] == 0
                                                     for r in tampers),
               "disagreements": len(bad), "verdict": "PASS" if not bad else "FAIL"}
    with open(os.path.join(out_dir, "oracle.json"), "w", encoding="utf-8") as f:
        json.dump({"summary": summary, "images": images, "tampered": tampers}, f, indent=1)
    lines = ["# Authenticode: rtprm pe verify vs sbverify and osslsigncode", "",
             "Generated by harnesses/authenticode/oracle.py. Verdict: **%s**; %d images (%d ours, snakeoil-signed; "
             "%d Debian-signed), %d tampered copies, %d disagreements." % (
                 summary["verdict"], len(images), summary["ours"], summary["debian"], len(tampers), len(bad)), "",
             "| image | origin | signatures | rtprm | sbverify hash / signature | osslsigncode digest | problems |",
             "|---|---|---:|---|---|---|---|"]
    for r in images:
        o = r.get("osslsigncode", {})
        ossl = "same" if o.get("calculated") == r.get("computed") else \
            ("differs: " + r["osslsigncode_divergence"] if r.get("osslsigncode_divergence") else "DIFFERS")
        sb = r.get("sbverify", {})
        lines.append("| %s | %s | %s | %s | %s / %s%s | %s | %s |" % (
            r["name"], r["origin"], r.get("signatures", "?"), r.get("rtprm_verdict", "?"),
            "ok" if sb.get("hash_ok") else "mismatch", "ok" if sb.get("signature_ok") else "fails",
            " (" + r["sbverify_divergence"] + ")" if r.get("sbverify_divergence") else "", ossl,
            "; ".join(r["problems"]) or "none"))
    lines += ["", "| tampered copy | change | rtprm | sbverify | problems |", "|---|---|---|---|---|"]
    for r in tampers:
        lines.append("| %s | %s | exit %d (%s) | exit %d | %s |" % (r["name"], r["tamper"], r["rtprm_exit"], r["rtprm"],
                                                                r["sbverify_exit"], "; ".join(r["problems"]) or "none"))
    with open(os.path.join(out_dir, "oracle.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return summary, bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rtprm", required=True)
    ap.add_argument("--fw-dir", action="append", default=[], help="build/fw-<arch>/bin (repeatable)")
    ap.add_argument("--reports", required=True)
    ap.add_argument("--cache", help="real-world corpus cache root (default: fetch.py's)")
    a = ap.parse_args(argv)
    for tool in ("sbsign", "sbverify", "sbattach", "osslsigncode", "openssl"):
        if shutil.which(tool) is None:
            raise SystemExit("oracle: %s is missing (make deps: sbsigntool, osslsigncode, openssl)" % tool)
    with tempfile.TemporaryDirectory(prefix="rtprm-auth-") as tmp:
        subjects = sign_ours(a.fw_dir, tmp) + debian_signed(a.rtprm, a.cache, tmp)
        images = [check_image(a.rtprm, s) for s in subjects]
        tampers = [row for s in subjects if s["cert"] for row in check_tampered(a.rtprm, s, tmp)]
    summary, bad = write_reports(a.reports, images, tampers)
    print("authenticode oracle: %s: %d images (%d ours, %d Debian), %d tampered copies, %d disagreements; "
          "osslsigncode divergences: %s; sbverify: %s; sbverify accepted %d certificate tables past the end of "
          "the file" % (summary["verdict"], summary["images"], summary["ours"], summary["debian"], summary["tampered"],
                        len(bad), "; ".join("%s: %s" % kv for kv in summary["osslsigncode_divergences"].items()) or "none",
                        "; ".join("%s: %s" % kv for kv in summary["sbverify_unsound"].items()) or "sound on every image",
                        summary["sbverify_accepts_size_past_eof"]))
    for r in bad:
        print("  %s %s: %s" % (r["name"], r.get("tamper", ""), "; ".join(r["problems"])))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
