"""Inbound controls at a real edge (issue 5), from 127.0.0.1 made "external"
(trusted_networks: []), against zones on the test DNS server: DNSBL over IPv4 and IPv6 (the
edge also listens on ::1 and is reached from ::1, queried by nibbles), DNSWL skipping the
blacklists, the tag action and X-Postern-Score, recipient and sender controls, the early
talker test, per-IP message rate and concurrent sessions. Every refusal is a reply in the
dialogue with an enhanced status code."""
import socket
import subprocess
import time
import unittest

from support.mail import connect, make_message, parse, submit, wait_for_maildir
from support.net import wait_until
from support.postern import POSTERNCTL_BIN
from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase

LOCAL = "example.test"
V6_NIBBLES = ".".join(["1"] + ["0"] * 31)  # ::1, RFC 5782 2.4

ZONE = "\n".join([
    "1.0.0.127.bl.test. 60 IN A 127.0.0.2",
    '1.0.0.127.bl.test. 60 IN TXT "listed for testing"',
    f"{V6_NIBBLES}.bl.test. 60 IN A 127.0.0.2",
    "1.0.0.127.tag.test. 60 IN A 127.0.0.4",
    "1.0.0.127.wl.test. 60 IN A 127.0.10.3",
    "sender.test. 60 IN A 127.0.0.1",
    "mx.sender.test. 60 IN A 127.0.0.1",
    "withmx.test. 60 IN MX 10 mx.sender.test.",
    "nullmx.test. 60 IN MX 0 .",
    "postern.test. 60 IN A 127.0.0.1",
]) + "\n"

NO_AUTH_CHECKS = {"spf": {"enabled": False}, "dkim": {"enabled": False},
                  "dmarc": {"enabled": False}}


def free_port_v6():
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        s.bind(("::1", 0))
        return s.getsockname()[1]


