"""Keystore replicas on etcd (keystore.backend: etcd): a real 3-member etcd cluster and three
`postern keystore` processes. ks1 and ks2 share an identity file (ks2 gets a copy of ks1's, as
replicas sharing a Kubernetes Secret); ks3 has its own identity and gets the NEK with
`keymgmt export nek` / `import nek`.

Keys created or imported through ks1 are listed and signed by ks2 and ks3, with signatures
that verify against the DKIM TXT record served by a real DNS server; a delete through ks1 is
followed by the other replicas within a second. With one etcd member down signing and key
creation keep working; with every member down each replica signs with the keys it holds and
a key change fails with an error naming etcd; with the members back changes work again.
Finally the etcd data dirs are scanned: no "PRIVATE KEY", no line of an imported PEM, no
private key bytes."""
import base64
import hashlib
import os
import re
import shutil
import time
import unittest

import grpc
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dnslib import QTYPE, DNSRecord

from support.dns_server import DnsServer
from support.etcd import EtcdCluster
from support.keymgmt import (KeystoreTestCase, parse_dkim_table, parse_txt,
                             dns_value_from_output, verify_dkim_signature)
from support.postern import NodeConfig

PASSWORD = "correct horse battery staple"
FOLLOW_DEADLINE = 1.0  # a change is visible on every replica within a second
REJOIN_DEADLINE = 10.0  # ... and after an etcd outage, once the watches have reconnected
DIGEST = hashlib.sha256(b"DKIM header hash input").digest()


