#!/usr/bin/python3
"""Edge memory per idle SMTP session.

Starts `postern router` and `postern edge` as separate processes (so the edge's RSS is the
edge's alone), reads the edge's VmRSS from /proc, opens N sessions (default 5000) that each
read the banner (and, with --ehlo, send EHLO and read the reply), then reads VmRSS again and
prints (after - before) / N in KiB. Target: at most 64 KiB per idle session.

  bench/idle_sessions.py [-n 5000] [--ehlo] [--save]
"""
import argparse
import asyncio
import datetime
import os
import resource
import shutil
import sys
import time

import benchlib


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def settle(pid, seconds=2.0):
    """RSS after allocation has stopped moving (a benchmark reading, not synchronisation)."""
    last = rss_kib(pid)
    deadline = time.monotonic() + seconds * 5
    while time.monotonic() < deadline:
        time.sleep(seconds / 4)
        now = rss_kib(pid)
        if abs(now - last) < 64:
            return now
        last = now
    return last


async def open_sessions(port, n, ehlo, parallel=200):
    sessions = []
    failures = []
    gate = asyncio.Semaphore(parallel)

    async def one(i):
        async with gate:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                banner = await asyncio.wait_for(reader.readline(), 30)
                if not banner.startswith(b"220"):
                    raise RuntimeError(f"banner {banner!r}")
                if ehlo:
                    writer.write(b"EHLO idle.bench.test\r\n")
                    while True:
                        line = await asyncio.wait_for(reader.readline(), 30)
                        if not line.startswith(b"250-"):
                            break
                    if not line.startswith(b"250 "):
                        raise RuntimeError(f"EHLO reply {line!r}")
                sessions.append((reader, writer))
            except Exception as e:  # counted and reported, the run goes on
                failures.append(f"session {i}: {e!r}")

    await asyncio.gather(*(one(i) for i in range(n)))
    return sessions, failures


async def measure(edge_pid, port, n, ehlo):
    before = settle(edge_pid)
    sessions, failures = await open_sessions(port, n, ehlo)
    after = settle(edge_pid)
    for _, writer in sessions:
        writer.close()
    return before, after, len(sessions), failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--ehlo", action="store_true", help="send EHLO on every session")
    parser.add_argument("--save", action="store_true", help="write bench/results/*.txt")
    args = parser.parse_args()

    # Both ends of every session are on this machine: the client needs n descriptors, the
    # edge (a child, inheriting the limit) n more.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, args.n + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < args.n + 100:
        sys.exit(f"ulimit -n hard limit {hard} is too low for {args.n} sessions")

    workdir = benchlib.temp_dir("bench-idle-")
    dns = benchlib.DnsServer("bench.test. 60 IN A 127.0.0.1").start()
    cert = benchlib.make_self_signed(os.path.join(workdir, "certs"), "bench.postern.test")
    cfg = benchlib.NodeConfig(workdir, dns.address, cert, name="idle",
                              hostname="bench.postern.test")
    cfg.local_domains = ["sink.test"]
    cfg.route(["*"], "box", {"maildir": {"path": os.path.join(workdir, "maildir")}})
    cfg.data["edge"]["limits"] = {"max_connections": args.n + 100}
    router = benchlib.Postern("router", cfg, name="router")
    edge = benchlib.Postern("edge", cfg, name="edge")
    try:
        router.start()
        edge.start()
        before, after, opened, failures = asyncio.run(
            measure(edge.pid, cfg.listener_ports["mx"], args.n, args.ehlo))
    finally:
        edge.stop()
        router.stop()
        dns.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    per = (after - before) / max(opened, 1)
    report = (f"idle sessions: {opened} of {args.n} open ({'after EHLO' if args.ehlo else 'after banner'}), "
              f"{datetime.datetime.now().isoformat(timespec='seconds')}\n"
              f"edge RSS before {before} KiB, after {after} KiB\n"
              f"{per:.1f} KiB per idle session (target <= 64)\n")
    if failures:
        report += f"{len(failures)} sessions failed, first: {failures[0]}\n"
    print(report, end="")
    if args.save:
        path = os.path.join(benchlib.ROOT, "bench", "results",
                            f"idle-sessions-{datetime.date.today().isoformat()}.txt")
        with open(path, "w") as f:
            f.write(report)
        print(f"saved {path}")


if __name__ == "__main__":
    main()
