#!/usr/bin/python3
"""Cluster scaling on one machine: 1 edge + 1 router vs 2 edges + 2 routers, and delivery
through a gateway router vs direct delivery. Same run, alternating, medians of the rounds.

Every node is its own process (`postern edge`, `postern router`) with the default, durable
configuration (a 250 means the message is fsynced in a router's RocksDB queue). Edges submit
to `cluster.routers`; routers relay sink.test to one Postfix smtp-sink that counts what
arrives. The load is the mail-path benchmark's (bench/benchlib.py): smtp-source, always two
processes splitting the messages and the sessions (both at the one edge, or one per edge), a
new connection per message, plus one latency probe session on the first edge.

  1e1r      edge -> router A -> sink
  2e2r      edges 1, 2 -> routers A, B (each edge lists both) -> sink
  direct    edge -> router A -> sink               (the baseline of the gateway pair)
  gateway   edge -> router A -> (Router/Forward) gateway router G -> sink
            (the destination is `served_by: [G]`; A's own relay host is a dead port, so a
            message A delivered itself would never reach the sink and the run would fail)
  XeYr      (with --configs) X edges, Y routers, e.g. 1e2r or 2e1r: which role scales

  accepted/s   = 250s (smtp-source + probe) / time until the last client finished
  delivered/s  = the same messages / time until the sink counted all of them
  p50/p99      = the probe's end-of-data "." -> 250, under that load
  cpu-ms/msg   = CPU the postern processes used during the run, per message (the round
                 lines split it: edges, routers)
  cores        = CPU used / the delivery time: postern processes, smtp-source, and the
                 harness (smtp-sinks and this script: probe, sink readers)
  machine      = how busy all cores were over the run (/proc/stat), whoever used them
  per sink     = messages each delivering router's sink counted (A/B in 2e2r)

  bench/cluster.py [--quick] [-n N] [--size B] [--sessions S] [--rounds R] [--configs ...]
                   [--save]
"""
import argparse
import datetime
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time

import benchlib
from benchlib import NodeConfig, Postern, free_port

CONFIGS = ("1e1r", "2e2r", "direct", "gateway")  # --configs also takes e.g. 1e2r, 2e1r
PAIRS = (("1e1r", "2e2r", "scaling: 2 edges + 2 routers / 1 edge + 1 router"),
         ("direct", "gateway", "gateway: delivery through a gateway router / direct"))


def shape(config):
    """(edges, routers) of a configuration name: "2e1r" -> (2, 1); direct and gateway: one
    edge and the one router it submits to (the gateway G comes on top)."""
    match = re.fullmatch(r"([1-6])e([1-6])r", config)
    return (int(match[1]), int(match[2])) if match else (1, 1)


class Cluster:
    """DNS server, routers and edges of one configuration, as separate processes under
    `workdir`; stop() stops them all (edges first, so nothing is submitted to a stopped
    router). Each delivering router relays to its own sink: sink_ports[0] for A (or G),
    sink_ports[1] for B, ..., so the counts show how the edges spread the load. Edge i lists
    every router, starting at the i-th."""

    def __init__(self, config, sink_ports, workdir):
        self.workdir = workdir
        self.dns = benchlib.DnsServer("bench.test. 60 IN A 127.0.0.1").start()
        self.cert = benchlib.make_self_signed(os.path.join(workdir, "certs"),
                                              "bench.postern.test")
        self.token = os.path.join(workdir, "cluster.token")
        self.edges, self.routers = [], []
        edges, n_routers = shape(config)
        if config == "gateway":
            gateway = self._node("G")
            gateway.route(["sink.test"], "sink", benchlib.relay_destination(sink_ports[0]))
            gateway.destinations["sink"]["served_by"] = ["G"]
            self.routers.append(Postern("router", gateway, name="router-G"))
            endpoint = f"127.0.0.1:{gateway.router_port}"
        for i, name in enumerate("ABCDEF"[:n_routers]):
            cfg = self._node(name)
            if config == "gateway":
                # A would deliver to a port nothing listens on: only forwarding gets through.
                cfg.route(["sink.test"], "sink", benchlib.relay_destination(free_port()))
                cfg.destinations["sink"]["served_by"] = ["G"]
                cfg.data["cluster"]["nodes"] = {"G": endpoint}
            else:
                cfg.route(["sink.test"], "sink", benchlib.relay_destination(sink_ports[i]))
            self.routers.append(Postern("router", cfg, name=f"router-{name}"))
        endpoints = [f"127.0.0.1:{r.router_port}" for r in self.routers
                     if r.name != "router-G"]  # edges submit to A (and B), never to G
        for i in range(edges):
            cfg = self._node(f"edge{i + 1}")
            cfg.local_domains = ["sink.test"]
            cfg.data["edge"]["listeners"][0]["tls"] = "none"
            cfg.data["cluster"]["routers"] = endpoints[i:] + endpoints[:i]
            self.edges.append(Postern("edge", cfg, name=f"edge{i + 1}"))

    def _node(self, name):
        workdir = os.path.join(self.workdir, name)
        os.makedirs(workdir)
        cfg = NodeConfig(workdir, self.dns.address, self.cert, name=name,
                         hostname=f"{name.lower()}.bench.postern.test")
        cfg.data["cluster"] = {"token_file": self.token}
        return cfg

    @property
    def processes(self):
        return self.routers + self.edges

    def start(self):
        for node in self.processes:  # routers first: the edges submit to them
            node.start()
        return self

    def edge_ports(self):
        return [e.port("mx") for e in self.edges]

    def cpu_seconds(self):
        """CPU seconds used so far: (edges, routers including G)."""
        return (sum(benchlib.process_cpu_seconds(p.pid) for p in self.edges),
                sum(benchlib.process_cpu_seconds(p.pid) for p in self.routers))

    def stop(self):
        failures = []
        for node in reversed(self.processes):
            try:
                node.stop()
            except AssertionError as e:
                failures.append(str(e))
        self.dns.stop()
        if failures:
            raise RuntimeError("; ".join(failures))

    def logs(self):
        return "\n".join(f"----- {p.name} -----\n{p.log_tail(40)}" for p in self.processes)


