"""unittest base for integration tests: a temp dir, a test certificate, and peers that are
always stopped at the end (also on failure), in reverse order of creation."""
import os
import shutil
import tempfile
import unittest

from .certs import make_self_signed
from .dns_server import DnsServer
from .postern import NodeConfig, Postern
from .sinks import Sink


class PosternTestCase(unittest.TestCase):
    # An empty zone by default: the router never reaches the system resolver.
    ZONE = "postern.test. 60 IN A 127.0.0.1"

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix=f"postern-{self.id().split('.')[-1]}-")
        keep = os.environ.get("POSTERN_KEEP_TMP")
        if not keep:
            self.addCleanup(shutil.rmtree, self.workdir, True)
        self.cert = make_self_signed(os.path.join(self.workdir, "certs"), "mx.postern.test")
        self.dns = self.start_dns(self.ZONE)

    def start_dns(self, zone, silent=()):
        server = DnsServer(zone, silent).start()
        self.addCleanup(server.stop)
        return server

    def start_sink(self, **kwargs):
        sink = Sink(**kwargs).start()
        self.addCleanup(sink.stop)
        return sink

    def node_config(self, **kwargs):
        return NodeConfig(self.workdir, self.dns.address, self.cert, **kwargs)

    def start_postern(self, role, config, name=None):
        node = Postern(role, config, name)
        self.addCleanup(node.close)
        return node.start()

    def sink_dest(self, sink):
        """A relay destination pointing at a plain sink."""
        return {"smtp": {"mode": "relay",
                         "relay": {"hosts": [f"127.0.0.1:{sink.port}"], "tls": "none",
                                   "auth": "disabled"}}}

    def maildir_dest(self, name="maildir"):
        return {"maildir": {"path": os.path.join(self.workdir, name)}}
