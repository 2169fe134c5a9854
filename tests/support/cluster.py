"""The whole Postern cluster on a netlab.Lab (tests/support/netlab.py), for issue 6's cluster
scenarios: the same topology in network namespaces (hosts joined by veth links, the internet
reachable only from the gateway) or on 127.0.0.1 (loopback mode, distinct ports).

    with Lab(mode) as lab:
        cluster = Cluster(lab, cert).start()            # every process up, keys created
        client = cluster.connect("edge1")               # smtplib, AUTH done, in the client host
        cluster.sink.wait_for_messages(1)               # the remote MX on the internet host
        cluster.routers["router1"].kill(); cluster.start_node("router1")

Hosts and processes:
  client                 where mail is submitted from and posternctl runs (the admin's host)
  edge1, edge2           `postern edge`; cluster.routers = [router1, router2]; AUTH users
  router1                `postern router`, node.name "router1": not the gateway
  router2                `postern router`, node.name "gw", the lab's gateway host (LAN + WAN)
  ks1, ks2, ks3          `postern keystore`, backend etcd, one shared identity (copies of a file
                         made by `postern keystore-identity create`, as a Kubernetes Secret)
  etcd1, etcd2, etcd3    a 3-member etcd cluster (support.etcd, placed on these hosts)
  internet               the remote MX (support.netlab_peers sink; port 25 in netns mode) and
                         the authoritative DNS for remote.test and example.test's DKIM records

Routing: both routers route remote.test to destination "internet" (SMTP, MX lookup) with
served_by: ["gw"] and cluster.nodes {gw: router2}, so router1 hands such mail to the gateway;
both sign example.test's mail (router.dkim, selectors "ed" ed25519 and "rsa" RSA 2048) through
cluster.keystores = [ks1, ks2, ks3]. LAN nodes resolve through a DNS server on the gateway host
serving the same zone (a LAN resolver: router1 learns the MX's address but has no route to
it); the gateway's router resolves at the internet host itself. Each router has its own
internet.hostname (EHLO name: "router1.postern.test", "gw.postern.test"), so the sink can tell
who delivered; in netns mode the sink also sees the gateway's WAN address.

With mtls=True every gRPC hop (edge -> router, router -> router (Forward), router ->
keystore, posternctl, the test's Sign calls) uses cluster.tls: a test CA and one certificate per
host naming its LAN address.

Start order: etcd, keystores, keys (NEK, credential store, the two DKIM keys through ks1), DNS
(the zone holds the exported DKIM TXT records), sink, routers (gateway first), edges.

Contract: start() returns with every process accepting connections and both DKIM keys held by
every keystore replica, or raises (the lab's teardown then stops what was started; etcd is
stopped by close()). Node processes keep their config across stop()/start(), so a restarted
node has its data dir (queue) back. posternctl runs in the client host with the node's own
admin token file.

SECURITY: test-only secrets (cluster token, admin tokens, the keystore identity, a test
password) live in the lab's temp dir with mode 0600; nothing here prints them.
"""
import base64
import functools
import json
import os
import shutil
import smtplib
import subprocess
import sys
import time

from .certs import client_context_no_verify, issue_cert, make_ca
from .etcd import EtcdCluster, Placement
from .keymgmt import dns_value_from_output, parse_dkim_table, parse_txt
from .net import free_port_udp_tcp, wait_until
from .netlab import PYTHON
from .postern import POSTERN_BIN, POSTERNCTL_BIN, NodeConfig

DOMAIN = "example.test"          # ours: the sender domain, signed
REMOTE = "remote.test"           # the internet domain behind the gateway
USER, PASSWORD = "alice@example.test", "alice-password"
SELECTORS = {"ed": ("ed25519",), "rsa": ("rsa", "2048")}  # selector -> keymgmt create args
GATEWAY = "gw"                   # router2's node.name, what served_by names
EDGES = ("edge1", "edge2")
ROUTERS = ("router1", "router2")
KEYSTORES = ("ks1", "ks2", "ks3")
ETCD = ("etcd1", "etcd2", "etcd3")
HOSTNAMES = {"router1": "router1.postern.test", "router2": "gw.postern.test"}
NODE_NAMES = {"router1": "router1", "router2": GATEWAY}


