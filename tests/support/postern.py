"""Runs the real `postern` and `posternctl` binaries for integration tests.

    cfg = NodeConfig(workdir, dns=dns.address, cert=(cert, key))
    cfg.local_domains = ["example.test"]
    cfg.route(["example.test"], "box", {"maildir": {"path": cfg.path("maildir")}})
    with Postern("all", cfg) as p:                    # writes YAML, starts, waits for ports
        smtp = smtplib.SMTP("127.0.0.1", p.port("mx"))

Binaries come from the environment (set by tests/integration/CMakeLists.txt): POSTERN_BIN and
POSTERNCTL_BIN. Every listener and the router's gRPC port are free ports chosen at run time.
A process's combined stdout/stderr go to <workdir>/<name>.log; stop() prints its tail to
stderr so a failing ctest run shows what the server said.
"""
import copy
import os
import signal
import subprocess
import sys

import yaml

from .net import LOOPBACK, free_port, wait_for_port, wait_until
from .passwords import argon2id_hash

POSTERN_BIN = os.environ.get("POSTERN_BIN", "postern")
POSTERNCTL_BIN = os.environ.get("POSTERNCTL_BIN", "posternctl")
START_TIMEOUT = float(os.environ.get("POSTERN_START_TIMEOUT", "30"))
STOP_TIMEOUT = float(os.environ.get("POSTERN_STOP_TIMEOUT", "40"))


class NodeConfig:
    """One node's postern.yaml as a dict, with free ports and paths under `workdir`.

    Defaults: listeners mx (STARTTLS), submission (STARTTLS + AUTH required) and submissions
    (implicit TLS + AUTH required) on free ports; router gRPC on a free port; data under
    <workdir>/var; DNS only at the given test server (never the system resolver); a fast
    retry schedule. Tests change what they need with route(), user() or data[...].
    """

    def __init__(self, workdir, dns, cert, name="node1", hostname="mx.postern.test"):
        self.workdir = workdir
        self.listener_ports = {n: free_port() for n in ("mx", "submission", "submissions")}
        self.router_port = free_port()
        self.keystore_port = free_port()  # `postern keystore` and `all` (issue 3)
        self.local_domains = []
        self.routes = []
        self.destinations = {}
        self.users = []
        self.data = {
            "node": {"name": name, "data_dir": self.path("var")},
            "internet": {"hostname": hostname},
            "dns": {"servers": [dns], "timeout": "2s", "tries": 1},
            "edge": {
                "listeners": [
                    {"name": "mx", "address": self._addr("mx"), "tls": "starttls"},
                    {"name": "submission", "address": self._addr("submission"),
                     "tls": "starttls", "auth": "required"},
                    {"name": "submissions", "address": self._addr("submissions"),
                     "tls": "implicit", "auth": "required"},
                ],
                "tls": {"cert": cert[0], "key": cert[1]},
                "drain_timeout": "10s",
            },
            "router": {
                "listen": f"{LOOPBACK}:{self.router_port}",
                "retry": {"schedule": ["1s"], "max_age": "1h"},
            },
            "admin": {"token_file": self.path("admin.token")},
            "keystore": {"listen": f"{LOOPBACK}:{self.keystore_port}"},
        }

    def cluster_tls(self, ca, cert, key, server_name=None, routers=None):
        """mTLS between roles (issue 6): cluster.tls with the CA certificate path and this
        node's certificate and key paths; `routers`: the routers' certificate names, which
        cluster RPCs (Sign, GetSecret, Forward) accept in place of the cluster token."""
        tls = {"ca": ca, "cert": cert, "key": key}
        if server_name:
            tls["server_name"] = server_name
        if routers:
            tls["routers"] = list(routers)
        self.data.setdefault("cluster", {})["tls"] = tls

    def _addr(self, listener):
        return f"{LOOPBACK}:{self.listener_ports[listener]}"

    def path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def route(self, domains, destination, spec=None):
        """Appends a route (first match wins); `spec` defines the destination when new."""
        self.routes.append({"domains": list(domains), "to": destination})
        if spec is not None:
            self.destinations[destination] = spec

    def user(self, address, password, name=None):
        self.users.append({"name": name or address, "addresses": [address],
                           "password": argon2id_hash(password)})

    def render(self):
        out = copy.deepcopy(self.data)
        out["internet"]["local_domains"] = list(self.local_domains)
        out["router"]["routes"] = list(self.routes)
        out["router"]["destinations"] = dict(self.destinations)
        if self.users:
            out["directory"] = {"users": list(self.users)}
        return out

    def write(self, file_name="postern.yaml"):
        path = self.path(file_name)
        with open(path, "w") as f:
            yaml.safe_dump(self.render(), f, sort_keys=False)
        return path


