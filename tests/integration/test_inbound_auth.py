"""Inbound sender authentication at the edge (issue 4), end to end: a real DNS zone with SPF,
DKIM keys, DMARC policies and a PTR (python3-dnslib), messages signed by dkimpy (RSA and
Ed25519) and sent over SMTP from 127.0.0.1, landing in a maildir with our
Authentication-Results and Received-SPF; forged results removed; the actions (550 5.7.23 for
SPF fail, 550 5.7.1 for an enforced DMARC reject, 451 4.7.24 for a DNS timeout with defer).

127.0.0.1 is a trusted network by default, so the node here sets trusted_networks: []."""
import base64
import email
import email.policy
import smtplib
import unittest

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from support.dns_server import DnsServer
from support.mail import connect, make_message, submit, wait_for_maildir
from support.net import LOOPBACK
from support.testcase import PosternTestCase

HOSTNAME = "mx.postern.test"  # NodeConfig's internet.hostname: our authserv-id


def _rsa_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(spki).decode()


def _ed_key():
    key = ed25519.Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    return base64.b64encode(seed), "v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()


def _txt(name, record):
    chunks = [record[i:i + 200] for i in range(0, len(record), 200)]
    return "%s 60 IN TXT %s\n" % (name, " ".join('"%s"' % c for c in chunks))


KEYS = {"rsa": _rsa_key(), "ed": _ed_key()}

ZONE = (
    _txt("sender.test.", "v=spf1 ip4:127.0.0.0/8 -all")
    + _txt("_dmarc.sender.test.", "v=DMARC1; p=reject")
    + _txt("rsa._domainkey.sender.test.", KEYS["rsa"][1])
    + _txt("ed._domainkey.sender.test.", KEYS["ed"][1])
    + "client.sender.test. 60 IN A 127.0.0.1\n"
    + _txt("client.sender.test.", "v=spf1 a -all")
    + "1.0.0.127.in-addr.arpa. 60 IN PTR client.sender.test.\n"
    # A domain that does not let 127.0.0.1 send its mail.
    + _txt("forbidden.test.", "v=spf1 -all")
    # A From domain whose policy is reject, used with an unaligned envelope sender.
    + _txt("strict.test.", "v=spf1 -all")
    + _txt("_dmarc.strict.test.", "v=DMARC1; p=reject; adkim=s; aspf=s")
    + "example.test. 60 IN A 127.0.0.1\n"
)


def unfolded_fields(data, name):
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    return [" ".join(v.replace("\r\n", "\n").split()) for v in msg.get_all(name, [])]


