"""Outbound STARTTLS policy in direct delivery (destination smtp.tls, fallback_plain):

  * tls: required, remote offers no STARTTLS -> nothing is sent; the message stays queued and
    `posternctl queue show` names TLS as the reason.
  * tls: opportunistic, remote offers STARTTLS but the handshake fails:
      fallback_plain: true  -> reconnect without TLS and deliver in plain;
      fallback_plain: false -> no plain delivery; the message stays queued (TLS reason).

The broken STARTTLS peer answers "220" and then sends bytes that are not TLS and closes."""
import unittest

from support.mail import connect, make_message, queue_id_from, submit
from support.net import wait_until
from support.postern import posternctl
from support.recording_sink import RecordingSink
from support.testcase import PosternTestCase

ZONE = """
remote.test.    60 IN MX 10 mx.remote.test.
mx.remote.test. 60 IN A 127.0.0.1
"""


class OutboundTlsPolicy(PosternTestCase):
    ZONE = ZONE

    def start_recording_sink(self, **kwargs):
        sink = RecordingSink(**kwargs).start()
        self.addCleanup(sink.stop)
        return sink

    def start_node(self, port, **smtp):
        self.cfg = cfg = self.node_config()
        cfg.route(["*"], "internet", {"smtp": {"mode": "direct", "port": port, **smtp}})
        cfg.user("alice@postern.test", "alice-pw")
        # One attempt in the test's lifetime: "stays queued" is not a retry race.
        cfg.data["router"]["retry"] = {"schedule": ["1h"], "max_age": "5d"}
        self.node = self.start_postern("all", cfg)

    def send(self, rcpt="bob@remote.test"):
        data, msgid = make_message("alice@postern.test", rcpt)
        client = connect(self.node.port("submission"), tls="starttls", user="alice@postern.test",
                         password="alice-pw")
        code, text = submit(client, "alice@postern.test", [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        return queue_id_from(text), msgid

    def ctl(self, *args):
        run = posternctl(self.cfg, *args)
        self.assertEqual(run.returncode, 0, f"posternctl {args}: {run.stdout}{run.stderr}")
        return run.stdout

    def wait_for_attempt(self, qid):
        """Waits until the message's first attempt is recorded; returns `queue show`."""
        return wait_until(lambda: (lambda out: out if "1 attempt" in out else None)(
                              self.ctl("queue", "show", qid)),
                          30, f"a recorded attempt of {qid}", interval=0.2)

    def test_required_tls_without_starttls_keeps_the_message_queued(self):
        sink = self.start_sink()  # aiosmtpd without a TLS context: no STARTTLS offered
        self.start_node(sink.port, tls="required")
        qid, _ = self.send()
        shown = self.wait_for_attempt(qid)
        self.assertIn("pending", shown)
        self.assertIn("TLS", shown)          # the reason names TLS ...
        self.assertIn("4.7.4", shown)        # ... as "security features not supported"
        self.assertIn(qid, self.ctl("queue", "list"))
        # Nothing was offered in plain: no MAIL/RCPT reached the sink, no message.
        self.assertEqual((sink.rcpts, sink.messages), ([], []))

    def test_failed_handshake_falls_back_to_plain(self):
        sink = self.start_recording_sink(starttls="broken")
        self.start_node(sink.port, tls="opportunistic", fallback_plain=True)
        qid, msgid = self.send()
        [msg] = sink.wait_for_messages(1)
        self.assertIn(msgid.encode(), msg.data)
        self.assertFalse(msg.tls)
        self.assertGreaterEqual(sink.starttls_attempts, 1)  # TLS was tried first ...
        self.assertEqual(msg.connection, 2)                 # ... then a fresh plain session
        wait_until(lambda: qid not in self.ctl("queue", "list"), 30,
                   f"{qid} to leave the queue", interval=0.2)

    def test_failed_handshake_without_fallback_keeps_the_message_queued(self):
        sink = self.start_recording_sink(starttls="broken")
        self.start_node(sink.port, tls="opportunistic", fallback_plain=False)
        qid, _ = self.send()
        shown = self.wait_for_attempt(qid)
        self.assertIn("pending", shown)
        self.assertIn("TLS", shown)
        self.assertIn("4.7.5", shown)  # cryptographic failure
        self.assertEqual(sink.starttls_attempts, 1)
        self.assertEqual((sink.rcpts, sink.messages), ([], []))


if __name__ == "__main__":
    unittest.main(verbosity=2)
