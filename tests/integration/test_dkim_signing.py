"""Outbound DKIM signing end to end (issue 3): `postern all` with its keystore, DKIM keys made
with `posternctl keymgmt create dkim` (RSA 1024/2048/4096, Ed25519), their TXT records from
`keymgmt export dkim dns`, mail submitted with AUTH or from a trusted network, captured by an
aiosmtpd sink and verified by two independent verifiers: dkimpy (python3-dkim, with the
exported records as its DNS) and OpenDKIM's test mode (`opendkim -t` with TestPublicKeys).
Changing a signed header or one body byte makes both fail; mail from outside is not signed.

The helpers here (node set-up, key creation, both verifiers) are reused by
test_dkim_signing_keystore.py and test_relay_secret.py."""
import os
import re
import subprocess
import unittest

import dkim

from support.keymgmt import KeystoreTestCase, dns_value_from_output
from support.mail import connect, make_message, queue_id_from, submit

DOMAIN = "example.test"
USER, PASSWORD = "alice@example.test", "alice-password"

# selector -> keymgmt create dkim arguments
KEY_TYPES = {
    "rsa1024": ("rsa", "1024"),
    "rsa2048": ("rsa", "2048"),
    "rsa4096": ("rsa", "4096"),
    "ed": ("ed25519",),
}


def signature_fields(data):
    """The DKIM-Signature fields of a message (unfolded values), top first."""
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    fields = re.findall(r"^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head,
                        re.M | re.I)
    return [re.sub(r"\r\n", "", f) for f in fields]


def tag(field, name):
    m = re.search(rf"(?:^|;)\s*{name}=([^;]*)", field)
    return re.sub(r"\s+", "", m.group(1)) if m else None


