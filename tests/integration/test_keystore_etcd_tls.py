"""The keystore on etcd over TLS (keystore.etcd.tls): a real etcd member with https client URLs
and --client-cert-auth, certificates from a test CA (tests/support/certs.py).

- A keystore with the CA, its client certificate and key stores its entries in etcd over TLS:
  a DKIM key created through it signs, and the signature verifies against the published key.
- A second replica reading the same etcd over TLS signs with that key.
- The member refuses a keystore without a client certificate and one that speaks plaintext to
  the https member: they cannot open their vault and stop at start, naming etcd; a keystore
  whose CA file is missing stops at start naming keystore.etcd.tls.ca and the path."""
import hashlib
import os
import subprocess
import unittest

from support.certs import issue_cert, make_ca
from support.etcd import EtcdCluster
from support.keymgmt import KeystoreTestCase, verify_dkim_signature
from support.postern import POSTERN_BIN, NodeConfig

DIGEST = hashlib.sha256(b"DKIM header hash input").digest()


class KeystoreOnEtcdTls(KeystoreTestCase):
    def setUp(self):
        super().setUp()
        pki = os.path.join(self.workdir, "pki")
        self.ca = make_ca(pki)
        self.member_cert = issue_cert(self.ca, pki, "etcd-member")
        self.client_cert = issue_cert(self.ca, pki, "keystore")
        self.etcd = EtcdCluster(members=1, tls=(self.ca[0], *self.member_cert))
        self.addCleanup(self.etcd.stop)
        self.etcd.start()

    def replica_config(self, name, tls):
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir, exist_ok=True)
        cfg = NodeConfig(workdir, self.dns.address, self.cert, name=name)
        cfg.data["keystore"]["backend"] = "etcd"
        cfg.data["keystore"]["etcd"] = {"endpoints": self.etcd.endpoints, "timeout": "1s"}
        if tls is not None:
            cfg.data["keystore"]["etcd"]["tls"] = tls
        return cfg

    def start_replica(self, name, tls, identity_from=None):
        cfg = self.replica_config(name, tls)
        if identity_from is not None:
            identity = os.path.join(cfg.workdir, "identity.key")
            with open(identity_from, "rb") as src, open(identity, "wb") as dst:
                dst.write(src.read())
            os.chmod(identity, 0o600)
            cfg.data["keystore"]["identity"] = identity
        return self.start_postern("keystore", cfg, name=f"postern-{name}")

    def full_tls(self):
        return {"ca": self.ca[0], "cert": self.client_cert[0], "key": self.client_cert[1]}

    def test_keys_live_in_etcd_over_tls(self):
        ks1 = self.start_replica("ks1", self.full_tls())
        self.ok(ks1, "create", "nek", "main")
        self.ok(ks1, "create", "credstore", "main")
        self.ok(ks1, "create", "dkim", "example.com", "ed2026", "ed25519")
        key_type, p = self.published_key(ks1, "example.com", "ed2026")
        [(algorithm, signature)] = self.signer(ks1).sign([("example.com", "ed2026", DIGEST)])
        verify_dkim_signature(p, key_type, algorithm, signature, DIGEST)
        self.assertIn("(TLS)", ks1.log_text())

        # A second replica (same identity) reads the sealed entries over TLS and signs.
        ks2 = self.start_replica("ks2", self.full_tls(), identity_from=os.path.join(
            ks1.config.path("var", "keystore", "identity.key")))
        [(algorithm, signature)] = self.signer(ks2).sign([("example.com", "ed2026", DIGEST)])
        verify_dkim_signature(p, key_type, algorithm, signature, DIGEST)

        # A keystore opens its vault from etcd at start, so one etcd refuses cannot start:
        # without a client certificate (--client-cert-auth), or speaking plaintext to https.
        output = self.start_fails("ks3", {"ca": self.ca[0]})
        self.assertIn("cannot open the vault in etcd", output)
        self.assertIn("(TLS)", output)
        output = self.start_fails("ks4", None)
        self.assertIn("cannot open the vault in etcd", output)

    def test_a_missing_ca_file_stops_the_start(self):
        missing = os.path.join(self.workdir, "no-such-ca.pem")
        output = self.start_fails("ks", {"ca": missing})
        self.assertIn("keystore.etcd.tls.ca: cannot read " + missing, output)

    def start_fails(self, name, tls):
        """Runs `postern keystore` that must refuse to start; returns its output."""
        cfg = self.replica_config(name, tls)
        run = subprocess.run([POSTERN_BIN, "keystore", "--config", cfg.write()],
                             capture_output=True, text=True, timeout=60, cwd=cfg.workdir)
        self.assertNotEqual(run.returncode, 0, run.stdout + run.stderr)
        return run.stdout + run.stderr


if __name__ == "__main__":
    unittest.main()
