"""`postern hash-password` makes the hashes the directory uses: the hash of a password given on
stdin is put into a config as a user's password, and AUTH on the submission port then succeeds
with that password and fails with any other (535 5.7.8)."""
import base64
import subprocess
import unittest

from support.mail import connect, make_message, submit
from support.passwords import verify
from support.postern import POSTERN_BIN
from support.testcase import PosternTestCase

PASSWORD = "correct horse battery staple – ünïcode"


def auth_plain(client, user, password):
    """AUTH PLAIN with a UTF-8 password (RFC 4616; smtplib's login() only sends ASCII)."""
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    code, text = client.docmd("AUTH", "PLAIN " + token)
    return code, text


def hash_password(stdin):
    return subprocess.run([POSTERN_BIN, "hash-password"], input=stdin, capture_output=True,
                          timeout=60)


class HashPassword(PosternTestCase):
    def test_hash_from_stdin_authenticates_and_a_wrong_password_does_not(self):
        run = hash_password(PASSWORD.encode() + b"\n")
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stdout.decode().splitlines()
        self.assertEqual(len(lines), 1, run.stdout)
        hashed = lines[0]
        self.assertTrue(hashed.startswith("$argon2id$"), hashed)
        self.assertNotIn(PASSWORD.encode(), run.stdout + run.stderr)  # never echoed
        # libsodium itself (not Postern) agrees, and the line ending was not hashed.
        self.assertTrue(verify(hashed, PASSWORD))
        self.assertFalse(verify(hashed, PASSWORD + "\n"))

        sink = self.start_sink()
        cfg = self.node_config()
        cfg.route(["*"], "out", self.sink_dest(sink))
        cfg.users.append({"name": "Erin", "addresses": ["erin@postern.test"],
                          "password": hashed})
        node = self.start_postern("all", cfg)

        client = connect(node.port("submission"), tls="starttls")
        code, text = auth_plain(client, "erin@postern.test", PASSWORD)
        self.assertEqual(code, 235, text)
        data, msgid = make_message("erin@postern.test", "frank@remote.test")
        code, text = submit(client, "erin@postern.test", ["frank@remote.test"], data)
        client.quit()
        self.assertEqual(code, 250, text)
        [msg] = sink.wait_for_messages(1)
        self.assertIn(msgid.encode(), msg.data)

        for wrong in ("correct horse battery staple", PASSWORD.upper(), PASSWORD + "\n", "x"):
            with self.subTest(wrong=wrong):
                client = connect(node.port("submission"), tls="starttls")
                code, text = auth_plain(client, "erin@postern.test", wrong)
                client.close()
                self.assertEqual(code, 535, text)
                self.assertTrue(text.startswith(b"5.7.8"), text)

    def test_each_hash_is_salted(self):
        first, second = (hash_password(b"same password\n") for _ in range(2))
        self.assertEqual((first.returncode, second.returncode), (0, 0))
        self.assertNotEqual(first.stdout, second.stdout)
        self.assertTrue(verify(first.stdout.decode().strip(), "same password"))
        self.assertTrue(verify(second.stdout.decode().strip(), "same password"))

    def test_an_empty_password_is_refused(self):
        for stdin in (b"", b"\n"):
            with self.subTest(stdin=stdin):
                run = hash_password(stdin)
                self.assertNotEqual(run.returncode, 0, run.stdout)
                self.assertEqual(run.stdout, b"")
                self.assertIn(b"password", run.stderr.lower())  # says what is wrong


if __name__ == "__main__":
    unittest.main(verbosity=2)
