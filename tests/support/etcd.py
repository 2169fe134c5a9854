"""A real etcd cluster (Debian's etcd-server, v3 API) on 127.0.0.1 for the keystore's etcd
backend tests: 1 or 3 members, fresh free ports, data dirs in a private temp dir.

    with EtcdCluster(members=3) as cluster:
        cluster.endpoints             # ["127.0.0.1:41234", ...] (gRPC client endpoints)
        cluster.stop_members(0)       # SIGTERM, waits for exit
        cluster.start_members(0)      # same data dir and ports, waits until healthy

Contract: start() and start_members() return only once every member they started answers
GET /health with {"health": "true"} on its client port (it has a leader, so the cluster has a
quorum), or raise TimeoutError / RuntimeError (a member exited; its log tail is in the
message). A member started alone while the others are down cannot become healthy: start the
members of a quorum together (start_members(0, 1, 2)). Members log to <dir>/<name>.log.
stop() (and leaving the `with` block) kills every member and removes the data dirs.

Members on other hosts (tests/support/netlab.py): `placements`, one Placement per member, puts
member i on an address, under a command prefix (e.g. the lab's `ip netns exec NS` command),
with its health check run where that address is reachable (e.g. the lab's call_in for the
member's host):

    placements = [Placement(lab.address(h), lab.command(h, []),
                            functools.partial(lab.call_in, h)) for h in ("etcd1", ...)]
    EtcdCluster(members=3, placements=placements)   # endpoints: "<address>:<port>"
"""
import collections
import ctypes
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid

from .net import LOOPBACK, free_port, wait_until

ETCD = "/usr/bin/etcd"
START_TIMEOUT = 30
_PR_SET_PDEATHSIG = 1

# Where a member runs: the address it binds (client and peer URLs), the argv prefix it is
# started under, and `call(fn)` -> fn() run where the address is reachable (its health check).
Placement = collections.namedtuple("Placement", "address prefix call",
                                   defaults=(LOOPBACK, (), None))


