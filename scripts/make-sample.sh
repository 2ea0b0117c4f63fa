#!/usr/bin/env bash
# Builds the bundled multi-point sample: client -> NAT firewall -> TCP relay -> HTTP server in
# network namespaces, captured at every point with tcpdump, plus a README with measured facts.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/make-sample.sh [--out DIR] [--ipv6] [--drop-nth N] [--relay-hold-ms MS]
                              [--no-shaper] [--quick] [--keep-work]

Builds a client -> fw (SNAT) -> relay (full TCP proxy) -> server chain in network namespaces,
runs 3 HTTP GETs over 3 connections and captures them at 5 points (client, fw inside, fw outside,
relay with -i any, server). Writes the captures, relay-chunks.tsv, sample.json, hosts and
README.md to DIR (default: tests/data/sample in the repository). Must run as root.

  --out DIR            output directory (created; only the sample's own files are replaced)
  --ipv6               use IPv6 ULA addresses (fd00:10:N::/64) and ip6tables SNAT instead of IPv4
  --drop-nth N         fw drops every Nth forwarded client->relay TCP segment with payload
  --relay-hold-ms MS   time the relay holds each received chunk before forwarding (default 40)
  --no-shaper          leave out the tbf shaper on the fw's inside egress (towards the client)
  --quick              shorter idle gaps and grace periods, conversation tables not printed
  --keep-work          keep the temporary work directory (logs, raw captures) and print it

Environment: PSQ_NETNS_PREFIX (default "psq") prefixes the namespace names so parallel runs
don't collide; PSQ_PYTHON picks the Python 3 interpreter (default /usr/bin/python3).
EOF
}

die() {
  echo "make-sample: error: $*" >&2
  exit 1
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)

out_dir="$repo_dir/tests/data/sample"
family=4
drop_nth=0
hold_ms=40
shaper=1
quick=0
keep_work=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out_dir=$2; shift 2 ;;
    --out=*) out_dir=${1#*=}; shift ;;
    --ipv6) family=6; shift ;;
    --drop-nth) [ $# -ge 2 ] || die "--drop-nth needs a number"; drop_nth=$2; shift 2 ;;
    --drop-nth=*) drop_nth=${1#*=}; shift ;;
    --relay-hold-ms) [ $# -ge 2 ] || die "--relay-hold-ms needs a number"; hold_ms=$2; shift 2 ;;
    --relay-hold-ms=*) hold_ms=${1#*=}; shift ;;
    --no-shaper) shaper=0; shift ;;
    --quick) quick=1; shift ;;
    --keep-work) keep_work=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
# shellcheck disable=SC2015 # "A && B || die" is meant: die unless both hold
[[ "$drop_nth" =~ ^[0-9]+$ ]] && [ "$drop_nth" -ne 1 ] ||
  die "--drop-nth must be 0 (off) or an integer >= 2 (1 would drop every data segment)"
# shellcheck disable=SC2015
[[ "$hold_ms" =~ ^[0-9]+$ ]] && [ "$hold_ms" -le 5000 ] ||
  die "--relay-hold-ms must be an integer between 0 and 5000"