def sign(message, selector):
    algorithm = b"rsa-sha256" if selector == "rsa" else b"ed25519-sha256"
    header = dkim.sign(message, selector.encode(), b"sender.test", KEYS[selector][0],
                       canonicalize=(b"relaxed", b"relaxed"), signature_algorithm=algorithm,
                       include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return header + message


class InboundAuthentication(PosternTestCase):
    ZONE = ZONE

    def start_dns(self, zone, silent=()):
        # Every name under silent.test is never answered: the resolver times out.
        server = DnsServer(zone, silent, silent_domains=("silent.test",)).start()
        self.addCleanup(server.stop)
        return server

    def setUp(self):
        super().setUp()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["example.test"], "mailbox", self.maildir_dest())
        cfg.user("alice@example.test", "alice-pw")
        cfg.data["edge"]["inbound"] = {
            "spf": {"on_fail": "reject", "on_temperror": "defer"},
            "dmarc": {"enforce": True},
            "trusted_networks": [],
        }
        self.node = self.start_postern("all", cfg)
        self.maildir = f"{self.workdir}/maildir"

    def send(self, mail_from, data, helo="client.sender.test"):
        client = smtplib.SMTP(LOOPBACK, self.node.port("mx"), timeout=60)
        try:
            client.ehlo(helo)
            return submit(client, mail_from, ["bob@example.test"], data)
        finally:
            client.close()

    def delivered_one(self):
        [data] = wait_for_maildir(self.maildir, 1)
        return data

    def our_results(self, data):
        return [v for v in unfolded_fields(data, "Authentication-Results")
                if v.startswith(HOSTNAME + ";")]

    def test_rsa_signed_message_passes_everything(self):
        data, msgid = make_message("a@sender.test", "bob@example.test")
        code, text = self.send("a@sender.test", sign(data, "rsa"))
        self.assertEqual(code, 250, text)
        got = self.delivered_one()
        self.assertIn(msgid.encode(), got)
        [ar] = self.our_results(got)
        self.assertIn("spf=pass smtp.mailfrom=a@sender.test", ar)
        self.assertIn("spf=pass smtp.helo=client.sender.test", ar)
        self.assertIn("dkim=pass header.d=sender.test header.s=rsa", ar)
        self.assertIn("dmarc=pass header.from=sender.test", ar)
        self.assertIn("iprev=pass policy.iprev=127.0.0.1", ar)
        spf = unfolded_fields(got, "Received-SPF")
        self.assertTrue(any(v.startswith("pass ") and "identity=mailfrom" in v for v in spf), spf)
        self.assertNotIn(b"X-Postern-Quarantine", got)
        # The fields are ours and on top: before our Received.
        self.assertLess(got.index(b"Authentication-Results: " + HOSTNAME.encode()),
                        got.index(b"Received: from client.sender.test"))

    def test_ed25519_signed_message_passes(self):
        data, _ = make_message("a@sender.test", "bob@example.test")
        code, text = self.send("a@sender.test", sign(data, "ed"))
        self.assertEqual(code, 250, text)
        [ar] = self.our_results(self.delivered_one())
        self.assertIn("dkim=pass header.d=sender.test header.s=ed", ar)
        self.assertIn("dmarc=pass", ar)

    def test_tampered_body_is_dkim_fail_and_forged_results_are_removed(self):
        data, _ = make_message("a@sender.test", "bob@example.test")
        signed = sign(data, "rsa").replace(b"Hello from", b"Hullo from")
        forged = (b"Authentication-Results: " + HOSTNAME.encode() +
                  b"; dkim=pass header.d=forged.example\r\n")
        code, text = self.send("a@sender.test", forged + signed)
        self.assertEqual(code, 250, text)  # DKIM failures are tagged by default
        got = self.delivered_one()
        self.assertNotIn(b"forged.example", got)
        [ar] = self.our_results(got)
        self.assertIn("dkim=fail", ar)
        self.assertIn("header.d=sender.test", ar)
        self.assertIn("dmarc=pass", ar, "SPF is aligned, so DMARC still passes")

    def test_spf_fail_with_on_fail_reject_is_550(self):
        data, _ = make_message("a@forbidden.test", "bob@example.test")
        code, text = self.send("a@forbidden.test", data)
        self.assertEqual(code, 550, text)
        self.assertTrue(text.startswith("5.7.23"), text)

    def test_enforced_dmarc_reject_is_550_5_7_1_at_end_of_data(self):
        data, _ = make_message("ceo@strict.test", "bob@example.test")
        code, text = self.send("bounces@sender.test", data)
        self.assertEqual(code, 550, text)
        self.assertTrue(text.startswith("5.7.1"), text)
        self.assertIn("strict.test", text)

    def test_dns_timeout_with_defer_is_451(self):
        data, _ = make_message("a@silent.test", "bob@example.test")
        code, text = self.send("a@silent.test", data)
        self.assertEqual(code, 451, text)
        self.assertTrue(text.startswith("4.7.24"), text)

    def test_authenticated_submission_is_not_checked(self):
        data, _ = make_message("alice@example.test", "bob@example.test")
        forged = b"Authentication-Results: " + HOSTNAME.encode() + b"; spf=pass\r\n"
        client = connect(self.node.port("submission"), tls="starttls", user="alice@example.test",
                         password="alice-pw")
        code, text = submit(client, "alice@example.test", ["bob@example.test"], forged + data)
        client.quit()
        self.assertEqual(code, 250, text)
        got = self.delivered_one()
        self.assertEqual(self.our_results(got), [], "no results from us, and the forged one is gone")
        self.assertNotIn(b"Received-SPF", got)


if __name__ == "__main__":
    unittest.main(verbosity=2)