def _die_with_parent():
    """In the forked child before exec: the kernel SIGKILLs etcd when the process that started
    it dies, so a killed test leaves no member running."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class _Member:
    def __init__(self, index, base_dir, placement=None, tls=None):
        self.placement = placement or Placement()
        self.tls = tls  # (ca, cert, key) paths: https client URLs with --client-cert-auth
        self.address = self.placement.address
        self.name = f"m{index}"
        self.client_port = free_port()
        self.peer_port = free_port()
        self.data_dir = os.path.join(base_dir, self.name)
        self.log_path = os.path.join(base_dir, self.name + ".log")
        self.process = None

    @property
    def endpoint(self):
        return f"{self.address}:{self.client_port}"

    @property
    def peer_url(self):
        return f"http://{self.address}:{self.peer_port}"

    @property
    def client_url(self):
        return f"{'https' if self.tls else 'http'}://{self.address}:{self.client_port}"

    def argv(self, initial_cluster, token):
        client_url = self.client_url
        tls = [] if not self.tls else [
            "--trusted-ca-file", self.tls[0], "--cert-file", self.tls[1],
            "--key-file", self.tls[2], "--client-cert-auth"]
        return [
            *self.placement.prefix, ETCD, "--name", self.name, "--data-dir", self.data_dir,
            "--listen-client-urls", client_url, "--advertise-client-urls", client_url,
            "--listen-peer-urls", self.peer_url,
            "--initial-advertise-peer-urls", self.peer_url,
            "--initial-cluster", initial_cluster,
            # Ignored once the data dir exists, so a restarted member rejoins as itself.
            "--initial-cluster-state", "new", "--initial-cluster-token", token,
            # No metrics or pprof listeners, no v2 API: only the ports chosen here.
            "--enable-v2=false", *tls,
        ]

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def healthy(self):
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise RuntimeError(f"etcd member {self.name} is not running (exit {code}):\n"
                               + self.log_tail())
        def check():
            try:
                url = f"{self.client_url}/health"
                # No proxy: a proxy from the environment could not reach the member anyway.
                handlers = [urllib.request.ProxyHandler({})]
                if self.tls:
                    context = ssl.create_default_context(cafile=self.tls[0])
                    context.load_cert_chain(self.tls[1], self.tls[2])
                    handlers.append(urllib.request.HTTPSHandler(context=context))
                opener = urllib.request.build_opener(*handlers)
                with opener.open(url, timeout=1) as r:
                    return json.loads(r.read().decode()).get("health") == "true"
            except (OSError, urllib.error.URLError, ValueError):
                return False
        return check() if self.placement.call is None else self.placement.call(check)


class EtcdCluster:
    def __init__(self, members=1, base_dir=None, placements=None, tls=None):
        if members < 1:
            raise ValueError("an etcd cluster has at least one member")
        if placements is not None and len(placements) != members:
            raise ValueError(f"{len(placements)} placements for {members} members")
        self._own_dir = base_dir is None
        self.dir = base_dir or tempfile.mkdtemp(prefix="postern-etcd-")
        self._token = "postern-test-" + uuid.uuid4().hex[:12]
        self._members = [_Member(i, self.dir, placements[i] if placements else None, tls)
                         for i in range(members)]
        self._initial_cluster = ",".join(f"{m.name}={m.peer_url}" for m in self._members)

    @property
    def endpoints(self):
        return [m.endpoint for m in self._members]

    def __len__(self):
        return len(self._members)

    def start(self):
        self.start_members(*range(len(self._members)))
        return self

    def start_members(self, *indexes, timeout=START_TIMEOUT):
        started = []
        for i in indexes:
            m = self._members[i]
            if m.process is not None and m.process.poll() is None:
                continue
            log = open(m.log_path, "ab")
            try:
                m.process = subprocess.Popen(m.argv(self._initial_cluster, self._token),
                                             stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT,
                                             preexec_fn=_die_with_parent)
            finally:
                log.close()
            started.append(m)
        for m in started:
            wait_until(m.healthy, timeout, f"etcd member {m.name} ({m.endpoint}) to be healthy",
                       interval=0.05)

    def stop_members(self, *indexes, hard=False):
        """SIGTERM (or SIGKILL with hard=True) each member, then waits for it to exit."""
        for i in indexes:
            m = self._members[i]
            if m.process is not None and m.process.poll() is None:
                m.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
        for i in indexes:
            m = self._members[i]
            if m.process is not None:
                try:
                    m.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    m.process.kill()
                    m.process.wait()

    def stop(self):
        self.stop_members(*range(len(self._members)), hard=True)
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def cluster_cli(argv):
    """`python3 tests/support etcd-cluster [--members N]`: the C++ tests' etcd fixture.

    Protocol (line-based, like fixture_cli.py): prints "ENDPOINTS host:port,host:port,..." once
    every member is healthy, then obeys commands on stdin, one per line, answering each:
        stop I [I...]    SIGTERM the members, wait for exit   -> "STOPPED I..."
        kill I [I...]    SIGKILL likewise                      -> "STOPPED I..."
        start I [I...]   restart them, wait until healthy      -> "STARTED I..."
    A bad command or a failure answers "ERROR <reason>" (the fixture keeps running). EOF on
    stdin or SIGTERM tears the cluster down and exits.
    """
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="etcd-cluster")
    p.add_argument("--members", type=int, default=1)
    args = p.parse_args(argv)

    cluster = EtcdCluster(members=args.members)

    # The C++ fixture closes stdin and sends SIGTERM at once: whichever comes first tears
    # down, and the other cannot interrupt it (the handler does the teardown itself; the EOF
    # path blocks SIGTERM first).
    def on_term(signum, frame):
        cluster.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        cluster.start()
        print("ENDPOINTS " + ",".join(cluster.endpoints), flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            try:
                indexes = [int(w) for w in words[1:]]
                if not indexes or any(i < 0 or i >= len(cluster) for i in indexes):
                    raise ValueError(f"member indexes are 0..{len(cluster) - 1}")
                if words[0] in ("stop", "kill"):
                    cluster.stop_members(*indexes, hard=words[0] == "kill")
                    print("STOPPED " + " ".join(map(str, indexes)), flush=True)
                elif words[0] == "start":
                    cluster.start_members(*indexes)
                    print("STARTED " + " ".join(map(str, indexes)), flush=True)
                else:
                    raise ValueError(f"unknown command {words[0]!r}")
            except (ValueError, RuntimeError, TimeoutError) as e:
                print("ERROR " + str(e).replace("\n", " | "), flush=True)
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        cluster.stop()
    return 0
