"""A network lab for multi-host integration tests: hosts in network namespaces joined by veth
links (netns mode), or every host on 127.0.0.1 (loopback mode), behind one API so a scenario
runs unchanged in both.

    with Lab() as lab:                                  # mode: see below
        for name in ("client", "edge1", "router1"):
            lab.add_host(name)
        lab.add_host("gateway", gateway=True)           # on the LAN and on the WAN link
        lab.add_host("internet", internet=True)         # reachable only from the gateway
        dns = lab.start_dns("internet", ZONE)           # dns.address: "ip:port"
        mx = lab.start_sink("internet", port=25)        # mx.wait_for_messages(1)
        cfg = NodeConfig(workdir, dns.address, cert)
        node = lab.start_postern("router1", "router", cfg)   # listens on router1's address
        lab.run("client", [POSTERNCTL_BIN, "--server", f"{lab.address('router1')}:"
                f"{cfg.router_port}", "health"])
        assert lab.can_connect("gateway", "internet", 25)
        if lab.isolated:
            assert not lab.can_connect("router1", "internet", 25)

Modes: Lab(mode="netns" | "loopback" | "auto"); without a mode argument the environment
variable POSTERN_NETLAB_MODE decides, else "auto": netns when running as root and a namespace
can be created, else loopback. Lab("netns") raises LabUnavailable when it cannot run;
`netns_unavailable()` says why (None when it can).

netns topology, per Lab (names carry a per-run prefix `pst<pid>-<n>-`, so parallel runs and
several labs in one process never collide):
  * every host is a namespace `<prefix><host>` with `lo` up;
  * the LAN is a bridge inside its own "switch" namespace `<prefix>sw` (nothing is created in
    the root namespace); each LAN host has a veth `lan0` to it, address 10.200.<2k>.<11+i>/24;
  * the internet host has one veth `wan0` to the gateway's `wan0`, 10.200.<2k+1>.0/30 (gateway
    .1, internet .2), and no LAN link. No host has a default route and nothing forwards, so
    only the gateway reaches the internet host and the internet host reaches only the gateway
    (at its WAN address).
  Veths are created inside the namespaces (`ip -n SW link add ... peer ... netns HOST`), so
  their names never exist in the root namespace. k is derived from the pid and the lab number,
  skipping /23s the root namespace uses; since each lab is a separate routing domain, equal
  subnets in two runs could not interfere anyway: distinct ones just keep logs unambiguous.

Loopback mode: every host is 127.0.0.1, ports are unique per lab (net.free_port), nothing is
isolated (`lab.isolated` is False): tests skip only their isolation assertions.

API (host = the name given to add_host):
  add_host(name, lan=None, internet=False, gateway=False)   lan defaults to `not internet`
  address(host)                  its LAN address (the internet host: its WAN address)
  address_for(to_host, from_host)   the address from_host uses to reach to_host (the gateway
                                 seen from the internet host: its WAN address)
  namespace(host), exec_prefix(host)   the namespace name / ["ip", "netns", "exec", NS]
                                 (None / [] in loopback mode)
  free_port(host)                netns: per-host counter from 20000; loopback: net.free_port()
  popen(host, argv, **kw)        a tracked process in the host's namespace (Popen); env gets
                                 PYTHONPATH=<repo>/tests so `support` imports there
  run(host, argv, timeout=30, **kw)   run to completion (CompletedProcess, text, captured)
  stop(proc, timeout=10), kill9(proc)
  call_in(host, fn, *a, **kw)    fn on a thread joined to the host's namespace (sockets it
                                 creates live there): smtplib, raw sockets
  listen(host, port=None)        a listening TCP socket on the host (netns: all its addresses;
                                 None: the OS picks the port), closed at teardown
  can_connect(from_host, to_host, port, timeout=1.0)   a TCP connect from inside from_host
  wait_for_port(from_host, to_host, port, timeout=20, alive=None)
  start_dns(host, zones, port=None)   netlab_peers DNS child (port 53 in netns mode)
  start_sink(host, port=None, tls=None)   netlab_peers SMTP sink child (port 25 in netns mode)
  place_config(host, config)     a NodeConfig's listeners moved to the host's address
  start_postern(host, role, config, name=None)   place_config, then support.postern.Postern
                                 run in the namespace (ports awaited from inside it)
  close()                        teardown (also on leaving `with`)

Teardown (close(), idempotent): postern nodes are stopped (drain, log tail), peers closed,
every other tracked process killed, then every process still in a lab namespace (`ip netns
pids`) gets kill -9, the namespaces are deleted (their veths and the bridge go with them) and
the lab's temp dir removed. It runs after a partial setup failure (every namespace is recorded
before it is created) and on SIGTERM: inside `with`, SIGTERM raises LabTerminated (a
SystemExit) so the block unwinds through close(), and then the process dies of the SIGTERM as
its sender meant. Use a Lab from the main thread (signals, pdeathsig). Processes are started
under `setpriv --pdeathsig KILL` (when popen is called from the main thread), so they die with
the test even if it is killed -9; namespaces left by a run that died that way are deleted by
the next Lab (names `pst<pid>-` whose pid no longer exists).

SECURITY: this runs as root in CI and deletes namespaces: it only ever deletes namespaces it
created or ones matching `pst<pid>-<n>-` of a dead pid, and creates nothing in the root
namespace (no bridge, no veth, no iptables rule, no sysctl).
"""
import ctypes
import ipaddress
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