def poll(condition, timeout, interval=0.02):
    """Polls `condition()` until it returns a true value (returned) or `timeout` passes
    (returns the last value). For effects no event announces: another process's cache."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def files_containing(root, needle):
    hits = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    hits.append(path)
    return hits


class KeystoreOnEtcd(KeystoreTestCase):
    def setUp(self):
        super().setUp()
        self.etcd = EtcdCluster(members=3)
        self.addCleanup(self.etcd.stop)
        self.etcd.start()

    def start_replica(self, name, identity_from=None):
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir, exist_ok=True)
        cfg = NodeConfig(workdir, self.dns.address, self.cert, name=name)
        cfg.data["keystore"]["backend"] = "etcd"
        cfg.data["keystore"]["etcd"] = {"endpoints": self.etcd.endpoints, "timeout": "1s"}
        if identity_from is not None:
            identity = os.path.join(workdir, "identity.key")
            shutil.copyfile(self.identity_file(identity_from), identity)
            os.chmod(identity, 0o600)
            cfg.data["keystore"]["identity"] = identity
        return self.start_postern("keystore", cfg, name=f"postern-{name}")

    @staticmethod
    def identity_file(node):
        return node.config.data["keystore"].get("identity") or node.config.path(
            "var", "keystore", "identity.key")

    def public_key(self, node):
        m = re.search(r"^public key: (\S+)$", self.ok(node, "show", "identity").stdout, re.M)
        self.assertIsNotNone(m)
        return m.group(1)

    def txt_from_dns(self, dns, domain, selector):
        """(k=, p bytes) of the DKIM record, as a verifier resolves it."""
        name = f"{selector}._domainkey.{domain}"
        reply = DNSRecord.parse(DNSRecord.question(name, "TXT").send(
            "127.0.0.1", dns.port, timeout=2))
        txts = [b"".join(rr.rdata.data).decode() for rr in reply.rr if rr.rtype == QTYPE.TXT]
        self.assertEqual(len(txts), 1, f"TXT of {name}: {txts}")
        tags = parse_txt(txts[0])
        return tags["k"], base64.b64decode(tags["p"], validate=True)

    def sign(self, node, domain, selector):
        [(algorithm, signature)] = self.signer(node).sign([(domain, selector, DIGEST)])
        return algorithm, signature

    def assert_signs(self, node, domain, selector, published):
        key_type, p = published[(domain, selector)]
        algorithm, signature = self.sign(node, domain, selector)
        verify_dkim_signature(p, key_type, algorithm, signature, DIGEST)

    def sign_error(self, node, domain, selector):
        try:
            self.sign(node, domain, selector)
        except grpc.RpcError as e:
            return e
        return None

    def assert_delete_followed(self, nodes, selector, deadline):
        """Every node answers NOT_FOUND for example.com/`selector` within `deadline` (it held
        the key before: a replica that missed the delete would still sign)."""
        for node in nodes:
            gone = poll(lambda: (e := self.sign_error(node, "example.com", selector)) is not None
                        and e.code() == grpc.StatusCode.NOT_FOUND, deadline)
            self.assertTrue(gone, f"{node.name} still signs with deleted key {selector} after "
                                  f"{deadline} s")

    def test_replicas_share_keys_and_sign_through_etcd_outages(self):
        ks1 = self.start_replica("ks1")
        ks2 = self.start_replica("ks2", identity_from=ks1)
        ks3 = self.start_replica("ks3")
        identity1 = self.public_key(ks1)
        self.assertEqual(self.public_key(ks2), identity1)
        self.assertNotEqual(self.public_key(ks3), identity1)

        # Everything is created through ks1.
        self.ok(ks1, "create", "nek", "main")
        self.ok(ks1, "create", "credstore", "main")
        self.ok(ks1, "create", "dkim", "example.com", "rsa2026", "rsa", "2048")
        self.ok(ks1, "create", "dkim", "example.com", "ed2026", "ed25519")
        imported = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = imported.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        pem_file = self.write("imported.pem", pem)
        self.ok(ks1, "import", "dkim", "imported.example", "s1", pem_file)
        keys = [("example.com", "rsa2026"), ("example.com", "ed2026"),
                ("imported.example", "s1")]

        # ks2 (same identity) lists the keys at once.
        listed = poll(lambda: set(parse_dkim_table(self.ok(ks2, "list", "dkim").stdout)),
                      FOLLOW_DEADLINE)
        self.assertEqual(listed, set(keys))

        # ks3 holds no NEK yet: it says so and how to fix it; creating its own "main" is
        # refused (it would be another key of the same name).
        error = self.sign_error(ks3, "example.com", "ed2026")
        self.assertIsNotNone(error)
        self.assertEqual(error.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertIn("does not hold the NEK", error.details())
        self.assertIn("import nek", error.details())
        run = self.refused(ks3, "create", "nek", "main")
        self.assertIn("another keystore identity", run.stderr)
        pw = self.write("pw", PASSWORD + "\n")
        nek_file = os.path.join(self.workdir, "main.nek")
        self.ok(ks1, "export", "nek", "main", nek_file, "--password-file", pw)
        self.ok(ks3, "import", "nek", nek_file, "--password-file", pw)
        self.assertEqual(self.ok(ks3, "list", "nek").stdout, self.ok(ks1, "list", "nek").stdout)
        self.assertEqual(set(parse_dkim_table(self.ok(ks3, "list", "dkim").stdout)), set(keys))

        # The DKIM records, published on a real DNS server as an admin would.
        zone = []
        for domain, selector in keys:
            value = dns_value_from_output(
                self.ok(ks1, "export", "dkim", "dns", domain, selector).stdout)
            chunks = " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))
            zone.append(f"{selector}._domainkey.{domain}. 60 IN TXT {chunks}")
        dns = DnsServer("\n".join(zone)).start()
        self.addCleanup(dns.stop)
        published = {k: self.txt_from_dns(dns, *k) for k in keys}
        for node in (ks1, ks2, ks3):
            for domain, selector in keys:
                self.assert_signs(node, domain, selector, published)

        # A delete through ks1 is followed by the other replicas within a second (they held
        # the key: each signed with it just before).
        self.ok(ks1, "create", "dkim", "example.com", "tmp", "ed25519")
        for node in (ks2, ks3):
            self.sign(node, "example.com", "tmp")
        t0 = time.monotonic()
        self.ok(ks1, "delete", "dkim", "example.com", "tmp")
        self.assert_delete_followed((ks2, ks3), "tmp", FOLLOW_DEADLINE)
        print(f"[ figure ] a delete followed by both replicas after "
              f"{(time.monotonic() - t0) * 1000:.0f} ms (including the keymgmt run)")

        # One etcd member down: signing and key creation keep working.
        self.etcd.stop_members(0)
        self.ok(ks2, "create", "dkim", "example.com", "m1", "ed25519")
        published[("example.com", "m1")] = self.published_key(ks2, "example.com", "m1")
        keys.append(("example.com", "m1"))
        for node in (ks1, ks2, ks3):
            for domain, selector in keys:
                self.assert_signs(node, domain, selector, published)

        # Every member down: each replica signs with the keys it holds; changes fail, naming
        # etcd, and nothing hangs.
        self.etcd.stop_members(1, 2)
        for node in (ks1, ks2, ks3):
            for domain, selector in keys:
                self.assert_signs(node, domain, selector, published)
        t0 = time.monotonic()
        run = self.refused(ks1, "create", "dkim", "example.com", "down", "ed25519")
        print(f"[ figure ] key creation refused after {(time.monotonic() - t0) * 1000:.0f} ms "
              f"with every etcd member down")
        self.assertIn("etcd", run.stderr)
        self.assertIn("unavailable", run.stderr.lower())
        run = self.refused(ks3, "delete", "dkim", "example.com", "m1")
        self.assertIn("etcd", run.stderr)

        # Members back: changes work again, and are followed.
        self.etcd.start_members(0, 1, 2)
        created = poll(lambda: self.ctl(ks1, "create", "dkim", "example.com", "up",
                                        "ed25519").returncode == 0, 15)
        self.assertTrue(created, "key creation does not work again after etcd came back")
        self.sign(ks2, "example.com", "up")
        self.sign(ks3, "example.com", "up")
        t0 = time.monotonic()
        self.ok(ks1, "delete", "dkim", "example.com", "up")
        # The watches reconnect by themselves (backoff up to 1 s, a new raft leader) and resume
        # where they broke off, so the change arrives, if not yet within a second.
        self.assert_delete_followed((ks2, ks3), "up", REJOIN_DEADLINE)
        print(f"[ figure ] the first delete after the outage followed after "
              f"{(time.monotonic() - t0) * 1000:.0f} ms")
        # Then, in step again, within a second.
        self.ok(ks1, "create", "dkim", "example.com", "again", "ed25519")
        self.sign(ks2, "example.com", "again")
        self.sign(ks3, "example.com", "again")
        self.ok(ks1, "delete", "dkim", "example.com", "again")
        self.assert_delete_followed((ks2, ks3), "again", FOLLOW_DEADLINE)

        # Nothing in etcd's files is a key in plaintext.
        der = imported.private_bytes(serialization.Encoding.DER,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        pkcs1 = imported.private_bytes(serialization.Encoding.DER,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption())
        pem_lines = pem.decode().splitlines()
        prime = imported.private_numbers().p.to_bytes(128, "big")
        needles = [b"PRIVATE KEY", pem_lines[1].encode(), pem_lines[5].encode(), der[-64:],
                   pkcs1[:64], prime]
        self.etcd.stop_members(0, 1, 2)  # everything flushed to the data dirs
        for needle in needles:
            self.assertEqual(files_containing(self.etcd.dir, needle), [],
                             f"plaintext key material in etcd's files: {needle[:16]!r}...")
        # The scan can fail: the sealed entries themselves are there.
        self.assertTrue(files_containing(self.etcd.dir, b"/postern/keystore/dkim/"))


if __name__ == "__main__":
    unittest.main()