def harness_cpu_seconds(sinks):
    """CPU seconds of the sinks and of this process (probe and sink-reader threads)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return sum(s.cpu_seconds() for s in sinks) + own.ru_utime + own.ru_stime


def run_once(config, n, size, sessions):
    """One measurement: fresh sink, fresh cluster, the load, until the sink has it all."""
    workdir = benchlib.temp_dir(f"bench-cluster-{config}-")
    cond = threading.Condition()
    sinks = []
    cluster = None
    try:
        for _ in range(shape(config)[1]):
            sinks.append(benchlib.CountingSink(cond).start())
        cluster = Cluster(config, [s.port for s in sinks], workdir).start()
        ports = cluster.edge_ports()
        if len(ports) == 1:
            ports = ports * 2  # the same two load processes in every configuration
        cpu_before = cluster.cpu_seconds()
        harness_before = harness_cpu_seconds(sinks)
        machine_before = benchlib.machine_cpu_times()
        start = time.monotonic()
        probe = benchlib.LatencyProbe(ports[0]).start()
        _, sources_done, load_cpu = benchlib.smtp_source(ports, n, size, sessions)
        probe_done = probe.stop()
        total = n + probe.sent
        try:
            delivered_at = benchlib.wait_for_total(sinks, total, timeout=max(120, n / 20))
        except TimeoutError as e:
            raise RuntimeError(f"{config}: {e}\n{cluster.logs()}") from None
        edge_cpu, router_cpu = [b - a for a, b in zip(cpu_before, cluster.cpu_seconds())]
        cpu = edge_cpu + router_cpu
        harness = harness_cpu_seconds(sinks) - harness_before
        machine = [b - a for a, b in zip(machine_before, benchlib.machine_cpu_times())]
        extra = sum(s.count for s in sinks) - total  # duplicates (at-least-once) so far
        return {
            "accepted": total / (max(sources_done, probe_done) - start),
            "delivered": total / (delivered_at - start),
            "p50": benchlib.percentile(probe.samples, 50) * 1000 if probe.samples else 0.0,
            "p99": benchlib.percentile(probe.samples, 99) * 1000 if probe.samples else 0.0,
            "samples": len(probe.samples),
            "cpu": cpu * 1000 / total,
            "edge_cpu": edge_cpu * 1000 / total,
            "router_cpu": router_cpu * 1000 / total,
            "cores": cpu / (delivered_at - start),
            "load_cores": load_cpu / (delivered_at - start),
            "harness_cores": harness / (delivered_at - start),
            "machine": 100 * machine[0] / max(1, machine[1]),
            "split": "/".join(str(s.count) for s in sinks)
                     + (f" ({extra} DUPLICATES)" if extra else ""),
        }
    finally:
        try:
            if cluster is not None:
                cluster.stop()
        finally:
            for sink in sinks:
                sink.stop()
            shutil.rmtree(workdir, ignore_errors=True)


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=5000, help="messages per run (default 5000)")
    parser.add_argument("--size", type=int, default=1024, help="message size in bytes")
    parser.add_argument("--sessions", type=int, default=20, help="smtp-source sessions, total")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated subset of {','.join(CONFIGS)}")
    parser.add_argument("--quick", action="store_true",
                        help="1000 messages, 1 round: a check by hand (< 30 s)")
    parser.add_argument("--save", action="store_true",
                        help="write bench/results/<date>-cluster.txt")
    args = parser.parse_args()
    n, rounds = (1000, 1) if args.quick else (args.n, args.rounds)
    configs = [c for c in args.configs.split(",") if c]
    unknown = [c for c in configs if c not in CONFIGS and not re.fullmatch(r"[1-6]e[1-6]r", c)]
    if unknown:
        sys.exit(f"unknown configuration(s) {', '.join(unknown)}: "
                 f"choose from {', '.join(CONFIGS)}")
    if os.geteuid() != 0:
        sys.exit("cluster.py runs smtp-sink (as user nobody): run it as root")

    head = (f"cluster: {n} messages of {args.size} B, {args.sessions} smtp-source sessions + 1 "
            f"probe, new connections, {rounds} round(s), {os.cpu_count()} cores, "
            f"{datetime.datetime.now().isoformat(timespec='seconds')}")
    lines = [head, f"command: {shlex.join(['bench/cluster.py', *sys.argv[1:]])}",
             f"binary: {os.environ['POSTERN_BIN']}", f"before: {uptime()}", ""]
    print(f"running {head}", flush=True)
    results = {c: [] for c in configs}
    for r in range(rounds):
        order = configs[r % len(configs):] + configs[:r % len(configs)]
        for config in order:
            m = run_once(config, n, args.size, args.sessions)
            results[config].append(m)
            line = (f"  round {r + 1} {config:8} accepted {m['accepted']:6.0f}/s delivered "
                    f"{m['delivered']:6.0f}/s p50 {m['p50']:6.1f} ms p99 {m['p99']:6.1f} ms "
                    f"({m['samples']} samples) cpu-ms/msg: edges {m['edge_cpu']:.2f} routers "
                    f"{m['router_cpu']:.2f}, "
                    f"cores: postern {m['cores']:.2f} smtp-source {m['load_cores']:.2f} "
                    f"harness {m['harness_cores']:.2f}, machine {m['machine']:.0f}% busy, "
                    f"per sink {m['split']}")
            print(line, flush=True)
            lines.append(line)
    med = {c: {k: statistics.median(m[k] for m in v) for k in v[0] if k != "split"}
           for c, v in results.items()}
    lines += ["", f"medians of {rounds}:",
              f"{'config':>8} {'accepted/s':>11} {'delivered/s':>12} {'p50 ms':>7} {'p99 ms':>7}"
              f" {'cpu-ms/msg (edges+routers)':>27} {'postern cores':>14} {'load+harness':>13}"
              f" {'machine':>8}"]
    for c in configs:
        m = med[c]
        split = f"({m['edge_cpu']:.2f}+{m['router_cpu']:.2f})"
        lines.append(f"{c:>8} {m['accepted']:>11.0f} {m['delivered']:>12.0f} {m['p50']:>7.1f} "
                     f"{m['p99']:>7.1f} {m['cpu']:>11.2f} {split:>15} {m['cores']:>14.2f} "
                     f"{m['load_cores'] + m['harness_cores']:>13.2f} {m['machine']:>7.0f}%")
    for base, other, what in PAIRS:
        if base in med and other in med:
            a, b = med[other], med[base]
            lines.append(f"ratio {other}/{base}: accepted {a['accepted'] / b['accepted']:.2f}x, "
                         f"delivered {a['delivered'] / b['delivered']:.2f}x, "
                         f"p50 {a['p50'] / b['p50']:.2f}x, p99 {a['p99'] / b['p99']:.2f}x, "
                         f"cpu/msg {a['cpu'] / b['cpu']:.2f}x  "
                         f"({what})")
    lines.append(f"after: {uptime()}")
    report = "\n".join(lines) + "\n"
    print("\n".join(lines[lines.index(f"medians of {rounds}:"):]))  # the rounds are printed
    if args.save:
        path = os.path.join(benchlib.ROOT, "bench", "results",
                            f"{datetime.date.today().isoformat()}-cluster.txt")
        with open(path, "w") as f:
            f.write(report)
        print(f"saved {path}")


if __name__ == "__main__":
    main()
