"""Helpers for keystore integration tests: keystore processes with their own data dirs, the
`posternctl keymgmt` runner, and the public-key arithmetic an admin would do by hand
(fingerprints, DKIM TXT values, signature checks with python3-cryptography).

    class T(KeystoreTestCase):
        def test_x(self):
            ks = self.start_keystore("ks1")
            fp = self.ok(ks, "create", "nek", "main").stdout
"""
import base64
import hashlib
import os
import re

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa, utils

from .grpc_client import KeystoreClient
from .postern import NodeConfig, cluster_token, keymgmt
from .testcase import PosternTestCase

FINGERPRINT_RE = r"[0-9a-f]{4}(?: [0-9a-f]{4}){7,15}"  # NEK: 8 groups; DKIM: 16


def slurp(path, text=False):
    """A file's whole content (bytes, or str with text=True)."""
    with open(path, "r" if text else "rb") as f:
        return f.read()


def grouped_sha256(data):
    """What the keystore prints as a fingerprint: SHA-256, lowercase hex in groups of four."""
    h = hashlib.sha256(data).hexdigest()
    return " ".join(h[i:i + 4] for i in range(0, len(h), 4))


def public_bytes_of_pem(pem_bytes):
    """The DKIM p= bytes of a PEM private key: SPKI DER (RSA) or raw 32 bytes (Ed25519)."""
    key = serialization.load_pem_private_key(pem_bytes, password=None)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def parse_txt(value):
    """Tags of a DKIM TXT value: {"v": "DKIM1", "k": "rsa", "p": "..."}."""
    tags = {}
    for part in value.split(";"):
        part = part.strip()
        if part:
            k, _, v = part.partition("=")
            tags[k.strip()] = re.sub(r"\s+", "", v)
    return tags


def dns_value_from_output(stdout):
    """The Value: line of `keymgmt export dkim dns`."""
    m = re.search(r"^Value: (.*)$", stdout, re.M)
    if not m:
        raise AssertionError(f"no Value: line in {stdout!r}")
    return m.group(1)


def verify_dkim_signature(p_bytes, key_type, algorithm, signature, digest):
    """Raises InvalidSignature unless `signature` is the keystore's signature of `digest`."""
    if key_type == "ed25519":
        assert algorithm == "ed25519-sha256", algorithm
        ed25519.Ed25519PublicKey.from_public_bytes(p_bytes).verify(signature, digest)
    else:
        assert algorithm == "rsa-sha256", algorithm
        pub = serialization.load_der_public_key(p_bytes)
        assert isinstance(pub, rsa.RSAPublicKey)
        pub.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def parse_dkim_table(stdout):
    """Rows of `keymgmt list dkim`: {(domain, selector): (type, size, fingerprint)}."""
    rows = {}
    for line in stdout.splitlines()[1:]:
        m = re.match(rf"^(\S+)\s+(\S+)\s+(rsa|ed25519)\s+(\d+)\s+({FINGERPRINT_RE})$", line)
        if m:
            rows[(m.group(1), m.group(2))] = (m.group(3), int(m.group(4)), m.group(5))
    return rows


class KeystoreTestCase(PosternTestCase):
    def start_keystore(self, name, role="keystore"):
        """A keystore process with its own workdir (data dir, identity, tokens)."""
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir, exist_ok=True)
        cfg = NodeConfig(workdir, self.dns.address, self.cert, name=name)
        if role == "all":  # the router role needs a route
            cfg.route(["example.test"], "box", {"maildir": {"path": cfg.path("maildir")}})
        node = self.start_postern(role, cfg, name=f"postern-{name}")
        return node

    def ctl(self, node, *args, **kwargs):
        return keymgmt(node.config, *args, **kwargs)

    def ok(self, node, *args, **kwargs):
        run = self.ctl(node, *args, **kwargs)
        self.assertEqual(run.returncode, 0,
                         f"keymgmt {' '.join(args)}:\n{run.stdout}{run.stderr}")
        return run

    def refused(self, node, *args, **kwargs):
        run = self.ctl(node, *args, **kwargs)
        self.assertEqual(run.returncode, 1,
                         f"keymgmt {' '.join(args)} should fail:\n{run.stdout}{run.stderr}")
        self.assertTrue(run.stderr.startswith("posternctl: "), run.stderr)
        return run

    def fingerprint_in(self, text):
        m = re.search(FINGERPRINT_RE, text)
        self.assertIsNotNone(m, f"no fingerprint in {text!r}")
        return m.group(0)

    def write(self, name, content, mode=0o600):
        path = os.path.join(self.workdir, name)
        with open(path, "wb" if isinstance(content, bytes) else "w") as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def signer(self, node):
        """A Keystore (signing oracle) client with the node's cluster token."""
        client = KeystoreClient(f"127.0.0.1:{node.config.keystore_port}",
                                cluster_token(node.config))
        self.addCleanup(client.close)
        return client

    def published_key(self, node, domain, selector):
        """(type, p bytes) from `keymgmt export dkim dns`, as a verifier would read DNS."""
        out = self.ok(node, "export", "dkim", "dns", domain, selector).stdout
        tags = parse_txt(dns_value_from_output(out))
        self.assertEqual(tags["v"], "DKIM1")
        return tags["k"], base64.b64decode(tags["p"], validate=True)
