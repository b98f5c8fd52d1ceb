#!/usr/bin/env bash
# The long soak: the real loop (camera pace, pose model, judge, coach, server) on the bundled walk recording
# looped into a video of SECONDS (default 1800), with one client polling /api/status ten times a second and one
# following /api/events. Prints RSS, file descriptors and threads once a minute, then fails if memory or file
# descriptors grew after the warm-up, a client saw an error, or the session reported one.
#   usage: scripts/soak.sh [SECONDS]        (make soak; PORT=8097 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-1800}
port=${PORT:-8097}
warmup=120 # seconds before the memory baseline is taken: ONNX Runtime's arena and the page caches fill first
[ "$secs" -gt $((warmup + 60)) ] || { echo "soak: give at least $((warmup + 61)) seconds" >&2; exit 2; }

cargo build --release -q
pid="" clients=""
tmp=$(mktemp -d)
trap 'kill "$pid" "$clients" 2>/dev/null || true; rm -rf "$tmp"' EXIT
loops=$(( (secs + 1) / 2 )) # the recording is 2 s
ffmpeg -loglevel error -stream_loop "$loops" -framerate 30 -i recordings/walk/frame_%04d.jpg \
  -t "$secs" -c:v mjpeg -q:v 4 "$tmp/long.avi"
echo "soak: ${secs} s of video; serving on 127.0.0.1:$port" >&2

target/release/stretchcoach replay "$tmp/long.avi" --realtime --no-history --quiet --voice=false --exit \
  --port "$port" &
pid=$!

# The two clients; they print one line of counts when the loop's server goes away.
python3 - "$port" >"$tmp/clients.txt" <<'PY' &
import http.client, json, sys, threading, time
port = int(sys.argv[1])
counts = {"polls": 0, "poll_errors": 0, "events": 0, "source_errors": set(), "store_errors": set()}
done = threading.Event()
def wait_up():
    for _ in range(300):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/healthz")
            if c.getresponse().status == 200: return
        except OSError: pass
        time.sleep(0.1)
def poll():
    c = None
    while not done.is_set():
        try:
            c = c or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/status"); r = c.getresponse(); body = r.read()
            if r.status != 200: counts["poll_errors"] += 1; continue
            s = json.loads(body); counts["polls"] += 1
            for k in ("source_error", "store_error"):
                if s.get(k): counts[k + "s"].add(s[k])
        except (OSError, http.client.HTTPException, ValueError):
            c = None
            if not done.is_set(): counts["poll_errors"] += 1
            time.sleep(0.5)
        time.sleep(0.1)
def listen():
    try:
        c = http.client.HTTPConnection("127.0.0.1", port); c.request("GET", "/api/events"); r = c.getresponse()
        for line in r:
            counts["events"] += line.startswith(b"data:")
    except (OSError, http.client.HTTPException): pass
    done.set()  # the stream ends when the loop's server shuts down
wait_up()
t = [threading.Thread(target=poll), threading.Thread(target=listen)]
for x in t: x.start()
for x in t: x.join()
# The last polls race the shutdown; a couple of refused connections then are not errors.
print(json.dumps({k: (sorted(v) if isinstance(v, set) else v) for k, v in counts.items()}))
PY
clients=$!

sample() { # rss_kB fds threads, or failure once the process is gone
  [ -r /proc/"$pid"/status ] || return 1
  echo "$(awk '/^VmRSS:/{print $2}' /proc/"$pid"/status) $(ls /proc/"$pid"/fd | wc -l) \
$(awk '/^Threads:/{print $2}' /proc/"$pid"/status)"
}
start=$(date +%s)
base=""
printf '%8s %10s %5s %8s\n' seconds rss_kB fds threads
while kill -0 "$pid" 2>/dev/null; do
  sleep 5
  t=$(( $(date +%s) - start ))
  s=$(sample 2>/dev/null) || break
  [ "$(wc -w <<<"$s")" = 3 ] || break
  [ -z "$base" ] && [ "$t" -ge "$warmup" ] && base=$s
  last=$s
  [ $((t % 60)) -lt 5 ] && printf '%8s %10s %5s %8s\n' "$t" $s
done
wait "$pid" && rc=0 || rc=$?
wait "$clients" || true
echo "clients: $(cat "$tmp/clients.txt")"

read -r rss0 fd0 _ <<<"$base"
read -r rss1 fd1 _ <<<"$last"
echo "after warm-up (${warmup} s) -> end: RSS $rss0 -> $rss1 kB, fds $fd0 -> $fd1; exit status $rc"
fail=0
[ "$rc" = 0 ] || { echo "FAIL: stretchcoach exited with $rc"; fail=1; }
[ "$rss1" -le $((rss0 + 2000)) ] || { echo "FAIL: memory grew by $((rss1 - rss0)) kB"; fail=1; }
[ "$fd1" -le "$fd0" ] || { echo "FAIL: file descriptors grew"; fail=1; }
python3 - "$tmp/clients.txt" "$secs" <<'PY' || fail=1
import json, sys
c = json.load(open(sys.argv[1])); secs = int(sys.argv[2])
bad = []
if c["polls"] < secs * 5: bad.append(f"only {c['polls']} polls")
if c["poll_errors"] > 2: bad.append(f"{c['poll_errors']} failed polls")
if c["events"] < secs * 5: bad.append(f"only {c['events']} events")
if c["source_errors"] or c["store_errors"]: bad.append(f"errors reported: {c['source_errors'] + c['store_errors']}")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ "$fail" = 0 ] && echo "soak: passed"
exit "$fail"