from .net import LOOPBACK, free_port, wait_until
from .netlab_peers import PeerProcess

PYTHON = "/usr/bin/python3"  # Debian's modules (aiosmtpd, dnslib) import only there
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
_STALE = re.compile(r"^pst(\d+)-\d+-")
_lab_numbers = itertools.count(1)


class LabUnavailable(RuntimeError):
    """netns mode was asked for but cannot run here (not root, no `ip netns`)."""


class LabTerminated(SystemExit):
    """Raised in the main thread on SIGTERM while a Lab is open, so `with` unwinds."""


def _ip(*args, check=True):
    run = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and run.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed ({run.returncode}): "
                           f"{run.stderr.strip()}")
    return run


def _netns_names():
    run = _ip("netns", "list", check=False)
    return [line.split()[0] for line in run.stdout.splitlines() if line.strip()]


def netns_unavailable():
    """None when netns mode can run here, else the reason (for a skip or failure message)."""
    if os.geteuid() != 0:
        return "network namespaces need root (run as root, as CI does)"
    if shutil.which("ip") is None:
        return "the `ip` command (iproute2) is missing"
    probe = f"pst{os.getpid()}-0-probe"
    add = _ip("netns", "add", probe, check=False)
    if add.returncode != 0:
        return f"`ip netns add` failed: {add.stderr.strip()}"
    _ip("netns", "delete", probe, check=False)
    return None


def sweep_stale_namespaces():
    """Deletes lab namespaces of runs whose process is gone (killed -9, ctest timeout)."""
    for name in _netns_names():
        m = _STALE.match(name)
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            try:
                _kill_namespace_pids(name)
            except TimeoutError as e:  # not ours to fail on: say so and go on
                sys.stderr.write(f"netlab: stale namespace {name} not swept: {e}\n")
                continue
            _ip("netns", "delete", name, check=False)


def _namespace_pids(ns):
    run = _ip("netns", "pids", ns, check=False)
    return [int(p) for p in run.stdout.split() if p.isdigit()]


def _kill_namespace_pids(ns, timeout=10):
    def gone():
        for pid in _namespace_pids(ns):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return not _namespace_pids(ns)
    wait_until(gone, timeout, f"the processes in namespace {ns} to exit", interval=0.05)


_libc = None