def zone_text(mx_address, dkim_records):
    """remote.test's MX and A, and one TXT record per DKIM selector (split in 200-byte
    strings, as a DNS admin would)."""
    lines = [f"{REMOTE}. 60 IN MX 10 mx.{REMOTE}.", f"mx.{REMOTE}. 60 IN A {mx_address}"]
    for name, value in dkim_records.items():
        chunks = " ".join(f'"{value[i:i + 200]}"' for i in range(0, len(value), 200))
        lines.append(f"{name}. 60 IN TXT {chunks}")
    return "\n".join(lines) + "\n"


class Cluster:
    def __init__(self, lab, cert, mtls=False):
        self.lab = lab
        self.cert = cert
        self.mtls = mtls
        self.ca = None
        self.certs = {}  # host -> (cert, key) from the cluster CA (mtls)
        self.dir = os.path.join(lab.workdir, "cluster")
        os.makedirs(self.dir, exist_ok=True)
        self.etcd = None
        self.keystores = {}   # host -> Postern
        self.routers = {}     # host -> Postern
        self.edges = {}       # host -> Postern
        self.nodes = {}       # host -> (role, Postern): every postern process
        self.dkim_records = {}  # "sel._domainkey.example.test" -> TXT value
        self.internet_dns = self.lan_dns = self.sink = None
        self._lan_port = None
        self.timings = {}

    # -- set-up --
    def start(self):
        t0 = time.monotonic()
        for host in ("client", *EDGES, "router1", *KEYSTORES, *ETCD):
            self.lab.add_host(host)
        self.lab.add_host("router2", gateway=True)
        self.lab.add_host("internet", internet=True)
        self._lap("hosts", t0)
        if self.mtls:
            self._make_pki()
        self._start_etcd()
        self._lap("etcd", t0)
        self._start_keystores()
        self._create_keys()
        self._lap("keystores and keys", t0)
        self._start_internet()
        for host in reversed(ROUTERS):  # the gateway first: router1 forwards to it
            self._start_router(host)
        for host in EDGES:
            self._start_edge(host)
        self._lap("routers and edges", t0)
        return self

    def _lap(self, what, t0):
        self.timings[what] = time.monotonic() - t0
        sys.stderr.write(f"cluster {self.lab.mode}: {what} up after "
                         f"{self.timings[what]:.1f}s\n")

    def _make_pki(self):
        """A cluster CA and one certificate per Postern host (SAN: its LAN address) and for
        the client host (Sign calls from the test)."""
        pki = os.path.join(self.dir, "pki")
        self.ca = make_ca(pki)
        for host in ("client", *EDGES, *ROUTERS, *KEYSTORES):
            self.certs[host] = issue_cert(self.ca, pki, host, ips=(self.lab.address(host),))

    def _start_etcd(self):
        placements = [Placement(self.lab.address(h), tuple(self.lab.command(h, [])),
                                functools.partial(self.lab.call_in, h)) for h in ETCD]
        self.etcd = EtcdCluster(members=3, base_dir=os.path.join(self.dir, "etcd"),
                                placements=placements)
        os.makedirs(self.etcd.dir, exist_ok=True)
        self.etcd.start()

    def _node_config(self, host, dns):
        workdir = os.path.join(self.dir, host)
        os.makedirs(workdir, exist_ok=True)
        cfg = NodeConfig(workdir, dns, self.cert, name=NODE_NAMES.get(host, host),
                         hostname=HOSTNAMES.get(host, f"{host}.postern.test"))
        cfg.data["cluster"] = {"token_file": self.token_file}
        if self.mtls:
            cfg.cluster_tls(self.ca[0], *self.certs[host], routers=["router1", "router2"])
        return cfg

    def _start_keystores(self):
        self.token_file = self._secret_file("cluster.token", os.urandom(32).hex() + "\n")
        identity = os.path.join(self.dir, "identity.key")
        made = subprocess.run([POSTERN_BIN, "keystore-identity", "create", identity],
                              capture_output=True, text=True, timeout=30)
        if made.returncode != 0:
            raise RuntimeError(f"keystore-identity create failed: {made.stderr}")
        # The LAN DNS does not exist yet; a keystore never resolves anything.
        dns = f"{self.lab.address('router2')}:{self._lan_dns_port()}"
        for host in KEYSTORES:
            cfg = self._node_config(host, dns)
            copy = cfg.path("identity.key")
            shutil.copyfile(identity, copy)
            os.chmod(copy, 0o600)
            cfg.data["keystore"].update({
                "backend": "etcd", "identity": copy,
                "etcd": {"endpoints": self.etcd.endpoints, "timeout": "1s"}})
            self._start_node(host, "keystore", cfg)

    def _secret_file(self, name, content):
        path = os.path.join(self.dir, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(content)
        return path

    def _create_keys(self):
        self.keymgmt_ok("ks1", "create", "nek", "main")
        self.keymgmt_ok("ks1", "create", "credstore", "main")
        for selector, args in SELECTORS.items():
            self.keymgmt_ok("ks1", "create", "dkim", DOMAIN, selector, *args)
            out = self.keymgmt_ok("ks1", "export", "dkim", "dns", DOMAIN, selector).stdout
            self.dkim_records[f"{selector}._domainkey.{DOMAIN}"] = dns_value_from_output(out)
        want = {(DOMAIN, s) for s in SELECTORS}
        for host in KEYSTORES:  # the replicas follow ks1 through etcd's watch
            wait_until(lambda: want <= set(parse_dkim_table(
                self.keymgmt_ok(host, "list", "dkim").stdout)), 10,
                f"{host} to list the DKIM keys created through ks1", interval=0.1)

    def _lan_dns_port(self):
        """Chosen before the LAN DNS starts: keystores are configured before the zone exists."""
        if self._lan_port is None:
            self._lan_port = 53 if self.lab.isolated else free_port_udp_tcp()
        return self._lan_port

    def _start_internet(self):
        mx = self.lab.address("internet")
        zone = zone_text(mx, self.dkim_records)
        self.internet_dns = self.lab.start_dns("internet", zone)
        self.lan_dns = self.lab.start_dns("router2", zone, port=self._lan_dns_port())
        self.sink = self.lab.start_sink("internet")

    def _start_router(self, host):
        dns = (f"{self.lab.address_for('internet', host)}:{self.internet_dns.port}"
               if host == "router2" else self.lan_dns.address)
        cfg = self._node_config(host, dns)
        cfg.local_domains = [DOMAIN]
        cfg.route([REMOTE], "internet", {
            "smtp": {"mode": "direct", "port": self.sink.port, "tls": "opportunistic"},
            "served_by": [GATEWAY]})
        cfg.route([DOMAIN], "box", {"maildir": {"path": cfg.path("maildir")}})
        cfg.data["router"]["dkim"] = {"signing": True, "keys": {DOMAIN: list(SELECTORS)}}
        gw_port = (cfg if host == "router2" else self.routers["router2"].config).router_port
        cfg.data["cluster"].update({
            "keystores": [self.keystore_address(h) for h in KEYSTORES],
            "nodes": {GATEWAY: f"{self.lab.address('router2')}:{gw_port}"}})
        self._start_node(host, "router", cfg)

    def _start_edge(self, host):
        cfg = self._node_config(host, self.lan_dns.address)
        cfg.local_domains = [DOMAIN]
        cfg.user(USER, PASSWORD)
        cfg.data["cluster"]["routers"] = [self.router_address(h) for h in ROUTERS]
        self._start_node(host, "edge", cfg)

    def _start_node(self, host, role, cfg):
        node = self.lab.start_postern(host, role, cfg)
        self.nodes[host] = (role, node)
        {"keystore": self.keystores, "router": self.routers, "edge": self.edges}[role][host] = \
            node
        return node

    # -- addresses --
    def keystore_address(self, host):
        return f"{self.lab.address(host)}:{self.keystores[host].config.keystore_port}"

    def router_address(self, host):
        return f"{self.lab.address(host)}:{self.routers[host].config.router_port}"

    def submission_address(self, edge):
        return self.lab.address(edge), self.edges[edge].port("submission")

    # -- node control --
    def node(self, host):
        return self.nodes[host][1]

    def stop_node(self, host):
        """SIGTERM (drain) and wait."""
        return self.node(host).stop()

    def start_node(self, host):
        """Starts a stopped or killed node again: same config, same data dir."""
        node = self.node(host)
        if not node.running():
            node.start()
        return node

    def ensure_running(self):
        """Every node and etcd member up (a failed scenario may have left one down)."""
        for host in self.nodes:
            self.start_node(host)
        self.etcd.start_members(*range(len(ETCD)))

    # -- admin --
    def ctl(self, node, server, *args, timeout=60):
        """posternctl ARGS against `server` (a service of the Postern `node`), run in the
        client host with the node's admin token (and with mtls, its certificate)."""
        tls = ["--config", node.config_path] if self.mtls else []
        return self.lab.run("client", [POSTERNCTL_BIN, *tls, "--server", server, "--token-file",
                                       node.config.path("admin.token"), *args], timeout=timeout)

    def keymgmt(self, ks, *args):
        return self.ctl(self.keystores[ks], self.keystore_address(ks), "keymgmt", *args,
                        timeout=120)

    def keymgmt_ok(self, ks, *args):
        run = self.keymgmt(ks, *args)
        if run.returncode != 0:
            raise AssertionError(f"keymgmt {' '.join(args)} via {ks} failed "
                                 f"({run.returncode}):\n{run.stdout}{run.stderr}")
        return run

    def queue_list(self, router):
        return self.ctl(self.routers[router], self.router_address(router), "queue", "list")

    def published_key(self, ks, domain, selector):
        """(k=, p bytes) of a key's DKIM record as `keymgmt export dkim dns` prints it."""
        out = self.keymgmt_ok(ks, "export", "dkim", "dns", domain, selector).stdout
        tags = parse_txt(dns_value_from_output(out))
        return tags["k"], base64.b64decode(tags["p"], validate=True)

    def sign(self, ks, domain, selector, digest):
        """Keystore.Sign through `ks` from the client host (a child process, so its gRPC
        sockets live in that namespace): (algorithm, signature) or raises RuntimeError with
        the gRPC status."""
        tls = [self.ca[0], *self.certs["client"]] if self.mtls else []
        run = self.lab.run("client", [PYTHON, "-m", "support.cluster", "sign",
                                      self.keystore_address(ks), self.token_file, domain,
                                      selector, digest.hex(), *tls], timeout=60)
        if run.returncode != 0:
            raise RuntimeError(f"Sign {domain}/{selector} via {ks}: {run.stderr.strip()}")
        reply = json.loads(run.stdout)
        return reply["algorithm"], bytes.fromhex(reply["signature"])

    # -- mail --
    def connect(self, edge, timeout=30):
        """An smtplib client to the edge's submission port from the client host: STARTTLS and
        AUTH done. Its socket lives in the client's namespace, so any thread may use it."""
        ip, port = self.submission_address(edge)

        def open_session():
            client = smtplib.SMTP(ip, port, timeout=timeout)
            try:
                client.ehlo("client.tests.postern.test")
                client.starttls(context=client_context_no_verify())
                client.ehlo("client.tests.postern.test")
                client.login(USER, PASSWORD)
            except BaseException:
                client.close()
                raise
            return client
        return self.lab.call_in("client", open_session)

    def dkim_txt(self, name):
        """The TXT record `name` as the internet's DNS serves it (queried from the internet
        host, as a remote verifier does); None when there is none."""
        from dnslib import QTYPE, DNSRecord
        dns = self.internet_dns

        def query():
            return DNSRecord.question(name, "TXT").send(dns.ip, dns.port, timeout=2)
        reply = DNSRecord.parse(self.lab.call_in("internet", query))
        txts = [b"".join(rr.rdata.data) for rr in reply.rr if rr.rtype == QTYPE.TXT]
        return txts[0] if txts else None

    def close(self):
        """Stops etcd (the lab stops everything else at its own close)."""
        if self.etcd is not None:
            self.etcd.stop()


def _sign_cli(argv):
    """`python3 -m support.cluster sign ADDRESS TOKEN_FILE DOMAIN SELECTOR DIGEST_HEX
    [CA CERT KEY]`: one Keystore.Sign (over mTLS with the three PEM files); prints
    {"algorithm", "signature" (hex)}; exit 1 with the gRPC status."""
    import grpc

    from .grpc_client import KeystoreClient
    address, token_file, domain, selector, digest, *tls = argv
    with open(token_file) as f:
        token = f.read().strip()
    with KeystoreClient(address, token) as client:
        if tls:
            files = []
            for path in tls:
                with open(path, "rb") as f:
                    files.append(f.read())
            client.channel.close()
            client.channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(
                root_certificates=files[0], private_key=files[2], certificate_chain=files[1]))
        try:
            [(algorithm, signature)] = client.sign([(domain, selector, bytes.fromhex(digest))])
        except grpc.RpcError as e:
            sys.stderr.write(f"{e.code().name}: {e.details()}\n")
            return 1
    print(json.dumps({"algorithm": algorithm, "signature": signature.hex()}))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["sign"] or len(sys.argv) not in (7, 10):
        sys.exit("usage: python3 -m support.cluster sign ADDRESS TOKEN_FILE DOMAIN SELECTOR "
                 "DIGEST_HEX [CA CERT KEY]")
    sys.exit(_sign_cli(sys.argv[2:]))