class InboundControls(PosternTestCase):
    ZONE = ZONE

    def start_node(self, inbound, users=(), v6_port=None):
        cfg = self.node_config()
        cfg.local_domains = [LOCAL]
        cfg.route([LOCAL], "box", self.maildir_dest())
        for u in users:
            cfg.user(u, "pw")
        cfg.data["edge"]["inbound"] = {"trusted_networks": [], **NO_AUTH_CHECKS, **inbound}
        if v6_port:
            cfg.data["edge"]["listeners"].append(
                {"name": "mx6", "address": f"[::1]:{v6_port}", "tls": "none"})
        return self.start_postern("all", cfg)

    def mail_reply(self, port, sender="<a@sender.test>", host="127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(30)
        sock.connect((host, port))
        raw = RawSmtp.__new__(RawSmtp)
        raw.sock, raw.buf = sock, b""
        try:
            code, _ = raw.reply()
            self.assertEqual(code, 220)
            self.assertEqual(raw.cmd("EHLO client.sender.test")[0], 250)
            code, lines = raw.cmd(f"MAIL FROM:{sender}")
            return code, lines[-1]
        finally:
            raw.close()

    def test_dnsbl_ipv4_and_ipv6_reject_with_the_reply_template(self):
        v6 = free_port_v6()
        node = self.start_node({"dnsbl": {"zones": [
            {"zone": "bl.test", "action": "reject", "reply": "Blocked: %s listed at %s"}]}},
            v6_port=v6)
        self.assertEqual(self.mail_reply(node.port("mx")),
                         (550, "5.7.1 Blocked: 127.0.0.1 listed at bl.test"))
        self.assertEqual(self.mail_reply(v6, host="::1"),
                         (550, "5.7.1 Blocked: ::1 listed at bl.test"))
        queried = {name for name, _ in self.dns.resolver.queries}
        self.assertIn("1.0.0.127.bl.test", queried)
        self.assertIn(f"{V6_NIBBLES}.bl.test", queried)
        log = node.log_text()
        self.assertIn("connect verdict: reject: DNSBL bl.test lists 127.0.0.1", log)
        self.assertIn("dnsbl:bl.test=+5", log)

    def test_dnswl_hit_skips_the_blacklists(self):
        node = self.start_node({"dnsbl": {
            "zones": [{"zone": "bl.test", "action": "reject"}],
            "allow_zones": [{"zone": "wl.test", "codes": ["127.0.10.0/24"]}]}})
        self.assertEqual(self.mail_reply(node.port("mx"))[0], 250)
        self.assertIn("dnswl:wl.test=-5", node.log_text())

    def test_tag_action_writes_the_score_header(self):
        node = self.start_node({"dnsbl": {"zones": [
            {"zone": "tag.test", "action": "tag", "weight": 2.5, "codes": ["mask:0.0.0.4"]},
            {"zone": "bl.test", "action": "log"}]}})
        client = connect(node.port("mx"))
        try:
            data, _ = make_message("a@sender.test", f"bob@{LOCAL}")
            self.assertEqual(submit(client, "a@sender.test", [f"bob@{LOCAL}"], data)[0], 250)
        finally:
            client.close()
        [msg] = wait_for_maildir(f"{self.workdir}/maildir", 1)
        self.assertEqual(parse(msg)["X-Postern-Score"],
                         "2.5 (tag dnsbl:tag.test=+2.5 dnsbl:bl.test=+0)")

    def test_recipients_are_checked_against_the_directory(self):
        node = self.start_node({"recipients": {"verify_local": True}}, users=[f"bob@{LOCAL}"])
        client = connect(node.port("mx"))
        try:
            self.assertEqual(client.mail("<a@sender.test>")[0], 250)
            self.assertEqual(client.rcpt(f"<bob@{LOCAL}>")[0], 250)
            code, text = client.rcpt(f"<nobody@{LOCAL}>")
            self.assertEqual((code, text.decode()),
                             (550, f"5.1.1 Recipient address rejected: nobody@{LOCAL}: user unknown"))
            self.assertEqual(client.rcpt("<postmaster>")[0], 250)
        finally:
            client.close()

    def test_sender_domain_must_exist(self):
        node = self.start_node({"sender": {"verify_domain": True}})
        port = node.port("mx")
        self.assertEqual(self.mail_reply(port, "<a@nowhere.test>"),
                         (550, "5.1.8 Sender address rejected: domain nowhere.test not found"))
        self.assertEqual(self.mail_reply(port, "<a@nullmx.test>"),
                         (550, "5.1.8 Sender address rejected: domain nullmx.test accepts no mail"))
        self.assertEqual(self.mail_reply(port, "<a@withmx.test>")[0], 250)
        self.assertEqual(self.mail_reply(port, "<a@sender.test>")[0], 250)
        self.assertEqual(self.mail_reply(port, "<>")[0], 250)

    def test_early_talker_is_refused_and_a_patient_client_greeted(self):
        node = self.start_node({"pregreet": {"greeting_delay": "700ms",
                                             "reject_early_talkers": True}})
        talker = RawSmtp(node.port("mx"))
        try:
            talker.send(b"EHLO impatient.test\r\n")
            code, lines = talker.reply()
            self.assertEqual((code, lines[0]),
                             (554, "5.5.1 Protocol error: talked before the greeting"))
        finally:
            talker.close()
        patient = RawSmtp(node.port("mx"))
        try:
            started = time.monotonic()
            self.assertEqual(patient.reply()[0], 220)
            self.assertGreaterEqual(time.monotonic() - started, 0.6)
            self.assertEqual(patient.cmd("EHLO patient.test")[0], 250)
        finally:
            patient.close()
        self.assertIn("early talker 127.0.0.1", node.log_text())

    def test_pipelining_before_ehlo_is_scored(self):
        node = self.start_node({})
        raw = RawSmtp(node.port("mx"))
        try:
            self.assertEqual(raw.reply()[0], 220)
            raw.send(b"EHLO fast.test\r\nNOOP\r\n")
            self.assertEqual(raw.reply()[0], 250)
            self.assertEqual(raw.reply()[0], 250)
        finally:
            raw.close()
        wait_until(lambda: "fact pipelining" in node.log_text(), 10, "pipelining fact logged")

    def test_message_rate_per_client_ip(self):
        node = self.start_node({"rate_limits": {"messages_per_ip": {"count": 2, "window": "1h"}}})
        client = connect(node.port("mx"))
        try:
            for _ in range(2):
                self.assertEqual(client.mail("<a@sender.test>")[0], 250)
                client.rset()
            code, text = client.mail("<a@sender.test>")
            self.assertEqual((code, text.decode()), (450, "4.7.1 Rate limit exceeded, try again later"))
        finally:
            client.close()

    def test_host_names_match_only_the_forward_confirmed_ptr(self):
        dns = self.start_dns("1.0.0.127.in-addr.arpa. 60 IN PTR client.dyn.test.\n"
                             "client.dyn.test. 60 IN A 127.0.0.1\n")
        cfg = self.node_config()
        cfg.data["dns"]["servers"] = [dns.address]
        cfg.local_domains = [LOCAL]
        cfg.route([LOCAL], "box", self.maildir_dest())
        cfg.data["edge"]["inbound"] = {"trusted_networks": [], **NO_AUTH_CHECKS,
                                       "connection": {"deny_hosts": ["*.dyn.test"],
                                                      "verify_hostname": True}}
        node = self.start_postern("all", cfg)
        r = RawSmtp(node.port("mx"))
        try:
            code, lines = r.reply()
            self.assertEqual((code, lines[0]), (554, "5.7.1 Connection refused for 127.0.0.1"))
        finally:
            r.close()
        self.assertIn("client 127.0.0.1 in connection.deny_hosts", node.log_text())

    def test_verify_hostname_refuses_clients_without_ptr(self):
        node = self.start_node({"connection": {"verify_hostname": True}})
        r = RawSmtp(node.port("mx"))
        try:
            code, lines = r.reply()
            self.assertEqual((code, lines[0]),
                             (554, "5.7.25 Client host name of 127.0.0.1 not verified"))
        finally:
            r.close()

    def test_connection_rate_per_client_ip(self):
        node = self.start_node({"connection": {"rate_per_ip": 4, "rate_window": "1h"}})
        # The start-up port probes count too, so the refusal comes within 5 new sessions.
        replies = []
        for _ in range(5):
            r = RawSmtp(node.port("mx"))
            try:
                code, lines = r.reply()
                replies.append((code, lines[0]))
            finally:
                r.close()
            if code != 220:
                break
        self.assertEqual(replies[-1],
                         (421, "4.7.0 Too many connections from 127.0.0.1, slow down"))
        self.assertTrue(all(c == 220 for c, _ in replies[:-1]), replies)

    def test_concurrent_sessions_per_client_ip(self):
        node = self.start_node({"connection": {"max_per_ip": 2}})

        def greeted_session():
            # The start-up port probes are sessions from 127.0.0.1 too, until they end.
            r = RawSmtp(node.port("mx"))
            if r.reply()[0] == 220:
                return r
            r.close()
            return None

        held = []
        try:
            for _ in range(2):
                held.append(wait_until(greeted_session, 10, "a session slot"))
            third = RawSmtp(node.port("mx"))
            try:
                code, lines = third.reply()
                self.assertEqual((code, lines[0]), (421, "4.7.0 Too many connections from 127.0.0.1"))
                self.assertTrue(third.closed_by_peer())
            finally:
                third.close()
        finally:
            for h in held:
                h.close()
        # Slots come back when sessions end.
        wait_until(greeted_session, 10, "a slot freed after the sessions closed").close()


    def test_posternctl_explain_replays_the_decision(self):
        cfg = self.node_config()
        cfg.local_domains = [LOCAL]
        cfg.route([LOCAL], "box", self.maildir_dest())
        cfg.data["edge"]["inbound"] = {
            "trusted_networks": [], **NO_AUTH_CHECKS,
            "dnsbl": {"zones": [{"zone": "bl.test", "action": "tag", "weight": 4}]},
            "score": {"weights": {"helo_not_fqdn": 2}, "reject": 5}}
        path = cfg.write("explain.yaml")

        def explain(ip, helo):
            return subprocess.run(
                [POSTERNCTL_BIN, "--config", path, "explain", "--ip", ip, "--helo", helo,
                 "--from", "a@sender.test", "--to", f"bob@{LOCAL}"],
                capture_output=True, text=True, timeout=60)

        listed = explain("127.0.0.1", "localhost")
        self.assertEqual(listed.returncode, 2, listed.stdout + listed.stderr)
        # The test zone has no PTR for 127.0.0.1: no_ptr (+1.5) and the DNSBL hit (+4) make
        # 5.5 >= 5 already at connect, answered to MAIL FROM.
        self.assertIn("no_ptr +1.5", listed.stdout)
        self.assertIn("dnsbl:bl.test +4", listed.stdout)
        self.assertIn("helo_not_fqdn +2", listed.stdout)
        self.assertIn("connect verdict: reject: score 5.5 >= reject 5", listed.stdout)
        self.assertIn("> 550 5.7.1 Rejected by reputation score 5.5", listed.stdout)
        self.assertIn("thresholds: tag off, defer off, reject 5", listed.stdout)
        clean = explain("127.0.0.2", "client.sender.test")
        self.assertEqual(clean.returncode, 0, clean.stdout + clean.stderr)
        self.assertIn("> 250 2.0.0 Ok: queued as EXPLAIN", clean.stdout)
        self.assertIn("verdict: accepted", clean.stdout)


if __name__ == "__main__":
    unittest.main()
