"""Permanent failures decided without any remote MTA, each ending in an RFC 3464 DSN to the
sender and an empty queue:

  * null MX (RFC 7505: "0 .")           -> Status 5.1.10
  * NXDOMAIN for the recipient domain   -> Status 5.1.2
  * retries that outlive router.retry.max_age against a remote that answers 451 forever
                                        -> Status 4.4.7, Action: failed

The sender's domain routes to a maildir, so the DSN the router queues is delivered there and
parsed with Python's email package."""
import unittest

from support.mail import connect, make_message, parse, submit, wait_for_maildir
from support.net import wait_until
from support.postern import posternctl
from support.testcase import PosternTestCase

ZONE = """
nullmx.test.   60 IN MX 0 .
alive.test.    60 IN MX 10 mx.alive.test.
mx.alive.test. 60 IN A 127.0.0.1
"""


def delivery_status(dsn):
    """(per-message block, [per-recipient blocks]) of a multipart/report DSN."""
    parts = {p.get_content_type(): p for p in dsn.get_payload()}
    blocks = parts["message/delivery-status"].get_payload()
    return blocks[0], blocks[1:]


class UnroutableBounces(PosternTestCase):
    ZONE = ZONE

    def start_node(self, internet, retry=None):
        self.cfg = cfg = self.node_config()
        cfg.route(["sender.test"], "senders", self.maildir_dest("senders"))
        cfg.route(["*"], "internet", internet)
        if retry:
            cfg.data["router"]["retry"] = retry
        cfg.user("alice@sender.test", "alice-pw")
        self.node = self.start_postern("all", cfg)

    def start_direct_node(self, port=25):
        self.start_node({"smtp": {"mode": "direct", "port": port, "tls": "none"}})

    def send(self, rcpt):
        data, msgid = make_message("alice@sender.test", rcpt, subject="will bounce")
        client = connect(self.node.port("submission"), tls="starttls", user="alice@sender.test",
                         password="alice-pw")
        code, text = submit(client, "alice@sender.test", [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        return msgid

    def bounce_for(self, rcpt, msgid, timeout=60):
        """Waits for the one DSN in the senders' maildir and checks what every DSN must say;
        returns its per-recipient block."""
        [raw] = wait_for_maildir(f"{self.workdir}/senders", 1, timeout=timeout)
        dsn = parse(raw)
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        self.assertEqual(dsn.get_param("report-type"), "delivery-status")
        self.assertIn("alice@sender.test", dsn["To"])
        self.assertIn(msgid, raw.decode(errors="replace"))  # the original's headers
        _, [rcpt_block] = delivery_status(dsn)
        self.assertIn(rcpt, rcpt_block["Final-Recipient"])
        self.assertEqual(rcpt_block["Action"].strip(), "failed")
        return rcpt_block

    def assert_queue_empties(self):
        def empty():
            run = posternctl(self.cfg, "queue", "list")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            return "Mail queue is empty" in run.stdout
        wait_until(empty, 30, "the queue to be empty", interval=0.2)

    def test_null_mx_bounces_with_5_1_10(self):
        self.start_direct_node()
        msgid = self.send("bob@nullmx.test")
        block = self.bounce_for("bob@nullmx.test", msgid)
        self.assertEqual(block["Status"].strip(), "5.1.10")
        self.assertIn("556", block["Diagnostic-Code"])
        self.assert_queue_empties()
        self.assertIn(("nullmx.test", "MX"), self.dns.resolver.queries)

    def test_nxdomain_bounces_with_5_1_2(self):
        self.start_direct_node()
        msgid = self.send("carol@nowhere.test")
        block = self.bounce_for("carol@nowhere.test", msgid)
        self.assertEqual(block["Status"].strip(), "5.1.2")
        self.assert_queue_empties()
        self.assertIn(("nowhere.test", "MX"), self.dns.resolver.queries)

    def test_expiry_after_max_age_bounces_with_4_4_7(self):
        sink = self.start_sink()
        sink.defer_all = True  # 451 4.3.0 to every RCPT, forever
        self.start_node({"smtp": {"mode": "direct", "port": sink.port, "tls": "none"}},
                        retry={"schedule": ["1s"], "max_age": "3s"})
        msgid = self.send("dave@alive.test")
        block = self.bounce_for("dave@alive.test", msgid)
        self.assertEqual(block["Status"].strip(), "4.4.7")
        # The last reply the remote gave is the diagnostic.
        self.assertIn("451", block.get("Diagnostic-Code", ""))
        # It was retried (more than one attempt) before it expired, and never accepted.
        self.assertGreaterEqual(len(sink.rcpts), 2, sink.rcpts)
        self.assertEqual(sink.messages, [])
        self.assert_queue_empties()


if __name__ == "__main__":
    unittest.main(verbosity=2)
