"""STARTTLS on the MX listener with swaks as the client (`swaks -tls`), delivered to a maildir:
the quick start's path. The Received header records the TLS session (RFC 3848 ESMTPS)."""
import subprocess
import unittest

from support.mail import parse, wait_for_maildir
from support.testcase import PosternTestCase


class StartTlsWithSwaks(PosternTestCase):
    def setUp(self):
        super().setUp()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "mailbox", self.maildir_dest())
        self.node = self.start_postern("all", cfg)

    def swaks(self, *args):
        return subprocess.run(
            ["swaks", "--server", f"127.0.0.1:{self.node.port('mx')}", "--helo", "client.test",
             "--from", "you@example.org", "--to", "someone@example.test", *args],
            capture_output=True, text=True, timeout=60)

    def test_swaks_tls_is_delivered_to_maildir(self):
        run = self.swaks("-tls", "--header", "Subject: quick start")
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("TLS started", run.stdout)
        self.assertRegex(run.stdout, r"<~  250 [0-9.]+ .*queued as \S+")
        [data] = wait_for_maildir(f"{self.workdir}/maildir", 1)
        msg = parse(data)
        self.assertEqual(msg["Subject"], "quick start")
        received = msg.get_all("Received")
        self.assertTrue(received, data[:500])
        self.assertIn("ESMTPS", received[0])

    def test_plaintext_on_mx_still_works(self):
        run = self.swaks()
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        [data] = wait_for_maildir(f"{self.workdir}/maildir", 1)
        self.assertNotIn("ESMTPS", parse(data).get_all("Received")[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
