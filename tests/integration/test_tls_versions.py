"""TLS 1.2 and 1.3 only: the implicit-TLS listener (465-style) and STARTTLS on the MX listener
complete handshakes at TLS 1.2 and 1.3 and refuse TLS 1.0 and 1.1, even from a client that
offers them with every cipher enabled (OpenSSL security level 0)."""
import socket
import ssl
import unittest

from support.raw_smtp import RawSmtp
from support.testcase import PosternTestCase


def client_context(version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # Let the client offer old versions at all (Debian's default security level forbids it).
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = version
    ctx.maximum_version = version
    return ctx


class TlsVersions(PosternTestCase):
    def setUp(self):
        super().setUp()
        cfg = self.node_config()
        cfg.local_domains = ["example.test"]
        cfg.route(["*"], "local", self.maildir_dest())
        self.node = self.start_postern("all", cfg)

    def implicit_handshake(self, version):
        with socket.create_connection(("127.0.0.1", self.node.port("submissions")), timeout=10) as s:
            with client_context(version).wrap_socket(s) as tls:
                banner = tls.recv(512)
                return tls.version(), banner

    def starttls_handshake(self, version):
        raw = RawSmtp(self.node.port("mx"))
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        raw.cmd("EHLO client.test")
        code, _ = raw.cmd("STARTTLS")
        self.assertEqual(code, 220)
        with client_context(version).wrap_socket(raw.sock) as tls:
            return tls.version()

    def test_implicit_tls_accepts_1_2_and_1_3(self):
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                              (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            got, banner = self.implicit_handshake(version)
            self.assertEqual(got, name)
            self.assertTrue(banner.startswith(b"220 "), banner)

    def test_implicit_tls_refuses_1_0_and_1_1(self):
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.assertRaises((ssl.SSLError, ConnectionResetError), msg=str(version)):
                self.implicit_handshake(version)

    def test_starttls_accepts_1_2_and_refuses_1_1(self):
        self.assertEqual(self.starttls_handshake(ssl.TLSVersion.TLSv1_2), "TLSv1.2")
        with self.assertRaises((ssl.SSLError, ConnectionResetError)):
            self.starttls_handshake(ssl.TLSVersion.TLSv1_1)


if __name__ == "__main__":
    unittest.main()
