"""The test peers themselves: the DNS server answers like an authoritative server, the sinks
record and script replies, STARTTLS+AUTH is enforced. Needs no postern binary, so a broken
harness is told apart from a broken server."""
import subprocess
import unittest

from dnslib import QTYPE, RCODE, DNSRecord

from support.mail import connect, make_message, submit
from support.testcase import PosternTestCase

ZONE = """
remote.test.      60 IN MX 10 mx1.remote.test.
remote.test.      60 IN MX 20 mx2.remote.test.
mx1.remote.test.  60 IN A 127.0.0.1
mx2.remote.test.  60 IN CNAME mx1.remote.test.
null.test.        60 IN MX 0 .
txt.test.         60 IN TXT "v=spf1 " "-all"
"""


class DnsServerTest(PosternTestCase):
    ZONE = ZONE

    def ask(self, name, qtype, tcp=False):
        raw = DNSRecord.question(name, qtype).send("127.0.0.1", self.dns.port, tcp=tcp,
                                                   timeout=5)
        return DNSRecord.parse(raw)

    def test_mx_by_preference_over_udp_and_tcp(self):
        for tcp in (False, True):
            reply = self.ask("remote.test", "MX", tcp)
            self.assertEqual(reply.header.rcode, RCODE.NOERROR)
            got = sorted((rr.rdata.preference, str(rr.rdata.label)) for rr in reply.rr)
            self.assertEqual(got, [(10, "mx1.remote.test."), (20, "mx2.remote.test.")])

    def test_cname_is_followed(self):
        reply = self.ask("mx2.remote.test", "A")
        self.assertEqual([QTYPE[rr.rtype] for rr in reply.rr], ["CNAME", "A"])
        self.assertEqual(str(reply.rr[-1].rdata), "127.0.0.1")

    def test_nxdomain_and_nodata(self):
        self.assertEqual(self.ask("nope.test", "A").header.rcode, RCODE.NXDOMAIN)
        nodata = self.ask("remote.test", "AAAA")
        self.assertEqual(nodata.header.rcode, RCODE.NOERROR)
        self.assertEqual(nodata.rr, [])

    def test_null_mx_and_multi_string_txt(self):
        self.assertEqual(str(self.ask("null.test", "MX").rr[0].rdata.label), ".")
        txt = self.ask("txt.test", "TXT").rr[0].rdata
        self.assertEqual(b"".join(txt.data), b"v=spf1 -all")


class SinkTest(PosternTestCase):
    def swaks(self, port, *args):
        return subprocess.run(["swaks", "--server", f"127.0.0.1:{port}", "--from", "a@b.test",
                               "--silent", "2", *args], capture_output=True, text=True,
                              timeout=60)

    def test_plain_sink_records_envelope_and_bytes(self):
        sink = self.start_sink()
        data, msgid = make_message("a@b.test", "x@remote.test")
        client = connect(sink.port)
        code, _ = submit(client, "a@b.test", ["x@remote.test", "y@remote.test"], data)
        client.quit()
        self.assertEqual(code, 250)
        [msg] = sink.wait_for_messages(1, 10)
        self.assertEqual(msg.mail_from, "a@b.test")
        self.assertEqual(msg.rcpt_tos, ["x@remote.test", "y@remote.test"])
        self.assertIn(msgid.encode(), msg.data)
        self.assertFalse(msg.tls)

    def test_scripted_replies(self):
        sink = self.start_sink(defer_first_rcpts=1, reject={"bad@remote.test"})
        self.assertNotEqual(self.swaks(sink.port, "--to", "x@remote.test").returncode, 0)
        self.assertEqual(self.swaks(sink.port, "--to", "x@remote.test").returncode, 0)
        self.assertNotEqual(self.swaks(sink.port, "--to", "bad@remote.test").returncode, 0)
        replies = [r.reply[:3] for r in sink.wait_for_rcpts(3, 10)]
        self.assertEqual(replies, ["451", "250", "550"])
        self.assertEqual(len(sink.messages), 1)

    def test_auth_sink_requires_starttls_then_auth(self):
        sink = self.start_sink(tls=self.cert, auth={"relayuser": "s3cret"})
        self.assertNotEqual(self.swaks(sink.port, "--to", "x@r.test").returncode, 0)
        self.assertNotEqual(self.swaks(sink.port, "--to", "x@r.test", "-tls").returncode, 0)
        self.assertNotEqual(self.swaks(sink.port, "--to", "x@r.test", "-tls", "-a", "PLAIN",
                                       "-au", "relayuser", "-ap", "wrong").returncode, 0)
        ok = self.swaks(sink.port, "--to", "x@r.test", "-tls", "-a", "LOGIN",
                        "-au", "relayuser", "-ap", "s3cret")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        [msg] = sink.wait_for_messages(1, 10)
        self.assertTrue(msg.tls)
        self.assertEqual(msg.auth_user, "relayuser")


if __name__ == "__main__":
    unittest.main(verbosity=2)
