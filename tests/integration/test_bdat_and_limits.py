"""The edge's BDAT/CHUNKING and its limits, over a raw socket against the real `postern all`,
with a real sink as the local mail store:

  * BDAT n + BDAT m LAST is delivered byte for byte (BDAT has no dot-stuffing and no end
    marker: a chunk may hold "\\r\\n.\\r\\n" and lines starting with "."; the router must
    dot-stuff them when it relays with DATA).
  * SIZE: declared too big at MAIL (552 5.3.4), actually too big with DATA and with BDAT
    (552 5.3.4) -- and nothing of them is delivered.
  * max_recipients: the next RCPT gets 452 4.5.3; the accepted ones still get the mail.
  * error_limit: after that many errors 421 and the connection is closed.

"Nothing delivered" is proven with a canary sent after the refused messages: a refused message
was never queued, so the first (and only) message the sink gets must be the canary.
"""
import unittest

from support.mail import connect, make_message, submit
from support.raw_smtp import RawSmtp
from support.recording_sink import RecordingSink
from support.testcase import PosternTestCase

MAX_BYTES = 4096
MAX_RCPTS = 3
ERROR_LIMIT = 3


def body_of_size(size, subject):
    """A message of exactly `size` octets (CRLF lines of at most 1000 octets)."""
    out = f"Subject: {subject}\r\n\r\n".encode()
    assert size - len(out) >= 2, size
    while len(out) < size:
        room = size - len(out)
        n = min(998, room - 2)
        if room - (n + 2) == 1:
            n -= 1  # never leave a single octet: a line needs its CRLF
        out += b"x" * n + b"\r\n"
    assert len(out) == size, len(out)
    return out