def _setns(path):
    """Joins the calling thread to the network namespace at `path` (per-thread for netns)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


class _Host:
    def __init__(self, name, ns, lan, internet, gateway):
        self.name = name
        self.ns = ns
        self.lan = lan
        self.internet = internet
        self.gateway = gateway
        self.lan_ip = None
        self.wan_ip = None
        self.next_port = 20000


class Lab:
    def __init__(self, mode=None, workdir=None):
        mode = mode or os.environ.get("POSTERN_NETLAB_MODE") or "auto"
        if mode not in ("netns", "loopback", "auto"):
            raise ValueError(f"netlab mode must be netns, loopback or auto (got {mode!r})")
        self.number = next(_lab_numbers)
        self.prefix = f"pst{os.getpid()}-{self.number}-"
        if mode in ("netns", "auto"):
            reason = netns_unavailable()
            if reason is not None and mode == "netns":
                raise LabUnavailable(f"netlab netns mode unavailable: {reason}")
            mode = "loopback" if reason is not None else "netns"
        self.mode = mode
        self.isolated = mode == "netns"
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix=f"netlab-{os.getpid()}-")
        self._hosts = {}
        self._namespaces = []  # in creation order; recorded before `ip netns add`
        self._switch = None
        self._lan_links = 0
        self._lan_net = self._wan_net = None
        self._procs = []
        self._peers = []
        self._nodes = []
        self._sockets = []
        self._closed = False
        self._old_sigterm = None
        self._sigterm_installed = False
        if self.isolated:
            sweep_stale_namespaces()
            self._choose_subnets()

    # -- context --
    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._old_sigterm = signal.signal(signal.SIGTERM, self._on_sigterm)
            self._sigterm_installed = True
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self.close()
        finally:
            if exc_type is LabTerminated:
                # Cleaned up: now die of the SIGTERM as the sender meant (old handler is back).
                os.kill(os.getpid(), signal.SIGTERM)

    def _on_sigterm(self, signum, frame):
        raise LabTerminated(128 + signal.SIGTERM)

    # -- topology --
    def _choose_subnets(self):
        """A /23 of 10.200.0.0/16 (LAN /24 + WAN) that no root-namespace address or route
        overlaps (a default route is not counted)."""
        text = _ip("-4", "-o", "addr", "show").stdout + _ip("-4", "route", "show",
                                                           "table", "all").stdout
        used = [ipaddress.ip_network(m, strict=False)
                for m in re.findall(r"(?<![\d.])\d+\.\d+\.\d+\.\d+(?:/\d+)?", text)]
        used = [n for n in used if n.prefixlen > 0]
        start = (os.getpid() * 7 + self.number) % 127
        for i in range(127):
            k = (start + i) % 127
            mine = ipaddress.ip_network(f"10.200.{2 * k}.0/23")
            if not any(mine.overlaps(n) for n in used):
                self._lan_net, self._wan_net = f"10.200.{2 * k}", f"10.200.{2 * k + 1}"
                return
        raise LabUnavailable("no free /23 in 10.200.0.0/16 for the lab")

    def _add_namespace(self, suffix):
        ns = self.prefix + suffix
        self._namespaces.append(ns)
        _ip("netns", "add", ns)
        _ip("-n", ns, "link", "set", "lo", "up")
        return ns

    def _ensure_switch(self):
        if self._switch is None:
            self._switch = self._add_namespace("sw")
            _ip("-n", self._switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", self._switch, "link", "set", "br0", "up")
        return self._switch

    def add_host(self, name, lan=None, internet=False, gateway=False):
        """Adds a host; in netns mode creates its namespace and links. Returns the name."""
        if lan is None:
            lan = not internet
        if not re.fullmatch(r"[a-z][a-z0-9]{0,15}", name) or name == "sw":
            raise ValueError(f"host name must be 1-16 lowercase letters/digits, not 'sw' "
                             f"(got {name!r})")
        if name in self._hosts:
            raise ValueError(f"host {name!r} already added")
        if internet and (lan or gateway):
            raise ValueError("the internet host is on the WAN link only (lan=False, "
                             "gateway=False)")
        if gateway and not lan:
            raise ValueError("the gateway must be on the LAN")
        for flag, kind in ((internet, "internet"), (gateway, "gateway")):
            if flag and any(getattr(h, kind) for h in self._hosts.values()):
                raise ValueError(f"a lab has at most one {kind} host")
        host = _Host(name, self.prefix + name if self.isolated else None, lan, internet,
                     gateway)
        self._hosts[name] = host
        if not self.isolated:
            host.lan_ip = host.wan_ip = LOOPBACK if lan else None
            if internet:
                host.wan_ip = LOOPBACK
            return name
        try:
            self._add_namespace(name)
            if lan:
                self._link_lan(host)
            if internet or gateway:
                peer = self._peer_of(host)
                if peer is not None:  # the WAN link, once both of its ends exist
                    self._link_wan(host if gateway else peer, host if internet else peer)
        except BaseException:
            del self._hosts[name]  # its namespace stays recorded: close() deletes it
            raise
        return name

    def _peer_of(self, host):
        want = "internet" if host.gateway else "gateway"
        return next((h for h in self._hosts.values() if getattr(h, want) and h is not host),
                    None)

    def _link_lan(self, host):
        switch = self._ensure_switch()
        index, self._lan_links = self._lan_links, self._lan_links + 1  # never reused
        if index >= 200:
            raise ValueError("at most 200 LAN hosts")
        port = f"p{index}"
        _ip("-n", switch, "link", "add", port, "type", "veth", "peer", "name", "lan0",
            "netns", host.ns)
        _ip("-n", switch, "link", "set", port, "master", "br0", "up")
        host.lan_ip = f"{self._lan_net}.{11 + index}"
        _ip("-n", host.ns, "addr", "add", f"{host.lan_ip}/24", "dev", "lan0")
        _ip("-n", host.ns, "link", "set", "lan0", "up")

    def _link_wan(self, gateway, internet):
        _ip("-n", gateway.ns, "link", "add", "wan0", "type", "veth", "peer", "name", "wan0",
            "netns", internet.ns)
        gateway.wan_ip, internet.wan_ip = f"{self._wan_net}.1", f"{self._wan_net}.2"
        for h in (gateway, internet):
            _ip("-n", h.ns, "addr", "add", f"{h.wan_ip}/30", "dev", "wan0")
            _ip("-n", h.ns, "link", "set", "wan0", "up")

    def hosts(self):
        return list(self._hosts)

    def _host(self, name):
        try:
            return self._hosts[name]
        except KeyError:
            raise KeyError(f"no host {name!r} in the lab (have {', '.join(self._hosts)})")

    def address(self, host):
        h = self._host(host)
        return h.wan_ip if h.internet else h.lan_ip

    def address_for(self, to_host, from_host):
        to, frm = self._host(to_host), self._host(from_host)
        if frm.internet and to.gateway:
            return to.wan_ip or to.lan_ip
        return self.address(to_host)

    def namespace(self, host):
        return self._host(host).ns

    def exec_prefix(self, host):
        ns = self._host(host).ns
        return ["ip", "netns", "exec", ns] if ns else []

    def free_port(self, host):
        h = self._host(host)
        if not self.isolated:
            return free_port()
        port, h.next_port = h.next_port, h.next_port + 1
        return port

    # -- processes --
    def _env(self, env):
        env = dict(os.environ if env is None else env)
        paths = [TESTS_DIR] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
        return env

    def command(self, host, argv):
        """The argv that runs `argv` in the host's namespace (what popen runs)."""
        argv = [str(a) for a in argv]
        prefix = []
        if threading.current_thread() is threading.main_thread():
            prefix = ["setpriv", "--pdeathsig", "KILL", "--"]
        return prefix + self.exec_prefix(host) + argv

    def popen(self, host, argv, env=None, **kw):
        """Starts argv in the host's namespace; the lab kills it at teardown if still alive."""
        self._check_open()
        proc = subprocess.Popen(self.command(host, argv), env=self._env(env), **kw)
        self._procs.append(proc)
        return proc

    def run(self, host, argv, timeout=30, env=None, **kw):
        """Runs argv in the host's namespace to completion: CompletedProcess (text output)."""
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        if "input" not in kw:
            kw.setdefault("stdin", subprocess.DEVNULL)
        self._check_open()
        return subprocess.run(self.command(host, argv), env=self._env(env), timeout=timeout,
                              **kw)

    def stop(self, proc, timeout=10):
        """SIGTERM, wait; kill -9 after `timeout`. Returns the exit code."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def kill9(self, proc):
        if proc.poll() is None:
            proc.kill()
        return proc.wait()

    # -- sockets from inside a namespace --
    def call_in(self, host, fn, *args, **kwargs):
        """Calls fn on a fresh thread joined to the host's network namespace and returns its
        result (or raises its exception). Sockets fn creates belong to that namespace."""
        ns = self._host(host).ns
        if ns is None:
            return fn(*args, **kwargs)
        result = {}

        def body():
            try:
                _setns(os.path.join(NETNS_DIR, ns))
                result["value"] = fn(*args, **kwargs)
            except BaseException as e:  # re-raised in the caller
                result["error"] = e
        t = threading.Thread(target=body, name=f"netlab-in-{host}")
        t.start()
        t.join()
        if "error" in result:
            raise result["error"]
        return result["value"]

    def listen(self, host, port=None):
        """A listening TCP socket on the host: every address of its namespace (netns), or
        127.0.0.1 (loopback; port 0 picks a free one). Closed at teardown."""
        def make():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0" if self.isolated else LOOPBACK, port or 0))
            s.listen(64)
            return s
        s = self.call_in(host, make)
        self._sockets.append(s)
        return s

    def can_connect(self, from_host, to_host, port, timeout=1.0):
        """True when a TCP connection from inside from_host to to_host:port is accepted."""
        address = self.address_for(to_host, from_host)
        if address is None:
            return False

        def attempt():
            try:
                with socket.create_connection((address, port), timeout=timeout):
                    return True
            except OSError:
                return False
        return self.call_in(from_host, attempt)

    def wait_for_port(self, from_host, to_host, port, timeout=20, alive=None):
        def check():
            if alive is not None:
                alive()
            return self.can_connect(from_host, to_host, port, timeout=0.5)
        wait_until(check, timeout, f"{to_host}:{port} to accept connections from {from_host}",
                   interval=0.05)

    # -- peers --
    def _start_peer(self, kind, host, args):
        ip = self.address(host)
        log_path = os.path.join(self.workdir, f"{kind}-{host}-{len(self._peers)}.log")
        with open(log_path, "wb") as log:
            proc = self.popen(host, [PYTHON, "-m", "support.netlab_peers", kind,
                                     "--address", ip, *args],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                              text=True, cwd=self.workdir)
        peer = PeerProcess(kind, host, ip, proc, log_path)
        self._peers.append(peer)
        return peer.wait_started()

    def start_dns(self, host, zones, port=None):
        """An authoritative DNS server (dns_server.ZoneResolver semantics) on the host,
        serving `zones` (zone-file text, or a list of them). `.address` is "ip:port"."""
        text = zones if isinstance(zones, str) else "\n".join(zones)
        zone_file = os.path.join(self.workdir, f"zone-{host}-{len(self._peers)}.txt")
        with open(zone_file, "w", encoding="utf-8") as f:
            f.write(text)
        if port is None:
            port = 53 if self.isolated else 0
        return self._start_peer("dns", host, ["--port", str(port), "--zone-file", zone_file])

    def start_sink(self, host, port=None, tls=None):
        """An SMTP sink (recording_sink.RecordingSink) on the host; tls=(cert, key) offers
        STARTTLS. `.address` is "ip:port"; `.wait_for_messages(n)`."""
        if port is None:
            port = 25 if self.isolated else 0
        args = ["--port", str(port)]
        if tls is not None:
            args += ["--cert", tls[0], "--key", tls[1]]
        return self._start_peer("sink", host, args)

    def place_config(self, host, config):
        """Moves a support.postern.NodeConfig's own listeners (edge listeners, router.listen,
        keystore.listen) from 127.0.0.1 to the host's address, keeping the ports. Returns it.
        Addresses of other nodes (cluster.*) are the test's to set."""
        ip = self.address(host)

        def moved(address):
            _, _, port = address.rpartition(":")
            return f"{ip}:{port}"
        data = config.data
        for listener in data.get("edge", {}).get("listeners", []):
            listener["address"] = moved(listener["address"])
        for section in ("router", "keystore"):
            if "listen" in data.get(section, {}):
                data[section]["listen"] = moved(data[section]["listen"])
        return config

    def start_postern(self, host, role, config, name=None):
        """support.postern.Postern for `role` run in the host's namespace, its listeners
        placed on the host (place_config); it waits for the node's ports from inside that
        namespace. Stopped (drain, log tail) at teardown."""
        from .postern import Postern
        self._check_open()
        self.place_config(host, config)
        node = Postern(role, config, name or f"postern-{role}-{host}",
                       prefix=self.command(host, []),
                       probe=lambda port: self.can_connect(host, host, port, timeout=0.5))
        self._nodes.append(node)
        node.start()
        self._procs.append(node.proc)
        return node

    # -- teardown --
    def _check_open(self):
        if self._closed:
            raise RuntimeError("the lab is closed")

    def close(self):
        """Tears everything down (see the module docstring). Raises if something survived."""
        if self._closed:
            return
        self._closed = True
        main = self._sigterm_installed and threading.current_thread() is threading.main_thread()
        if main:  # a second SIGTERM must not interrupt the cleanup
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        problems = []
        try:
            for node in reversed(self._nodes):
                try:
                    node.close()
                except Exception as e:  # keep tearing down
                    problems.append(f"stopping {node.name}: {e}")
            for peer in reversed(self._peers):
                peer.stop(timeout=5)
            for proc in self._procs:
                self.kill9(proc)
            for s in self._sockets:
                s.close()
            for ns in reversed(self._namespaces):
                if ns in _netns_names():
                    try:
                        _kill_namespace_pids(ns)
                    except TimeoutError as e:
                        problems.append(str(e))
                    _ip("netns", "delete", ns, check=False)
            left = [ns for ns in _netns_names() if ns.startswith(self.prefix)]
            if left:
                problems.append(f"namespaces left behind: {', '.join(left)}")
            if self._own_workdir and not os.environ.get("POSTERN_KEEP_TMP"):
                shutil.rmtree(self.workdir, ignore_errors=True)
        finally:
            if main:
                signal.signal(signal.SIGTERM, self._old_sigterm
                              if self._old_sigterm is not None else signal.SIG_DFL)
        if problems:
            raise RuntimeError("netlab teardown: " + "; ".join(problems))

    def tracked_pids(self):
        """PIDs of every process this lab started (for leak checks after close())."""
        return [p.pid for p in self._procs]

    def dump(self, out=sys.stderr):
        """Prints the topology (for a failing test's log)."""
        for h in self._hosts.values():
            out.write(f"netlab {self.mode} {h.name}: ns={h.ns} lan={h.lan_ip} wan={h.wan_ip}"
                      f"{' gateway' if h.gateway else ''}{' internet' if h.internet else ''}\n")
