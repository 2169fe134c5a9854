"""The RecordingSink peer itself (tests/support/recording_sink.py), with smtplib as the client:
it counts connections (not its own start-up probe), records MAIL parameters and the carrying
connection, binds a second loopback address, and its broken STARTTLS really breaks a handshake
while a plain session on a new connection still works. Needs no postern binary, so a broken
harness is told apart from a broken server: the reuse and fallback tests rely on these."""
import smtplib
import ssl
import tempfile
import unittest

from support.certs import client_context_no_verify, make_self_signed
from support.net import port_accepts
from support.recording_sink import RecordingSink


class RecordingSinkSelftest(unittest.TestCase):
    def start(self, **kwargs):
        sink = RecordingSink(**kwargs).start()
        self.addCleanup(sink.stop)
        return sink

    def test_counts_connections_and_records_parameters(self):
        sink = self.start()
        self.assertEqual(sink.connections, 0)
        for _ in range(2):
            client = smtplib.SMTP(sink.host, sink.port, timeout=10)
            client.ehlo("client.test")
            client.sendmail("jörg@a.test", ["zoë@b.test"], "Subject: x\r\n\r\nhé\r\n".encode(),
                            mail_options=["SMTPUTF8", "BODY=8BITMIME"])
            client.sendmail("a@a.test", ["b@b.test"], b"Subject: y\r\n\r\n.dot\r\n")
            client.quit()
        msgs = sink.wait_for_messages(4)
        self.assertEqual(sink.connections, 2)
        self.assertEqual([m.connection for m in msgs], [1, 1, 2, 2])
        self.assertEqual(msgs[0].mail_from, "jörg@a.test")
        self.assertEqual(msgs[0].rcpt_tos, ["zoë@b.test"])
        self.assertIn("SMTPUTF8", msgs[0].mail_options)
        self.assertIn("BODY=8BITMIME", msgs[0].mail_options)
        self.assertEqual(msgs[1].data, b"Subject: y\r\n\r\n.dot\r\n")  # dot-unstuffed
        self.assertFalse(msgs[0].tls)

    def test_binds_only_the_address_it_is_given(self):
        sink = self.start(host="127.0.0.2")
        self.assertTrue(port_accepts(sink.port, host="127.0.0.2"))
        self.assertFalse(port_accepts(sink.port, host="127.0.0.1"))

    def test_smtputf8_can_be_withheld(self):
        sink = self.start(smtputf8=False)
        client = smtplib.SMTP(sink.host, sink.port, timeout=10)
        client.ehlo("client.test")
        self.assertFalse(client.has_extn("smtputf8"))
        self.assertTrue(client.has_extn("8bitmime"))
        client.quit()

    def test_defer_all(self):
        sink = self.start()
        sink.defer_all = True
        client = smtplib.SMTP(sink.host, sink.port, timeout=10)
        client.ehlo("client.test")
        client.mail("a@a.test")
        self.assertEqual(client.rcpt("b@b.test")[0], 451)
        client.quit()
        self.assertEqual(sink.rcpts, [("b@b.test", "451 4.3.0 Try again later")])

    def test_broken_starttls_fails_the_handshake_and_plain_still_works(self):
        sink = self.start(starttls="broken")
        client = smtplib.SMTP(sink.host, sink.port, timeout=10)
        client.ehlo("client.test")
        self.assertTrue(client.has_extn("starttls"))
        with self.assertRaises((ssl.SSLError, OSError, smtplib.SMTPException)):
            client.starttls(context=client_context_no_verify())
        self.assertEqual(sink.starttls_attempts, 1)

        client = smtplib.SMTP(sink.host, sink.port, timeout=10)
        client.ehlo("client.test")
        client.sendmail("a@a.test", ["b@b.test"], b"Subject: plain\r\n\r\nok\r\n")
        client.quit()
        [msg] = sink.wait_for_messages(1)
        self.assertEqual((msg.tls, msg.connection, sink.connections), (False, 2, 2))

    def test_working_starttls(self):
        certdir = tempfile.TemporaryDirectory(prefix="postern-sinkcert-")
        self.addCleanup(certdir.cleanup)
        cert = make_self_signed(certdir.name, "sink.test")
        sink = self.start(starttls=cert)
        client = smtplib.SMTP(sink.host, sink.port, timeout=10)
        client.ehlo("client.test")
        client.starttls(context=client_context_no_verify())
        client.ehlo("client.test")
        client.sendmail("a@a.test", ["b@b.test"], b"Subject: tls\r\n\r\nok\r\n")
        client.quit()
        [msg] = sink.wait_for_messages(1)
        self.assertTrue(msg.tls)
        self.assertEqual(sink.connections, 1)  # the TLS upgrade is not a new connection


if __name__ == "__main__":
    unittest.main(verbosity=2)