class Postern:
    """One `postern <role> --config FILE` process."""

    def __init__(self, role, config, name=None, *, prefix=(), probe=None):
        self.role = role
        self.config = config
        self.name = name or f"postern-{role}"
        self.proc = None
        # netlab (tests/support/netlab.py): `prefix` is put before the command (e.g. `ip netns
        # exec NS`), `probe(port) -> bool` replaces "accepts on 127.0.0.1" while starting.
        self.prefix = list(prefix)
        self.probe = probe
        self.log_path = config.path(f"{self.name}.log")
        self.config_path = None

    def port(self, listener):
        return self.config.listener_ports[listener]

    @property
    def router_port(self):
        return self.config.router_port

    @property
    def pid(self):
        return self.proc.pid

    def _ports_to_await(self):
        ports = []
        if self.role in ("edge", "all"):
            ports += [self.port(n) for n in self.config.listener_ports]
        if self.role in ("router", "all"):
            ports.append(self.router_port)
        if self.role in ("keystore", "all"):
            ports.append(self.config.keystore_port)
        return ports

    def start(self):
        self.config_path = self.config.write(f"{self.name}.yaml")
        log = open(self.log_path, "ab")
        log.write(f"=== start {self.role} ===\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            [*self.prefix, POSTERN_BIN, self.role, "--config", self.config_path],
            cwd=self.config.workdir, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT)
        log.close()
        try:
            for port in self._ports_to_await():
                if self.probe is not None:
                    wait_until(lambda: self._check_alive() or self.probe(port), START_TIMEOUT,
                               f"{self.name} to accept connections on port {port}", interval=0.05)
                else:
                    wait_for_port(port, START_TIMEOUT, alive=self._check_alive)
        except BaseException:
            self.kill()
            self.dump_log()
            raise
        return self

    def _check_alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode} during start-up:"
                               f"\n{self.log_tail()}")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for exit; returns the exit code (raises subprocess.TimeoutExpired)."""
        return self.proc.wait(timeout)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM (drain) and wait; kill -9 if it does not exit in time. Returns the code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} did not exit within {timeout}s of SIGTERM")

    def kill(self):
        """kill -9: the crash case."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=150):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def dump_log(self):
        sys.stderr.write(f"----- {self.name} log ({self.log_path}) -----\n{self.log_tail()}\n")

    def close(self):
        """Cleanup: stop (drain, then kill -9 if needed) and show the log."""
        try:
            if self.running():
                try:
                    self.stop()
                except AssertionError as e:
                    sys.stderr.write(f"{e}\n")
        finally:
            self.dump_log()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def posternctl(config, *args, token_file=None, server=None, timeout=30):
    """Runs posternctl against the node's router; returns the CompletedProcess (text)."""
    cmd = [POSTERNCTL_BIN,
           "--server", server or f"{LOOPBACK}:{config.router_port}",
           "--token-file", token_file or config.path("admin.token"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def keymgmt(config, *args, token_file=None, server=None, input=None, timeout=120):
    """Runs `posternctl keymgmt ARGS` against the node's keystore (keystore.listen) with the
    admin token; `input` feeds stdin (passwords). Returns the CompletedProcess (text)."""
    cmd = [POSTERNCTL_BIN,
           "--server", server or f"{LOOPBACK}:{config.keystore_port}",
           "--token-file", token_file or config.path("admin.token"), "keymgmt", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL)


def cluster_token(config):
    """The cluster token a node created (cluster.token_file, default <data_dir>/cluster.token)."""
    path = config.data.get("cluster", {}).get("token_file") or os.path.join(
        config.data["node"]["data_dir"], "cluster.token")
    with open(path) as f:
        return f.read().strip()


def write_cluster_token(path):
    """A fresh cluster token in `path` (mode 0600), for nodes that share one
    cluster.token_file; returns the token."""
    token = os.urandom(32).hex()
    with open(path, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def check_config(path, cwd=None, timeout=30):
    return subprocess.run([POSTERN_BIN, "check-config", path], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
