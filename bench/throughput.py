#!/usr/bin/python3
"""Accepted and delivered messages/second: Postern vs Postfix, same machine, same run.

Each system relays everything to Postfix's smtp-sink; load is smtp-source with 20 sessions
(new connection per message unless --reuse). Runs alternate (postern, postfix, postern, ...)
so a noisy shared machine affects both alike; the ratio is what to read.

  accepted  = N / smtp-source wall time        (every 250 means durably queued)
  delivered = N / time until the sink counted N (from the start of the load)

  bench/throughput.py [--quick] [-n N] [--sizes 1024,10240] [--rounds R] [--save]
"""
import argparse
import datetime
import os
import shutil
import statistics
import sys

import benchlib


def run_once(system, size, n, sessions, reuse):
    workdir = benchlib.temp_dir(f"bench-{system}-")
    sink = benchlib.CountingSink().start()
    mta = None
    try:
        mta = (benchlib.PosternRelay if system == "postern" else benchlib.PostfixRelay)(
            sink.port, workdir)
        mta.start()
        start, accepted_at, _ = benchlib.smtp_source([mta.port], n, size, sessions, reuse)
        delivered_at = sink.wait_for(n, timeout=max(300, n / 20))
        return n / (accepted_at - start), n / (delivered_at - start)
    finally:
        if mta is not None:
            mta.stop()
        sink.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20000, help="messages per run (default 20000)")
    parser.add_argument("--quick", action="store_true", help="2000 messages per run")
    parser.add_argument("--sizes", default="1024,10240", help="message sizes in bytes")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (median)")
    parser.add_argument("--reuse", action="store_true", help="smtp-source -d (reuse sessions)")
    parser.add_argument("--save", action="store_true", help="write bench/results/*.txt")
    args = parser.parse_args()
    n = 2000 if args.quick else args.n
    if os.geteuid() != 0:
        sys.exit("throughput.py runs Postfix and smtp-sink: run it as root")

    lines = [f"throughput: {n} messages, {args.sessions} sessions, "
             f"{'reused' if args.reuse else 'new'} connections, {args.rounds} round(s), "
             f"{os.cpu_count()} cores, {datetime.datetime.now().isoformat(timespec='seconds')}",
             f"{'size':>7} {'system':>8} {'accepted/s':>11} {'delivered/s':>12}"]
    print(f"running {lines[0]}", flush=True)
    summary = []
    for size in [int(s) for s in args.sizes.split(",")]:
        results = {"postern": [], "postfix": []}
        for r in range(args.rounds):
            order = ("postern", "postfix") if r % 2 == 0 else ("postfix", "postern")
            for system in order:
                acc, dlv = run_once(system, size, n, args.sessions, args.reuse)
                results[system].append((acc, dlv))
                print(f"  round {r + 1} {system:8} {size:>6} B: accepted {acc:8.0f}/s "
                      f"delivered {dlv:8.0f}/s", flush=True)
        med = {s: (statistics.median(a for a, _ in v), statistics.median(d for _, d in v))
               for s, v in results.items()}
        for system in ("postern", "postfix"):
            lines.append(f"{size:>7} {system:>8} {med[system][0]:>11.0f} {med[system][1]:>12.0f}")
        summary.append(f"{size:>7}    ratio {med['postern'][0] / med['postfix'][0]:>10.2f}x "
                       f"{med['postern'][1] / med['postfix'][1]:>11.2f}x   (postern / postfix)")
    lines += summary
    report = "\n".join(lines) + "\n"
    print(report)
    if args.save:
        os.makedirs(os.path.join(benchlib.ROOT, "bench", "results"), exist_ok=True)
        path = os.path.join(benchlib.ROOT, "bench", "results",
                            f"throughput-{datetime.date.today().isoformat()}.txt")
        with open(path, "w") as f:
            f.write(report)
        print(f"saved {path}")


if __name__ == "__main__":
    main()
