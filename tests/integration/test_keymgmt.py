"""posternctl keymgmt against a real `postern keystore` process: the admin workflow (NEK,
credential store, DKIM keys created and imported, DNS records an admin can paste), the
tokens that guard both services, the signing oracle, no plaintext key at rest or in logs,
and restart. Fingerprints and records are recomputed here with python3-cryptography."""
import base64
import grpc
import hashlib
import os
import re
import stat
import subprocess
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from support.grpc_client import GrpcClient, pb
from support.keymgmt import (KeystoreTestCase, dns_value_from_output, grouped_sha256, slurp,
                             parse_dkim_table, parse_txt, public_bytes_of_pem,
                             verify_dkim_signature)
from support.postern import POSTERNCTL_BIN, cluster_token


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class KeymgmtWorkflow(KeystoreTestCase):
    def setUp(self):
        super().setUp()
        self.ks = self.start_keystore("ks1")

    def setup_credstore(self):
        fp = self.fingerprint_in(self.ok(self.ks, "create", "nek", "main").stdout)
        out = self.ok(self.ks, "create", "credstore", "main").stdout
        self.assertIn(fp, out)
        return fp

    def test_admin_workflow(self):
        ks = self.ks
        # Before a credential store exists, DKIM operations say how to make one.
        run = self.refused(ks, "create", "dkim", "example.com", "s1", "ed25519")
        self.assertIn("create credstore", run.stderr)
        self.assertIn("create credstore", self.refused(ks, "show", "credstore").stderr)

        nek_fp = self.setup_credstore()
        self.assertIn(nek_fp, self.ok(ks, "list", "nek").stdout)
        self.assertIn("main", self.ok(ks, "show", "credstore").stdout)
        self.refused(ks, "create", "nek", "main")  # exists already

        created = self.ok(ks, "create", "dkim", "Example.COM.", "rsa2026", "rsa", "2048").stdout
        self.assertIn("rsa2026._domainkey.example.com", created)
        self.ok(ks, "create", "dkim", "example.com", "ed2026", "ed25519")
        self.ok(ks, "create", "dkim", "other.org", "s1", "ed25519")
        self.refused(ks, "create", "dkim", "example.com", "bad", "rsa", "512")
        self.refused(ks, "create", "dkim", "example.com", "bad_selector!", "ed25519")

        rows = parse_dkim_table(self.ok(ks, "list", "dkim").stdout)
        self.assertEqual(set(rows), {("example.com", "rsa2026"), ("example.com", "ed2026"),
                                     ("other.org", "s1")})
        self.assertEqual(rows[("example.com", "rsa2026")][:2], ("rsa", 2048))
        self.assertEqual(rows[("example.com", "ed2026")][:2], ("ed25519", 256))
        self.assertEqual(set(parse_dkim_table(self.ok(ks, "list", "dkim", "other.org").stdout)),
                         {("other.org", "s1")})

        # DNS records: the fingerprint is SHA-256 of the p= bytes; RSA p= is an SPKI that
        # cryptography loads; Ed25519 p= is the raw 32-byte key.
        for (domain, selector), (key_type, bits, fp) in rows.items():
            out = self.ok(ks, "export", "dkim", "dns", domain, selector).stdout
            self.assertIn(f"{selector}._domainkey.{domain}", out)
            tags = parse_txt(dns_value_from_output(out))
            self.assertEqual((tags["v"], tags["k"]), ("DKIM1", key_type))
            p = base64.b64decode(tags["p"], validate=True)
            self.assertEqual(grouped_sha256(p), fp, f"{selector}._domainkey.{domain}")
            if key_type == "rsa":
                pub = serialization.load_der_public_key(p)
                self.assertIsInstance(pub, rsa.RSAPublicKey)
                self.assertEqual(pub.key_size, bits)
            else:
                self.assertEqual(len(p), 32)
                ed25519.Ed25519PublicKey.from_public_bytes(p)

        # The zone-file form: RSA values split into quoted strings of at most 255 bytes.
        zone = os.path.join(self.workdir, "rsa.zone")
        out = self.ok(ks, "export", "dkim", "dns", "example.com", "rsa2026", zone).stdout
        line = slurp(zone, text=True).strip()
        self.assertTrue(line.startswith("rsa2026._domainkey.example.com. 3600 IN TXT ("), line)
        strings = re.findall(r'"([^"]*)"', line)
        self.assertGreater(len(strings), 1)
        self.assertTrue(all(len(s) <= 255 for s in strings))
        self.assertEqual("".join(strings), dns_value_from_output(out))

        # Delete.
        self.ok(ks, "delete", "dkim", "other.org", "s1")
        self.refused(ks, "delete", "dkim", "other.org", "s1")
        self.refused(ks, "export", "dkim", "dns", "other.org", "s1")
        self.assertNotIn(("other.org", "s1"), parse_dkim_table(self.ok(ks, "list", "dkim").stdout))

    def test_import_pem_keys_made_by_openssl(self):
        self.setup_credstore()
        ks = self.ks
        pkcs1 = os.path.join(self.workdir, "rsa-pkcs1.pem")
        openssl("genrsa", "-traditional", "-out", pkcs1, "2048")
        pkcs8_rsa = os.path.join(self.workdir, "rsa-pkcs8.pem")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024",
                "-out", pkcs8_rsa)
        pkcs8_ed = os.path.join(self.workdir, "ed.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", pkcs8_ed)
        self.assertIn(b"BEGIN RSA PRIVATE KEY", slurp(pkcs1))
        self.assertIn(b"BEGIN PRIVATE KEY", slurp(pkcs8_ed))

        for selector, path, key_type in (("p1", pkcs1, "rsa"), ("p8", pkcs8_rsa, "rsa"),
                                         ("ed", pkcs8_ed, "ed25519")):
            expected = grouped_sha256(public_bytes_of_pem(slurp(path)))
            out = self.ok(ks, "import", "dkim", "example.net", selector, path).stdout
            self.assertIn(expected, out)
            self.assertEqual(self.published_key(ks, "example.net", selector),
                             (key_type, public_bytes_of_pem(slurp(path))))
        rows = parse_dkim_table(self.ok(ks, "list", "dkim", "example.net").stdout)
        self.assertEqual(rows[("example.net", "p1")][:2], ("rsa", 2048))
        self.assertEqual(rows[("example.net", "p8")][:2], ("rsa", 1024))

        # Importing another key over a name needs --overwrite.
        run = self.refused(ks, "import", "dkim", "example.net", "p1", pkcs8_ed)
        self.assertIn("p1", run.stderr)
        out = self.ok(ks, "import", "dkim", "example.net", "p1", pkcs8_ed, "--overwrite").stdout
        self.assertIn(grouped_sha256(public_bytes_of_pem(slurp(pkcs8_ed))), out)
        # Not a key at all.
        junk = self.write("junk.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        self.refused(ks, "import", "dkim", "example.net", "junk", junk)

    def test_tokens_guard_both_services(self):
        ks = self.ks
        self.setup_credstore()
        self.ok(ks, "create", "dkim", "example.com", "ed1", "ed25519")
        admin = slurp(ks.config.path("admin.token"), text=True).strip()
        cluster = cluster_token(ks.config)
        self.assertNotEqual(admin, cluster)
        self.assertEqual(stat.S_IMODE(os.stat(ks.config.path("var", "cluster.token")).st_mode),
                         0o600)

        # posternctl with a wrong admin token.
        wrong = self.write("wrong.token", "f" * 64)
        run = self.refused(ks, "list", "dkim", token_file=wrong)
        self.assertIn("refused the admin token", run.stderr)
        self.assertNotIn("f" * 64, run.stderr + run.stdout)

        ks_pb = pb("postern/v1/keystore.proto")
        address = f"127.0.0.1:{ks.config.keystore_port}"
        digest = hashlib.sha256(b"header hash input").digest()
        sign = ks_pb.SignRequest(digests=[ks_pb.DigestToSign(domain="example.com",
                                                             selector="ed1", digest=digest)])
        with GrpcClient(address) as client:
            for method, request, reply, good in (
                    ("/postern.v1.Keystore/Sign", sign, ks_pb.SignReply, cluster),
                    ("/postern.v1.KeyManagement/ListDkim", ks_pb.ListDkimRequest(),
                     ks_pb.ListDkimReply, admin)):
                bad_tokens = ["", "wrong", admin if good == cluster else cluster, good + "x"]
                for token in bad_tokens:
                    with self.assertRaises(grpc.RpcError, msg=f"{method} {token!r}") as e:
                        client.call(method, request, reply, token=token)
                    self.assertEqual(e.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
                client.call(method, request, reply, token=good)  # and the right one works

        # The signing oracle: signatures verify against the published key.
        key_type, p = self.published_key(ks, "example.com", "ed1")
        [(algorithm, signature)] = self.signer(ks).sign([("example.com", "ed1", digest)])
        verify_dkim_signature(p, key_type, algorithm, signature, digest)

        # Health, as probes see it.
        run = subprocess.run([POSTERNCTL_BIN, "--server", address, "health"], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("SERVING", run.stdout)

    def test_sign_limits_and_all_or_nothing(self):
        self.setup_credstore()
        ks = self.ks
        self.ok(ks, "create", "dkim", "example.com", "a", "ed25519")
        self.ok(ks, "create", "dkim", "example.com", "b", "rsa", "1024")
        signer = self.signer(ks)
        d = hashlib.sha256(b"x").digest()
        sigs = signer.sign([("example.com", "a", d), ("example.com", "b", d)] * 32)  # 64
        self.assertEqual(len(sigs), 64)
        self.assertEqual({a for a, _ in sigs}, {"ed25519-sha256", "rsa-sha256"})
        for digests, code in (([("example.com", "a", d)] * 65, grpc.StatusCode.INVALID_ARGUMENT),
                              ([], grpc.StatusCode.INVALID_ARGUMENT),
                              ([("example.com", "a", d), ("example.com", "zz", d)],
                               grpc.StatusCode.NOT_FOUND),
                              ([("example.com", "a", d[:31])], grpc.StatusCode.INVALID_ARGUMENT)):
            with self.assertRaises(grpc.RpcError) as e:
                signer.sign(digests)
            self.assertEqual(e.exception.code(), code, e.exception.details())


class NoPlaintextAtRest(KeystoreTestCase):
    def test_no_private_key_bytes_on_disk_or_in_logs(self):
        ks = self.start_keystore("ks1")
        self.ok(ks, "create", "nek", "main")
        self.ok(ks, "create", "credstore", "main")
        rsa_pem = os.path.join(self.workdir, "known-rsa.pem")
        openssl("genrsa", "-traditional", "-out", rsa_pem, "2048")
        ed_pem = os.path.join(self.workdir, "known-ed.pem")
        openssl("genpkey", "-algorithm", "ed25519", "-out", ed_pem)
        self.ok(ks, "import", "dkim", "example.com", "rsa", rsa_pem)
        self.ok(ks, "import", "dkim", "example.com", "ed", ed_pem)
        secret_value = "relay-password-0f3c9a71b2"
        self.ok(ks, "set", "secret", "relay", "--username", "alice",
                "--value-file", self.write("secret.txt", secret_value + "\n"))

        digest = hashlib.sha256(b"to be signed").digest()
        signer = self.signer(ks)
        for selector in ("rsa", "ed"):
            key_type, p = self.published_key(ks, "example.com", selector)
            [(algorithm, signature)] = signer.sign([("example.com", selector, digest)])
            verify_dkim_signature(p, key_type, algorithm, signature, digest)
        self.assertEqual(signer.get_secret("relay").value, secret_value.encode())
        ks.stop()

        # What must not appear anywhere: PEM markers and body lines, the raw private values.
        needles = [b"PRIVATE KEY", secret_value.encode()]
        for path in (rsa_pem, ed_pem):
            pem = slurp(path)
            needles += [line for line in pem.splitlines() if line and not line.startswith(b"-----")]
        rsa_key = serialization.load_pem_private_key(slurp(rsa_pem), None)
        numbers = rsa_key.private_numbers()
        for n in (numbers.d, numbers.p, numbers.q):
            needles.append(n.to_bytes((n.bit_length() + 7) // 8, "big"))
        ed_key = serialization.load_pem_private_key(slurp(ed_pem), None)
        seed = ed_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
        needles += [seed, base64.b64encode(seed)]

        data_dir = ks.config.path("var", "keystore")
        scanned = [ks.log_path]
        for root, _, files in os.walk(ks.config.path("var")):
            scanned += [os.path.join(root, f) for f in files]
        self.assertTrue(any(p.startswith(data_dir) for p in scanned))
        for path in scanned:
            content = slurp(path)
            for needle in needles:
                self.assertNotIn(needle, content, f"{path} holds private material")

        identity = ks.config.path("var", "keystore", "identity.key")
        self.assertEqual(stat.S_IMODE(os.stat(identity).st_mode), 0o600)


class RestartAndSecrets(KeystoreTestCase):
    def test_restart_keeps_everything_and_secrets_never_show(self):
        ks = self.start_keystore("ks1")
        identity = self.ok(ks, "show", "identity").stdout
        self.ok(ks, "create", "nek", "main")
        self.ok(ks, "create", "credstore", "main")
        self.ok(ks, "create", "dkim", "example.com", "ed", "ed25519")
        self.ok(ks, "create", "dkim", "example.com", "rsa", "rsa", "1024")
        self.ok(ks, "set", "secret", "relay-delta", "--username", "alice@example.com",
                "--value-file", self.write("v1", "s3cret-value-1\n"))
        # No --value-file: the value comes from stdin (a prompt on a terminal).
        self.ok(ks, "set", "secret", "api-key", input="s3cret-value-2\n")
        before = {verb: self.ok(ks, *verb).stdout
                  for verb in (("list", "nek"), ("list", "dkim"), ("list", "secret"),
                               ("show", "credstore"))}
        secrets = before[("list", "secret")]
        self.assertIn("relay-delta", secrets)
        self.assertIn("alice@example.com", secrets)
        self.assertIn("api-key", secrets)
        self.assertNotIn("s3cret", secrets)

        ks.stop()
        ks.start()
        self.assertEqual(self.ok(ks, "show", "identity").stdout, identity)
        for verb, out in before.items():
            self.assertEqual(self.ok(ks, *verb).stdout, out, verb)
        digest = hashlib.sha256(b"after restart").digest()
        for selector in ("ed", "rsa"):
            key_type, p = self.published_key(ks, "example.com", selector)
            [(algorithm, signature)] = self.signer(ks).sign([("example.com", selector, digest)])
            verify_dkim_signature(p, key_type, algorithm, signature, digest)
        secret = self.signer(ks).get_secret("relay-delta")
        self.assertEqual((secret.username, secret.value), ("alice@example.com", b"s3cret-value-1"))

        self.ok(ks, "delete", "secret", "api-key")
        self.refused(ks, "delete", "secret", "api-key")
        self.assertNotIn("api-key", self.ok(ks, "list", "secret").stdout)
        ks.stop()
        self.assertNotIn("s3cret", ks.log_text())


class AllRoleIncludesKeystore(KeystoreTestCase):
    def test_postern_all_runs_the_keystore(self):
        ks = self.start_keystore("all1", role="all")
        self.ok(ks, "create", "nek", "main")
        self.assertIn("main", self.ok(ks, "list", "nek").stdout)
        # posternctl finds the keystore from --config (keystore.listen), not router.listen.
        run = subprocess.run([POSTERNCTL_BIN, "--config", ks.config_path, "keymgmt", "list", "nek"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("main", run.stdout)


if __name__ == "__main__":
    unittest.main()
