"""Moving keys between keystores with posternctl keymgmt, each keystore a real process with
its own data dir and identity: a NEK by password file, DKIM bundles by password and sealed for
the destination's identity. Fingerprints must match on both sides; wrong passwords, tampered
files and bundles for another identity are refused with a clear message and change nothing;
the destination then signs with the transferred keys."""
import hashlib
import unittest

from support.keymgmt import KeystoreTestCase, parse_dkim_table, slurp, verify_dkim_signature

PASSWORD = "correct horse battery staple"


def flip_last_byte(data):
    return data[:-1] + bytes([data[-1] ^ 0x01])


class NekTransfer(KeystoreTestCase):
    def test_export_then_import_on_another_keystore(self):
        src = self.start_keystore("src")
        dst = self.start_keystore("dst")
        self.assertNotEqual(self.ok(src, "show", "identity").stdout,
                            self.ok(dst, "show", "identity").stdout)
        created = self.fingerprint_in(self.ok(src, "create", "nek", "main").stdout)
        pw = self.write("pw", PASSWORD + "\n")
        nek_file = self.workdir + "/main.nek"
        out = self.ok(src, "export", "nek", "main", nek_file, "--password-file", pw).stdout
        self.assertEqual(self.fingerprint_in(out), created)
        # Never replaces a file.
        run = self.refused(src, "export", "nek", "main", nek_file, "--password-file", pw)
        self.assertIn("exists", run.stderr)

        # Wrong password, tampered file: refused, saying which; nothing changes.
        wrong = self.write("wrong-pw", "not the password\n")
        run = self.refused(dst, "import", "nek", nek_file, "--password-file", wrong)
        self.assertIn("password", run.stderr.lower())
        tampered = self.write("tampered.nek", flip_last_byte(slurp(nek_file)))
        run_t = self.refused(dst, "import", "nek", tampered, "--password-file", pw)
        self.assertNotEqual(run_t.stderr, run.stderr)
        self.assertRegex(run_t.stderr.lower(), "tamper|altered|modified|corrupt")
        self.assertIn("no NEKs", self.ok(dst, "list", "nek").stdout)

        # The password from stdin (a prompt on a terminal).
        out = self.ok(dst, "import", "nek", nek_file, input=PASSWORD + "\n").stdout
        self.assertEqual(self.fingerprint_in(out), created)
        self.assertIn(created, self.ok(dst, "list", "nek").stdout)
        # Same key again: idempotent.
        self.ok(dst, "import", "nek", nek_file, "--password-file", pw)
        self.assertEqual(self.ok(dst, "list", "nek").stdout, self.ok(src, "list", "nek").stdout)


class BundleTransfer(KeystoreTestCase):
    def make_source(self):
        src = self.start_keystore("src")
        self.ok(src, "create", "nek", "main")
        self.ok(src, "create", "credstore", "main")
        self.ok(src, "create", "dkim", "example.com", "rsa2026", "rsa", "2048")
        self.ok(src, "create", "dkim", "example.com", "ed2026", "ed25519")
        self.ok(src, "create", "dkim", "other.org", "s1", "ed25519")
        return src

    def make_destination(self, name):
        dst = self.start_keystore(name)
        self.ok(dst, "create", "nek", "local")
        self.ok(dst, "create", "credstore", "local")
        return dst

    def assert_signs_with_transferred_keys(self, dst, keys):
        digest = hashlib.sha256(b"DKIM header hash input").digest()
        signer = self.signer(dst)
        for domain, selector in keys:
            key_type, p = self.published_key(dst, domain, selector)
            [(algorithm, signature)] = signer.sign([(domain, selector, digest)])
            verify_dkim_signature(p, key_type, algorithm, signature, digest)

    def test_by_password(self):
        src = self.make_source()
        dst = self.make_destination("dst")
        source_rows = parse_dkim_table(self.ok(src, "list", "dkim", "example.com").stdout)
        pw = self.write("pw", PASSWORD + "\n")
        bundle = self.workdir + "/example.bundle"
        out = self.ok(src, "export", "dkim", bundle, "--domain", "example.com",
                      "--password-file", pw).stdout
        self.assertIn("2 keys", out)

        tampered = self.write("tampered.bundle", flip_last_byte(slurp(bundle)))
        self.refused(dst, "import", "credstore", tampered, "--password-file", pw)
        wrong = self.write("wrong-pw", "nope\n")
        run = self.refused(dst, "import", "credstore", bundle, "--password-file", wrong)
        self.assertIn("password", run.stderr.lower())
        self.assertIn("no DKIM keys", self.ok(dst, "list", "dkim").stdout)

        out = self.ok(dst, "import", "credstore", bundle, "--password-file", pw).stdout
        self.assertIn("2 imported, 0 already present", out)
        for (_, selector), (_, _, fp) in source_rows.items():
            self.assertIn(f"imported   example.com {selector}", out)
            self.assertIn(fp, out)
        self.assertEqual(parse_dkim_table(self.ok(dst, "list", "dkim").stdout), source_rows)
        # Twice: nothing changes.
        out = self.ok(dst, "import", "credstore", bundle, input=PASSWORD + "\n").stdout
        self.assertIn("0 imported, 2 already present", out)
        self.assertEqual(parse_dkim_table(self.ok(dst, "list", "dkim").stdout), source_rows)
        self.assert_signs_with_transferred_keys(dst, source_rows)

    def test_by_recipient_identity(self):
        src = self.make_source()
        dst = self.make_destination("dst")
        other = self.make_destination("other")
        identity = self.ok(dst, "show", "identity").stdout
        recipient = identity.split("public key:")[1].split()[0]
        bundle = self.workdir + "/for-dst.bundle"
        out = self.ok(src, "export", "dkim", bundle, "--recipient", recipient).stdout
        self.assertIn("3 keys", out)

        # Sealed for dst: another keystore cannot open it; a bad recipient key is refused.
        self.refused(other, "import", "credstore", bundle)
        self.assertIn("no DKIM keys", self.ok(other, "list", "dkim").stdout)
        self.refused(src, "export", "dkim", self.workdir + "/x.bundle", "--recipient", "AAAA")
        tampered = self.write("tampered.bundle", flip_last_byte(slurp(bundle)))
        self.refused(dst, "import", "credstore", tampered)
        self.assertIn("no DKIM keys", self.ok(dst, "list", "dkim").stdout)

        source_rows = parse_dkim_table(self.ok(src, "list", "dkim").stdout)
        out = self.ok(dst, "import", "credstore", bundle).stdout
        self.assertIn("3 imported, 0 already present", out)
        self.assertEqual(parse_dkim_table(self.ok(dst, "list", "dkim").stdout), source_rows)
        self.assertIn("0 imported, 3 already present",
                      self.ok(dst, "import", "credstore", bundle).stdout)
        self.assert_signs_with_transferred_keys(dst, source_rows)


if __name__ == "__main__":
    unittest.main()