# --- preconditions: root and every tool, checked up front so nothing is half set up ---------------
PATH="/usr/local/sbin:/usr/sbin:/sbin:$PATH" # ip, tc, iptables live there
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, iptables, tcpdump)"
python=${PSQ_PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=$(command -v python3 || true)
[ -n "$python" ] || die "python3 not found (apt-get install python3)"
needed=(ip tc ss tcpdump editcap capinfos tshark)
if [ "$family" = 4 ]; then needed+=(iptables); else needed+=(ip6tables); fi
for tool in "${needed[@]}"; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "required tool '$tool' not found (run scripts/install-deps.sh: iproute2, tcpdump, iptables, tshark)"
done
for helper in relay.py sample-client.py sample-measure.py; do
  [ -r "$script_dir/$helper" ] || die "helper script $script_dir/$helper is missing"
done

prefix=${PSQ_NETNS_PREFIX:-psq}
[[ "$prefix" =~ ^[A-Za-z0-9_.-]{1,20}$ ]] || die "PSQ_NETNS_PREFIX must be 1-20 of [A-Za-z0-9_.-]"
ns_client="$prefix-client"
ns_fw="$prefix-fw"
ns_relay="$prefix-relay"
ns_server="$prefix-server"
all_ns=("$ns_client" "$ns_fw" "$ns_relay" "$ns_server")

# --- addresses: one /24 (or /64) per link -------------------------------------------------------
relay_port=8080
server_port=8000
nat_ports=20000-29999
if [ "$family" = 4 ]; then
  ipt=iptables
  plen=24
  client_addr=10.10.1.2 fw_in_addr=10.10.1.1 fw_out_addr=10.10.2.1
  relay_front_addr=10.10.2.2 relay_back_addr=10.10.3.1 server_addr=10.10.3.2
  nat_to="$fw_out_addr:$nat_ports"
  # Skip IP header (IHL) and TCP header (data offset); matches only if payload bytes exist there.
  payload_u32='0>>22&0x3C@12>>26&0x3C@0&0x0=0'
else
  ipt=ip6tables
  plen=64
  client_addr=fd00:10:1::2 fw_in_addr=fd00:10:1::1 fw_out_addr=fd00:10:2::1
  relay_front_addr=fd00:10:2::2 relay_back_addr=fd00:10:3::1 server_addr=fd00:10:3::2
  nat_to="[$fw_out_addr]:$nat_ports"
  # Fixed 40-byte IPv6 header (no extension headers here), then the TCP data offset.
  payload_u32='52>>26&0x3C@40&0x0=0'
fi

if [ "$quick" = 1 ]; then pause_ms=50 grace=0.4; else pause_ms=200 grace=1.0; fi

# --- teardown: always, even on error or Ctrl-C; also used to clear left-overs of a crashed run ---
work=""
started_pids=()

ns_exists() { ip netns list | awk '{print $1}' | grep -qxF "$1"; }

remove_namespaces() {
  local ns pids
  for ns in "${all_ns[@]}"; do
    ns_exists "$ns" || continue
    # Only processes inside our own namespaces: the ones this script (or a crashed run) started.
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill $pids 2>/dev/null || true
      sleep 0.2
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      # shellcheck disable=SC2086
      [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null; done
  remove_namespaces
  if [ -n "$work" ] && [ -d "$work" ]; then
    if [ "$keep_work" = 1 ] || [ "$rc" -eq 1 ]; then # keep for debugging a failure, not a Ctrl-C
      echo "make-sample: work directory kept: $work" >&2
    else
      rm -rf "$work"
    fi
  fi
  [ "$rc" -eq 0 ] || echo "make-sample: failed (exit $rc); namespaces removed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

remove_namespaces # left-overs of an earlier run with the same prefix
work=$(mktemp -d /tmp/psq-sample.XXXXXX)
chmod 755 "$work"

nsx() { # run a command inside a namespace
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# Writes /proc/sys/net/... from inside the namespace (that tree is per network namespace);
# avoids needing procps' sysctl, which a minimal Debian lacks.
ns_sysctl() { # ns_sysctl NS KEY VALUE   (KEY as for sysctl: net.ipv4.ip_forward)
  # shellcheck disable=SC2016 # expanded by the inner sh
  nsx "$1" sh -c 'echo "$2" >"/proc/sys/$1"' sh "${2//.//}" "$3"
}

# --- topology ----------------------------------------------------------------------------------
for ns in "${all_ns[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Linux defaults, set explicitly so the sample does not depend on the host's settings.
  ns_sysctl "$ns" net.ipv4.tcp_timestamps 1
  ns_sysctl "$ns" net.ipv4.tcp_sack 1
  ns_sysctl "$ns" net.ipv4.tcp_ecn 2
done

# gso_max_segs 1: the sender hands one MSS-sized packet at a time to the veth, so every capture
# shows wire-sized segments (no 64 KB TSO super-packets); MTU stays the default 1500.
veth() { # veth NS_A IF_A NS_B IF_B
  ip link add name "$2" netns "$1" gso_max_segs 1 type veth peer name "$4" netns "$3" gso_max_segs 1
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}
veth "$ns_client" eth0 "$ns_fw" inside
veth "$ns_fw" outside "$ns_relay" front
veth "$ns_relay" back "$ns_server" eth0

addr() { # addr NS IF ADDRESS
  if [ "$family" = 4 ]; then
    ip -n "$1" addr add "$3/$plen" dev "$2"
  else
    ip -n "$1" -6 addr add "$3/$plen" dev "$2" nodad # no duplicate-address wait
  fi
}
addr "$ns_client" eth0 "$client_addr"
addr "$ns_fw" inside "$fw_in_addr"
addr "$ns_fw" outside "$fw_out_addr"
addr "$ns_relay" front "$relay_front_addr"
addr "$ns_relay" back "$relay_back_addr"
addr "$ns_server" eth0 "$server_addr"
# The client reaches everything through the fw. The relay and server get no route back to the
# client's network: only the fw's SNAT makes the chain work.
ip -n "$ns_client" -"$family" route add default via "$fw_in_addr"

if [ "$family" = 4 ]; then
  ns_sysctl "$ns_fw" net.ipv4.ip_forward 1
else
  ns_sysctl "$ns_fw" net.ipv6.conf.all.forwarding 1
fi
nsx "$ns_fw" "$ipt" -t nat -A POSTROUTING -o outside -p tcp -j SNAT --to-source "$nat_to"
if [ "$drop_nth" -ge 2 ]; then
  # The nth counter starts at 0 and matches when it equals --packet: N-1 drops the Nth, 2Nth, ...
  # data segment (retransmissions count too); handshakes and pure ACKs never reach the counter.
  nsx "$ns_fw" "$ipt" -A FORWARD -i inside -o outside -p tcp -m u32 --u32 "$payload_u32" \
    -m statistic --mode nth --every "$drop_nth" --packet "$((drop_nth - 1))" -j DROP
fi
shaper_rate=8mbit shaper_burst=4500 shaper_limit=65536
if [ "$shaper" = 1 ]; then
  # Towards the client, after the fw's inside capture tap is passed only on dequeue: the queueing
  # shows up as fw dwell time between fw-outside.pcap and fw-inside.pcap for the 20 KiB response.
  tc -n "$ns_fw" qdisc add dev inside root tbf rate "$shaper_rate" burst "$shaper_burst" \
    limit "$shaper_limit"
fi

# --- services ----------------------------------------------------------------------------------
mkdir -p "$work/www" "$work/cap"
chmod 777 "$work/cap"
"$python" - "$work/www" <<'EOF'
# Deterministic text bodies of exact sizes; every line differs so payloads are distinguishable.
import sys
for name, size in (("200B.txt", 200), ("4KiB.txt", 4096), ("20KiB.txt", 20480)):
    text, n = "", 0
    while len(text) < size:
        n += 1
        text += f"packetseq sample {name} line {n:05d} " + "abcdefghijklmnopqrstuvwxyz"[n % 26] * 20 + "\n"
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write(text[:size - 1] + "\n")
EOF

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for $what"
    sleep 0.05
  done
}
listening() { [ -n "$(nsx "$1" ss -Hltn "sport = :$2")" ]; }

# Background jobs use "ip netns exec" directly (it execs), so $! is the server's own pid.
ip netns exec "$ns_server" "$python" -m http.server --bind "$server_addr" --directory "$work/www" \
  "$server_port" >"$work/server.log" 2>&1 &
started_pids+=($!)
# Real-time priority (when allowed) keeps the relay's wake-ups on time on a busy machine.
rt=()
if command -v chrt >/dev/null 2>&1 && chrt -f 10 true 2>/dev/null; then rt=(chrt -f 10); fi
ip netns exec "$ns_relay" "${rt[@]}" "$python" "$script_dir/relay.py" --listen-host "$relay_front_addr" \
  --listen-port "$relay_port" --upstream-host "$server_addr" --upstream-port "$server_port" \
  --hold-ms "$hold_ms" --log "$work/relay-chunks.tsv" >"$work/relay.log" 2>&1 &
started_pids+=($!)
wait_for 10 "the HTTP server in $ns_server" listening "$ns_server" "$server_port"
wait_for 10 "the relay in $ns_relay" listening "$ns_relay" "$relay_port"

# --- captures: started before any traffic, stopped with SIGTERM after a grace period -----------
capture_pids=()
capture() { # capture NS IFACE NAME
  # --immediate-mode: packets reach tcpdump as they arrive, not when a ring block times out, so
  # none are still in the kernel ring when tcpdump is told to stop. That ring has one slot of
  # snaplen bytes per packet: -s 65535 (every whole packet; MTU is 1500) and -B 16 MiB give it
  # ~250 slots, so a burst never overflows it.
  ip netns exec "$1" tcpdump -i "$2" -s 65535 -B 16384 -U --immediate-mode -n -Z root -w "$work/cap/$3.pcap" tcp >"$work/cap/$3.log" 2>&1 &
  capture_pids+=($!)
  started_pids+=($!)
}
capture "$ns_client" eth0 client
capture "$ns_fw" inside fw-inside
capture "$ns_fw" outside fw-outside
capture "$ns_relay" any relay
capture "$ns_server" eth0 server
for name in client fw-inside fw-outside relay server; do
  wait_for 10 "tcpdump ($name) to start" grep -q "listening on" "$work/cap/$name.log"
done
sleep 0.2 # the socket filter is attached before the banner, but give it a moment anyway

echo "make-sample: running 3 HTTP GETs through the chain (IPv$family, relay hold ${hold_ms} ms)"
nsx "$ns_client" "$python" "$script_dir/sample-client.py" --host "$relay_front_addr" \
  --port "$relay_port" --source "$client_addr" --pause-ms "$pause_ms" \
  /200B.txt=200 /4KiB.txt=4096 /20KiB.txt=20480 || die "the HTTP client failed (see above)"

# Every connection ends with the client's FIN, which the relay forwards after its hold. On a
# loaded machine the last segments may still be on their way after the grace period: stop the
# captures only once no capture file has grown for a whole second (packets reach the files at
# once: -U --immediate-mode), or after 30 s. Stopping mid-flight would leave a packet seen at
# one point only, or in the kernel ring but not in the file ("captured" < "received").
sleep "$grace"
capture_sizes() { stat -c %s "$work"/cap/*.pcap | tr '\n' ' '; }
quiet_since=$SECONDS last_sizes=$(capture_sizes) waited=0
while [ $((SECONDS - quiet_since)) -lt 1 ] && [ "$waited" -lt 120 ]; do
  sleep 0.25
  waited=$((waited + 1))
  sizes=$(capture_sizes)
  if [ "$sizes" != "$last_sizes" ]; then quiet_since=$SECONDS last_sizes=$sizes; fi
done
# SIGTERM, not SIGINT: background jobs of a non-interactive shell may start with SIGINT ignored.
# tcpdump handles both the same way (flush, print statistics, exit 0).
for pid in "${capture_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${capture_pids[@]}"; do wait "$pid" || die "tcpdump (pid $pid) exited with an error"; done
for name in client fw-inside fw-outside relay server; do
  captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$work/cap/$name.log")
  filtered=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$work/cap/$name.log")
  # shellcheck disable=SC2015
  grep -qx "0 packets dropped by kernel" "$work/cap/$name.log" && [ -n "$captured" ] &&
    [ "$captured" = "$filtered" ] ||
    die "tcpdump ($name) lost packets: $(tr '\n' ' ' <"$work/cap/$name.log")"
done
nsx "$ns_fw" "$ipt" -L FORWARD -v -n -x >"$work/fw-forward.txt"
cp "$work/relay-chunks.tsv" "$work/cap/"

# Two points as pcapng, three as pcap, so the sample exercises both readers.
for name in client server; do
  editcap -F pcapng "$work/cap/$name.pcap" "$work/cap/$name.pcapng"
  rm "$work/cap/$name.pcap"
done
files=(client.pcapng fw-inside.pcap fw-outside.pcap relay.pcap server.pcapng)
for f in "${files[@]}"; do
  capinfos "$work/cap/$f" >"$work/cap/$f.capinfos" || die "capinfos rejects $f"
done

# --- facts, README, sample.json -----------------------------------------------------------------
cat >"$work/config.json" <<EOF
{
  "family": $family, "prefix": "$prefix", "relay_hold_ms": $hold_ms, "drop_nth": $drop_nth,
  "shaper": $([ "$shaper" = 1 ] && echo "{\"node\": \"fw\", \"interface\": \"inside\", \"direction\": \"egress (towards the client)\", \"rate\": \"$shaper_rate\", \"burst_bytes\": $shaper_burst, \"limit_bytes\": $shaper_limit}" || echo null),
  "relay_port": $relay_port, "server_port": $server_port, "nat_ports": "$nat_ports",
  "snat_to_source": "$nat_to",
  "addresses": {"client": "$client_addr", "fw_inside": "$fw_in_addr", "fw_outside": "$fw_out_addr",
                "relay_front": "$relay_front_addr", "relay_back": "$relay_back_addr",
                "server": "$server_addr"},
  "files": {"/200B.txt": 200, "/4KiB.txt": 4096, "/20KiB.txt": 20480},
  "pause_ms": $pause_ms, "quick": $quick
}
EOF
argv=(scripts/make-sample.sh)
[ "$out_dir" = "$repo_dir/tests/data/sample" ] || argv+=(--out "$out_dir")
[ "$family" = 6 ] && argv+=(--ipv6)
[ "$drop_nth" -ge 2 ] && argv+=(--drop-nth "$drop_nth")
[ "$hold_ms" != 40 ] && argv+=(--relay-hold-ms "$hold_ms")
[ "$shaper" = 0 ] && argv+=(--no-shaper)
[ "$quick" = 1 ] && argv+=(--quick)
measure_args=(--config "$work/config.json" --dir "$work/cap" --command "${argv[*]}")
[ "$quick" = 0 ] || measure_args+=(--quiet) # --quick: no conversation tables on stdout
"$python" "$script_dir/sample-measure.py" "${measure_args[@]}" ||
  die "measuring the captures failed (tshark -z conv,tcp / capinfos checks)"

# Node names for packetseq --names (Wireshark hosts syntax): one node may own several addresses.
cat >"$work/cap/hosts" <<EOF
# ADDRESS NAME - nodes of the sample chain (scripts/make-sample.sh)
$client_addr Client
$fw_in_addr FW
$fw_out_addr FW
$relay_front_addr Relay
$relay_back_addr Relay
$server_addr Server
EOF

mkdir -p "$out_dir"
for f in "${files[@]}" relay-chunks.tsv sample.json README.md hosts; do
  cp "$work/cap/$f" "$out_dir/$f.tmp.$$" && mv -f "$out_dir/$f.tmp.$$" "$out_dir/$f"
done
echo "make-sample: wrote $(cd "$out_dir" && pwd): ${files[*]} relay-chunks.tsv sample.json README.md hosts"
echo "make-sample: total $(du -cb "${files[@]/#/$out_dir/}" | tail -1 | cut -f1) bytes of captures"
