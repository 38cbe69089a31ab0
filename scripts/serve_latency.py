#!/usr/bin/env python3
"""Latency of `bureausim serve` runs, as a page sees them (BENCHMARKS.md).

Starts the server on a free port, sends each workload's run request over a
raw socket and records, from the moment the request is sent, when the first
`year` event arrives (a warm-up year), when recorded year 1 arrives and
when the stream ends. Prints the median of --repeat runs of each workload,
each on a fresh server (a server keeps the baselines of its last
comparisons; "Compare again" times a comparison whose baseline it kept).
Standard library only.

    cargo build --release && scripts/serve_latency.py [--repeat 5] [--bin target/release/bureausim]
"""
import argparse
import json
import re
import socket
import statistics
import subprocess
import time

WORKLOADS = [
    ("teaching demo, Run", {"scenario": "teaching/political_transfers",
                            "levers": {"politics.interference": 1.0}}),
    ("teaching demo, Compare", {"scenario": "teaching/political_transfers",
                                "levers": {"politics.interference": 1.0}, "compare": True}),
    ("baseline, Run", {"scenario": "pakistan_baseline",
                       "levers": {"politics.interference": 1.0}}),
    ("baseline, Compare", {"scenario": "pakistan_baseline",
                           "levers": {"politics.interference": 1.0}, "compare": True}),
    # The same baseline compared again with another lever: the server keeps
    # the baseline of its last comparisons and runs only your arm.
    ("baseline, Compare again", {"scenario": "pakistan_baseline",
                                 "levers": {"politics.interference": 1.0}, "compare": True,
                                 "after": {"scenario": "pakistan_baseline", "compare": True,
                                           "levers": {"politics.interference": 0.9}}}),
]


def one(port, body):
    payload = json.dumps(body).encode()
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.perf_counter()
    s.sendall(b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % (port, len(payload)) + payload)
    buf, first, year1 = b"", None, None
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            raise SystemExit("the stream ended early: %r" % buf[-300:])
        buf += chunk
        now = time.perf_counter() - t0
        if first is None and b"event: year" in buf:
            first = now
        if year1 is None and b'"year":1}' in buf:
            year1 = now
        if buf.endswith(b"\r\n0\r\n\r\n"):
            s.close()
            return first, year1, now


def start(binary):
    """A fresh server (nothing kept from earlier runs) and its port."""
    srv = subprocess.Popen([binary, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = srv.stdout.readline()
    return srv, int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/bureausim")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    srv, port = start(a.bin)
    try:
        lib = json.load(__import__("urllib.request").request.urlopen(
            "http://127.0.0.1:%d/api/library" % port))
    finally:
        srv.terminate()
    reps = {s["id"]: s["default_replicates"] for s in lib["scenarios"]}
    print("%-24s %9s %12s %10s   (median of %d; seconds)" % (
        "workload", "1st year", "rec. year 1", "done", a.repeat))
    for name, body in WORKLOADS:
        runs = []
        for _ in range(a.repeat):
            # Each run on a fresh server, so that a comparison is timed
            # without a baseline kept from the last repeat; "again" first
            # compares with another lever (not timed).
            srv, port = start(a.bin)
            try:
                timed = {k: v for k, v in body.items() if k != "after"}
                if "after" in body:
                    one(port, body["after"])
                runs.append(one(port, timed))
            finally:
                srv.terminate()
        med = [statistics.median(r[i] for r in runs) for i in range(3)]
        print("%-24s %9.3f %12.3f %10.3f   %d replicates" % (
            name, *med, reps[body["scenario"]]))


if __name__ == "__main__":
    main()
