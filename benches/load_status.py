#!/usr/bin/env python3
"""Loads GET /api/status on loopback at a fixed rate (default 1,000 requests/s) for a number of seconds.
Used to check that serving does not slow the pose loop:

    cargo run --release -- bench --frames 3000 --serve-port 8099 &   # the loop, publishing to the server
    python3 benches/load_status.py 8099 1000 20                      # meanwhile, from a second process
and compare the reported fps with a run without --serve-port / without load.
"""
import http.client
import sys
import threading
import time

port, rate, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
done = {"ok": 0, "err": 0}
lock = threading.Lock()


def worker(share):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    interval, next_at, end = 1.0 / share, time.perf_counter(), time.perf_counter() + seconds
    while time.perf_counter() < end:
        try:
            conn.request("GET", "/api/status")
            conn.getresponse().read()
            with lock:
                done["ok"] += 1
        except Exception:
            with lock:
                done["err"] += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        next_at += interval
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


threads = [threading.Thread(target=worker, args=(rate / 4,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"{done['ok']} requests answered ({done['ok'] / seconds:.0f}/s), {done['err']} errors")
