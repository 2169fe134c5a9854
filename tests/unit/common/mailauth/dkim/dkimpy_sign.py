#!/usr/bin/python3
"""Signs test messages with dkimpy (python3-dkim), the independent reference signer.

Usage: dkimpy_sign.py OUTDIR
Writes into OUTDIR: one .eml per case, keys.zone (the TXT records, zone-file syntax for the
dnslib fixture server) and manifest (one line per case: "<file> <expected result>").
Keys are generated fresh each run: RSA 2048, RSA 512 (must fail, RFC 8301) and Ed25519.
"""
import base64
import os
import sys

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

DOMAIN = b"dkimpy.test"

MESSAGE = (
    b"From: Alice Example <alice@dkimpy.test>\r\n"
    b"To: bob@example.net\r\n"
    b"Subject: a folded\r\n"
    b"\tsubject  with   spaces \r\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    b"Message-ID: <1@dkimpy.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Line with trailing space \r\n"
    b"\tTabbed  line\twith \t runs\r\n"
    b"\r\n"
    b".leading dot\r\n"
    b"last line\r\n"
    b"\r\n"
    b"\r\n"
)


def rsa_key(bits):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode()


def ed_key():
    key = ed25519.Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(seed), "v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()


def zone_line(selector, record):
    chunks = [record[i:i + 200] for i in range(0, len(record), 200)]
    quoted = " ".join('"%s"' % c for c in chunks)
    return "%s._domainkey.%s. 300 IN TXT %s\n" % (selector, DOMAIN.decode(), quoted)


def main():
    out = sys.argv[1]
    keys = {"rsa": rsa_key(2048), "ed": ed_key(), "small": rsa_key(512)}
    with open(os.path.join(out, "keys.zone"), "w") as zone:
        for selector, (_, record) in keys.items():
            zone.write(zone_line(selector, record))

    cases = []
    for selector, algorithm in (("rsa", b"rsa-sha256"), ("ed", b"ed25519-sha256")):
        for canon in ((b"relaxed", b"relaxed"), (b"simple", b"simple"),
                      (b"relaxed", b"simple"), (b"simple", b"relaxed")):
            for length in (False, True):
                name = "%s-%s-%s%s.eml" % (selector, canon[0].decode(), canon[1].decode(),
                                          "-l" if length else "")
                cases.append((name, selector, algorithm, canon, length, "pass"))
    cases.append(("rsa-sha1.eml", "rsa", b"rsa-sha1", (b"relaxed", b"relaxed"), False, "fail"))
    cases.append(("rsa-512.eml", "small", b"rsa-sha256", (b"relaxed", b"relaxed"), False, "fail"))

    with open(os.path.join(out, "manifest"), "w") as manifest:
        for name, selector, algorithm, canon, length, expected in cases:
            header = dkim.sign(MESSAGE, selector.encode(), DOMAIN, keys[selector][0],
                               canonicalize=canon, signature_algorithm=algorithm, length=length,
                               include_headers=[b"from", b"to", b"subject", b"date",
                                                b"message-id", b"mime-version",
                                                b"content-type"])
            with open(os.path.join(out, name), "wb") as f:
                f.write(header + MESSAGE)
            manifest.write("%s %s\n" % (name, expected))


if __name__ == "__main__":
    main()
