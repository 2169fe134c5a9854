"""`postern keystore-identity create|show FILE`: the keystore identity an operator makes for the
Kubernetes Secret. Create writes a 0600 file and never overwrites anything (a file, a dangling
symlink); show applies the keystore's own load checks; and a real `postern keystore` started
with that file (keystore.identity) reports the same public key via `posternctl keymgmt show
identity`."""
import base64
import os
import re
import shutil
import stat
import subprocess
import unittest

from support.postern import POSTERN_BIN, NodeConfig, keymgmt
from support.testcase import PosternTestCase

PUBLIC_KEY_RE = r"^public key: (\S+)$"


def identity(*args, timeout=30):
    return subprocess.run([POSTERN_BIN, "keystore-identity", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


class KeystoreIdentityCommand(PosternTestCase):
    def public_key_in(self, stdout):
        m = re.search(PUBLIC_KEY_RE, stdout, re.M)
        self.assertIsNotNone(m, f"no 'public key:' line in {stdout!r}")
        self.assertEqual(len(base64.b64decode(m.group(1), validate=True)), 32)
        return m.group(1)

    def ok(self, *args):
        run = identity(*args)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        return run

    def refused(self, *args, needle):
        run = identity(*args)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertEqual(run.stdout, "")
        self.assertIn(needle, run.stderr)
        return run

    def test_create_show_and_refuse_overwrite(self):
        path = os.path.join(self.workdir, "identity.key")
        created = self.public_key_in(self.ok("create", path).stdout)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertTrue(stat.S_ISREG(os.lstat(path).st_mode))
        self.assertEqual(os.path.getsize(path), 85)  # keystore/identity.h, version 1
        self.assertEqual(self.public_key_in(self.ok("show", path).stdout), created)
        # The secret never reaches the terminal: only the public key is printed.
        self.assertNotIn(base64.b64encode(read_bytes(path)[37:69]).decode(),
                         self.ok("show", path).stdout)

        before = read_bytes(path)
        run = self.refused("create", path, needle="already exists")
        self.assertIn("refusing to overwrite", run.stderr)
        self.assertEqual(read_bytes(path), before)
        self.assertEqual([n for n in os.listdir(self.workdir) if ".tmp-" in n], [])

        # Two creates make two different identities.
        other = os.path.join(self.workdir, "other.key")
        self.assertNotEqual(self.public_key_in(self.ok("create", other).stdout), created)

    def test_create_never_follows_or_replaces_a_symlink(self):
        target = os.path.join(self.workdir, "target.key")
        link = os.path.join(self.workdir, "link.key")
        os.symlink(target, link)  # dangling: create must not write through it
        self.refused("create", link, needle="already exists")
        self.assertFalse(os.path.exists(target))

    def test_show_applies_the_keystores_load_checks(self):
        path = os.path.join(self.workdir, "identity.key")
        self.ok("create", path)
        # What a Kubernetes Secret volume looks like: group-readable, and behind a symlink.
        loose = os.path.join(self.workdir, "loose.key")
        shutil.copyfile(path, loose)
        os.chmod(loose, 0o640)
        self.refused("show", loose, needle="must be mode 0600")
        link = os.path.join(self.workdir, "linked.key")
        os.symlink(path, link)
        self.refused("show", link, needle=link)

        damaged = os.path.join(self.workdir, "damaged.key")
        data = bytearray(read_bytes(path))
        data[40] ^= 0x01
        with open(os.open(damaged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(data)
        self.refused("show", damaged, needle="damaged")
        self.refused("show", os.path.join(self.workdir, "missing.key"), needle="missing.key")
        self.refused("create", os.path.join(self.workdir, "no-dir", "identity.key"),
                     needle="no-dir")

    def test_usage_errors(self):
        for args in ((), ("create",), ("show",), ("rotate", "x.key")):
            with self.subTest(args=args):
                self.assertEqual(identity(*args).returncode, 2)

    def test_running_keystore_reports_the_created_identity(self):
        path = os.path.join(self.workdir, "identity.key")
        public_key = self.public_key_in(self.ok("create", path).stdout)
        cfg = NodeConfig(os.path.join(self.workdir, "ks"), self.dns.address, self.cert,
                         name="ks1")
        os.makedirs(cfg.workdir)
        cfg.data["keystore"]["identity"] = path
        ks = self.start_postern("keystore", cfg, name="postern-ks1")
        run = keymgmt(cfg, "show", "identity")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertEqual(self.public_key_in(run.stdout), public_key)
        # The keystore used the file as it is: no identity of its own in the data dir.
        self.assertFalse(os.path.exists(cfg.path("var", "keystore", "identity.key")))

        # Restarted, still the same identity; and `show` agrees with the running keystore.
        ks.stop()
        ks.start()
        run = keymgmt(cfg, "show", "identity")
        self.assertEqual(self.public_key_in(run.stdout), public_key)
        self.assertEqual(self.public_key_in(self.ok("show", path).stdout), public_key)


if __name__ == "__main__":
    unittest.main(verbosity=2)