class SigningTestCase(KeystoreTestCase):
    """A node with signing on and a sink for everything it sends."""

    def setUp(self):
        super().setUp()
        self.records = {}  # "sel._domainkey.domain" -> TXT value

    def signing_config(self, sink, selectors, canonicalization="relaxed/relaxed",
                       trusted=None, name="node1"):
        cfg = self.node_config(name=name)
        cfg.local_domains = [DOMAIN, "local.test"]
        cfg.user(USER, PASSWORD)
        cfg.route(["remote.test", "local.test"], "out", self.sink_dest(sink))
        cfg.route([DOMAIN], "box", self.maildir_dest())
        cfg.data["router"]["dkim"] = {"signing": True, "keys": {DOMAIN: list(selectors)},
                                      "canonicalization": canonicalization}
        if trusted is not None:
            cfg.data["edge"]["inbound"] = {"trusted_networks": trusted}
        return cfg

    def create_keys(self, keystore_node, selectors, domain=DOMAIN):
        """NEK, credential store and one DKIM key per selector; remembers the TXT records."""
        self.ok(keystore_node, "create", "nek", "main")
        self.ok(keystore_node, "create", "credstore", "main")
        for sel in selectors:
            self.ok(keystore_node, "create", "dkim", domain, sel, *KEY_TYPES[sel])
            out = self.ok(keystore_node, "export", "dkim", "dns", domain, sel).stdout
            self.records[f"{sel}._domainkey.{domain}"] = dns_value_from_output(out)

    def submit_authenticated(self, node, rcpt="bob@remote.test", subject="signed"):
        data, msgid = make_message(USER, rcpt, subject=subject,
                                   body="Hello,\r\n\r\nthis  line has  spaces \r\nBye.\r\n")
        client = connect(node.port("submission"), tls="starttls", user=USER, password=PASSWORD)
        code, text = submit(client, USER, [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        self.last_queue_id = queue_id_from(text)
        return msgid

    def submit_mx(self, node, mail_from, rcpt):
        data, msgid = make_message(mail_from, rcpt)
        client = connect(node.port("mx"))
        code, text = submit(client, mail_from, [rcpt], data)
        client.quit()
        self.assertEqual(code, 250, text)
        return msgid

    # -- the two verifiers --
    def dnsfunc(self, name, timeout=5):
        key = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
        value = self.records.get(key)
        return value.encode() if value is not None else None

    def dkimpy_results(self, data):
        """[True/False] per DKIM-Signature (top first), by dkimpy."""
        n = len(signature_fields(data))
        verifier = dkim.DKIM(data, minkey=1024)
        results = []
        for i in range(n):
            try:
                results.append(bool(verifier.verify(idx=i, dnsfunc=self.dnsfunc)))
            except dkim.ValidationError:  # e.g. "body hash mismatch": a failure too
                results.append(False)
        return results

    def opendkim_results(self, data):
        """{selector: "pass"|"fail"|...} from OpenDKIM's test mode."""
        n = len(os.listdir(self.workdir))
        path = os.path.join(self.workdir, f"opendkim-{n}.eml")
        keys = os.path.join(self.workdir, f"opendkim-{n}.keys")
        conf = os.path.join(self.workdir, f"opendkim-{n}.conf")
        with open(path, "wb") as f:
            f.write(data)
        with open(keys, "w") as f:
            for name, value in self.records.items():
                f.write(f"{name} {value}\n")
        with open(conf, "w") as f:
            f.write(f"Mode v\nTestPublicKeys {keys}\nSyslog no\nMaximumSignaturesToVerify 10\n")
        run = subprocess.run(["opendkim", "-t", path, "-x", conf, "-vv"], capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        out = run.stdout + run.stderr
        results = {}
        for m in re.finditer(r"dkim=(\w+)[^;]*?header\.s=([\w.-]+)", out):
            results[m.group(2)] = m.group(1)
        self.assertTrue(results, f"no dkim= results from opendkim:\n{out}")
        return results

    def assert_verifies(self, data, selectors):
        fields = signature_fields(data)
        self.assertEqual([tag(f, "s") for f in fields], list(selectors), fields)
        self.assertEqual(self.dkimpy_results(data), [True] * len(selectors))
        self.assertEqual(self.opendkim_results(data), {s: "pass" for s in selectors})

    def assert_fails(self, data, selectors):
        self.assertEqual(self.dkimpy_results(data), [False] * len(selectors))
        self.assertEqual(self.opendkim_results(data), {s: "fail" for s in selectors})


class DkimSigning(SigningTestCase):
    def test_relaxed_four_key_types_verify_and_tampering_fails(self):
        selectors = ["rsa1024", "rsa2048", "rsa4096", "ed"]
        sink = self.start_sink()
        node = self.start_postern("all", self.signing_config(sink, selectors))
        self.create_keys(node, selectors)

        msgid = self.submit_authenticated(node)
        [msg] = sink.wait_for_messages(1)
        self.assertIn(msgid.encode(), msg.data)
        self.assertTrue(msg.data.startswith(b"DKIM-Signature: "), msg.data[:200])
        self.assert_verifies(msg.data, selectors)
        fields = signature_fields(msg.data)
        self.assertEqual([tag(f, "a") for f in fields],
                         ["rsa-sha256"] * 3 + ["ed25519-sha256"])
        for f in fields:
            self.assertEqual(tag(f, "c"), "relaxed/relaxed")
            self.assertEqual(tag(f, "d"), DOMAIN)
            self.assertIsNotNone(tag(f, "t"))
            self.assertIsNone(tag(f, "l"))
            self.assertEqual(tag(f, "h").lower().split(":").count("from"), 2)  # oversigned

        # A signed header changed, one body byte changed, a second From added: both fail.
        subject = msg.data.replace(b"Subject: signed", b"Subject: Signed", 1)
        body = msg.data.replace(b"Bye.", b"Bye!", 1)
        self.assertNotEqual(subject, msg.data)
        self.assertNotEqual(body, msg.data)
        for changed in (subject, body):
            self.assert_fails(changed, selectors)

        # Mail from a trusted network (loopback by default) is ours as well.
        msgid = self.submit_mx(node, "bob@example.test", "carol@local.test")
        msgs = sink.wait_for_messages(2)
        self.assertIn(msgid.encode(), msgs[1].data)
        self.assert_verifies(msgs[1].data, selectors)

    def test_simple_simple_two_selectors(self):
        selectors = ["rsa2048", "ed"]
        sink = self.start_sink()
        node = self.start_postern("all", self.signing_config(sink, selectors,
                                                              canonicalization="simple/simple"))
        self.create_keys(node, selectors)
        self.submit_authenticated(node)
        [msg] = sink.wait_for_messages(1)
        fields = signature_fields(msg.data)
        self.assertEqual([tag(f, "c") for f in fields], ["simple/simple"] * 2)
        self.assertEqual([tag(f, "a") for f in fields], ["rsa-sha256", "ed25519-sha256"])
        self.assert_verifies(msg.data, selectors)
        # simple: even a white-space change in the body breaks the signatures.
        self.assert_fails(msg.data.replace(b"this  line", b"this line", 1), selectors)

    def test_mail_from_outside_is_not_signed(self):
        selectors = ["ed"]
        sink = self.start_sink()
        # Loopback is not trusted here, so the test client counts as the internet.
        node = self.start_postern("all", self.signing_config(sink, selectors,
                                                              trusted=["10.99.0.0/16"]))
        self.create_keys(node, selectors)
        msgid = self.submit_mx(node, "someone@example.test", "carol@local.test")
        [msg] = sink.wait_for_messages(1)
        self.assertIn(msgid.encode(), msg.data)
        self.assertEqual(signature_fields(msg.data), [])
        self.assertIn("not DKIM-signed: relayed from outside", node.log_text())
        # The same node signs its authenticated user's mail.
        self.submit_authenticated(node)
        msgs = sink.wait_for_messages(2)
        self.assert_verifies(msgs[1].data, selectors)


if __name__ == "__main__":
    unittest.main(verbosity=2)
