"""5xx -> an RFC 3464 delivery status notification back to the sender. The sender's domain is
routed to a maildir, so the DSN the router generates and queues is delivered there; it is
parsed with Python's email package. A recipient the remote accepts is delivered normally and
is not in the DSN. A null-sender message never gets a DSN."""
import unittest

from support.mail import (connect, make_message, maildir_files, parse, submit,
                          wait_for_maildir)
from support.net import wait_until
from support.postern import posternctl
from support.testcase import PosternTestCase


class BounceWithDsn(PosternTestCase):
    def setUp(self):
        super().setUp()
        self.sink = self.start_sink(reject={"nobody@remote.test"})
        self.cfg = cfg = self.node_config(hostname="mx.postern.test")
        cfg.local_domains = ["remote.test", "sender.test"]
        cfg.route(["sender.test"], "senders", self.maildir_dest("senders"))
        cfg.route(["remote.test"], "remote", self.sink_dest(self.sink))
        self.node = self.start_postern("all", cfg)

    def send(self, mail_from, rcpts):
        data, msgid = make_message(mail_from or "mailer-daemon@else.test", ", ".join(rcpts),
                                   subject="will bounce")
        client = connect(self.node.port("mx"))
        code, text = submit(client, mail_from, rcpts, data)
        client.quit()
        self.assertEqual(code, 250, text)
        return msgid

    def test_550_produces_a_multipart_report_to_the_sender(self):
        msgid = self.send("alice@sender.test", ["nobody@remote.test", "ok@remote.test"])
        [delivered] = self.sink.wait_for_messages(1)
        self.assertEqual(delivered.rcpt_tos, ["ok@remote.test"])

        [raw] = wait_for_maildir(f"{self.workdir}/senders", 1, timeout=60)
        dsn = parse(raw)
        self.assertEqual(dsn.get_content_type(), "multipart/report")
        self.assertEqual(dsn.get_param("report-type"), "delivery-status")
        self.assertIn("alice@sender.test", dsn["To"])
        self.assertIn("MAILER-DAEMON", dsn["From"].upper())
        self.assertTrue(dsn["Auto-Submitted"].startswith("auto-replied"), dsn["Auto-Submitted"])
        # Delivered with the null reverse-path (the maildir writes Return-Path).
        self.assertIn(dsn["Return-Path"], ("<>", ""))

        parts = {p.get_content_type(): p for p in dsn.get_payload()}
        self.assertIn("text/plain", parts)
        self.assertIn("message/delivery-status", parts)
        blocks = parts["message/delivery-status"].get_payload()  # per-message, per-recipient
        self.assertIn("mx.postern.test", blocks[0]["Reporting-MTA"])
        recipients = blocks[1:]
        self.assertEqual(len(recipients), 1, [dict(b) for b in recipients])
        rcpt = recipients[0]
        self.assertIn("nobody@remote.test", rcpt["Final-Recipient"])
        self.assertEqual(rcpt["Action"].strip(), "failed")
        self.assertEqual(rcpt["Status"].strip(), "5.1.1")
        self.assertIn("550", rcpt["Diagnostic-Code"])

        original = parts.get("text/rfc822-headers") or parts.get("message/rfc822")
        self.assertIsNotNone(original, list(parts))
        self.assertIn(msgid, original.as_string())

    def test_null_sender_gets_no_dsn(self):
        self.send("", ["nobody@remote.test"])
        self.sink.wait_for_rcpts(1)
        # Failure mark and DSN are written in one batch: once the queue is empty, a DSN
        # would be queued or delivered already. Neither may exist.
        def queue_empty():
            run = posternctl(self.cfg, "queue", "list")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            return "Mail queue is empty" in run.stdout
        wait_until(queue_empty, 30, "the queue to be empty", interval=0.2)
        self.assertEqual(maildir_files(f"{self.workdir}/senders"), [])
        self.assertEqual(len(self.sink.messages), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