class BdatAndLimits(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.sink = RecordingSink().start()
        self.addCleanup(self.sink.stop)
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "store", self.sink_dest(self.sink))
        cfg.data["edge"]["limits"] = {"max_message_bytes": MAX_BYTES,
                                      "max_recipients": MAX_RCPTS, "error_limit": ERROR_LIMIT}
        self.node = self.start_postern("all", cfg)

    def open(self):
        raw = RawSmtp(self.node.port("mx"))
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        code, lines = raw.cmd("EHLO client.test")
        self.assertEqual(code, 250, lines)
        self.assertIn("CHUNKING", lines)
        self.assertIn(f"SIZE {MAX_BYTES}", lines)
        return raw

    def envelope(self, raw, rcpts=("rcpt@example.test",), mail_params=""):
        self.assertEqual(raw.cmd(f"MAIL FROM:<sender@sender.test>{mail_params}")[0], 250)
        for rcpt in rcpts:
            code, lines = raw.cmd(f"RCPT TO:<{rcpt}>")
            self.assertEqual(code, 250, lines)

    def send_canary(self):
        data, msgid = make_message("canary@sender.test", "canary@example.test")
        client = connect(self.node.port("mx"))
        code, text = submit(client, "canary@sender.test", ["canary@example.test"], data)
        client.quit()
        self.assertEqual(code, 250, text)
        return msgid

    def assert_only_canary_arrives(self):
        msgid = self.send_canary()
        [first] = self.sink.wait_for_messages(1)
        self.assertIn(msgid.encode(), first.data, "a refused message was delivered")
        self.assertEqual(len(self.sink.messages), 1, self.sink.messages)

    # -- BDAT --

    def test_bdat_chunks_are_delivered_intact(self):
        first = (b"Subject: chunked\r\nMessage-ID: <chunked@tests.postern.test>\r\n\r\n"
                 b"line one\r\n.a line that starts with a dot\r\n")
        second = (b"..two dots\r\n.\r\nnot the end: BDAT has no end marker\r\n"
                  b"last line\r\n")
        raw = self.open()
        self.envelope(raw)
        raw.send(f"BDAT {len(first)}\r\n".encode() + first)
        code, lines = raw.reply()
        self.assertEqual(code, 250, lines)
        raw.send(f"BDAT {len(second)} LAST\r\n".encode() + second)
        code, lines = raw.reply()
        self.assertEqual(code, 250, lines)
        self.assertEqual(raw.cmd("QUIT")[0], 221)

        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, ["rcpt@example.test"])
        # The edge prepends Received; everything we sent follows unchanged.
        self.assertTrue(msg.data.startswith(b"Received: "), msg.data[:200])
        self.assertTrue(msg.data.endswith(first + second), msg.data)

    # -- SIZE --

    def test_declared_size_over_the_limit_is_refused_at_mail(self):
        raw = self.open()
        code, lines = raw.cmd(f"MAIL FROM:<sender@sender.test> SIZE={MAX_BYTES + 1}")
        self.assertEqual(code, 552, lines)
        self.assertTrue(lines[0].startswith("5.3.4"), lines)
        # No transaction was opened: RCPT is out of sequence.
        code, lines = raw.cmd("RCPT TO:<rcpt@example.test>")
        self.assertEqual(code, 503, lines)
        # Exactly the limit is fine (RFC 1870: SIZE is the largest acceptable message).
        code, lines = raw.cmd(f"MAIL FROM:<sender@sender.test> SIZE={MAX_BYTES}")
        self.assertEqual(code, 250, lines)

    def test_actual_size_limit_is_exact(self):
        # A message of exactly max_message_bytes octets is accepted (the SIZE count excludes
        # the ".\r\n" terminator and dot-stuffing), one octet more is not.
        raw = self.open()
        for size, want in ((MAX_BYTES, 250), (MAX_BYTES + 1, 552)):
            with self.subTest(size=size):
                self.envelope(raw, [f"exact-{size}@example.test"])
                self.assertEqual(raw.cmd("DATA")[0], 354)
                raw.send(body_of_size(size, f"exactly {size}") + b".\r\n")
                code, lines = raw.reply()
                self.assertEqual(code, want, lines)
        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(msg.rcpt_tos, [f"exact-{MAX_BYTES}@example.test"])
        self.assertTrue(msg.data.endswith(body_of_size(MAX_BYTES, f"exactly {MAX_BYTES}")))

    def test_actual_size_over_the_limit_is_refused_and_not_delivered(self):
        body = body_of_size(MAX_BYTES + 1000, "too big")

        raw = self.open()
        self.envelope(raw, ["big-data@example.test"])
        self.assertEqual(raw.cmd("DATA")[0], 354)
        raw.send(body + b".\r\n")
        code, lines = raw.reply()
        self.assertEqual(code, 552, lines)
        self.assertTrue(lines[0].startswith("5.3.4"), lines)

        self.envelope(raw, ["big-bdat@example.test"])
        raw.send(f"BDAT {len(body)} LAST\r\n".encode() + body)
        code, lines = raw.reply()
        self.assertEqual(code, 552, lines)
        self.assertTrue(lines[0].startswith("5.3.4"), lines)
        # The session is still in step and usable.
        self.assertEqual(raw.cmd("NOOP")[0], 250)
        self.assertEqual(raw.cmd("QUIT")[0], 221)

        self.assert_only_canary_arrives()

    # -- recipients --

    def test_too_many_recipients_get_452_and_the_rest_get_the_mail(self):
        rcpts = [f"r{i}@example.test" for i in range(MAX_RCPTS)]
        raw = self.open()
        self.envelope(raw, rcpts)
        code, lines = raw.cmd("RCPT TO:<one-too-many@example.test>")
        self.assertEqual(code, 452, lines)
        self.assertTrue(lines[0].startswith("4.5.3"), lines)
        self.assertEqual(raw.cmd("DATA")[0], 354)
        raw.send(b"Subject: three\r\n\r\nhello\r\n.\r\n")
        code, lines = raw.reply()
        self.assertEqual(code, 250, lines)
        raw.cmd("QUIT")

        [msg] = self.sink.wait_for_messages(1)
        self.assertEqual(sorted(msg.rcpt_tos), rcpts)

    # -- error limit --

    def test_error_limit_ends_in_421_and_close(self):
        raw = self.open()
        for i in range(ERROR_LIMIT - 1):
            code, lines = raw.cmd("FOO")
            self.assertEqual(code // 100, 5, lines)
        # The last allowed error is answered, then 421, then the server closes.
        code, lines = raw.cmd("FOO")
        self.assertEqual(code // 100, 5, lines)
        code, lines = raw.reply()
        self.assertEqual(code, 421, lines)
        self.assertTrue(raw.closed_by_peer())


if __name__ == "__main__":
    unittest.main(verbosity=2)
