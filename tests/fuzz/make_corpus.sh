#!/usr/bin/env bash
# Regenerates the seed corpora tests/fuzz/corpus/NAME from the committed test inputs (seed CSVs,
# names files, offset/option strings from the unit tests, and the CLI's --observations-json of
# the small captures in tests/data). Usage: tests/fuzz/make_corpus.sh [PATH/TO/packetseq]
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=${1:-build/cli/packetseq}
out=tests/fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{csv,names,offset,capture_spec,tshark_options,json_model}

# One corpus file per line of a here-document (file names n01, n02, ...).
lines_to_files() {
  local dir=$1 i=0 line
  while IFS= read -r line; do
    i=$((i + 1))
    printf '%s' "$line" >"$dir/$(printf 'l%02d' "$i")"
  done
}

# csv: the two seed exports, a short prefix of each, and small hand-made edge cases.
cp tests/data/seed/client.csv "$out/csv/client.csv"
cp tests/data/seed/proxy.csv "$out/csv/proxy.csv"
head -4 tests/data/seed/client.csv >"$out/csv/client-head.csv"
head -1 tests/data/seed/client.csv >"$out/csv/header-only.csv"
{
  echo '"Time","No.","Destination","Source","Info","Length","Protocol","Extra"'
  echo '"2016-08-27 11:14:45.493525","1","10.0.0.2","10.0.0.1","1000 > 80 [SYN, ECE, CWR] Seq=0 Win=64240 Len=0 TSval=1 TSecr=0","66","TCP","x"'
  printf '"2016-08-27 11:14:45.5","2","10.0.0.1","10.0.0.2","multi\r\nline ""quoted"" info","60","HTTP",""\r\n'
  echo '"2016-08-27 11:14:46","3","2001:db8::1","2001:db8::2","80  >  1000 [ACK] Seq=1 Ack=1 Win=502 Len=0","54","TCP",""'
} >"$out/csv/reordered.csv"

# names: the sample hosts file, a file with IPv6, aliases and comments, and -n assignments.
cp tests/data/sample/hosts "$out/names/sample.hosts"
printf '# comment\n\n2001:DB8::0001 Server6 alias6 # trailing\n192.168.1.3\tClient\n::ffff:10.0.0.1 Mapped\nfe80::1%%eth0 LinkLocal\n' \
  >"$out/names/mixed.hosts"
lines_to_files "$out/names" <<'LIST'
192.168.1.3=Client
2001:DB8::0001=Server6
10.10.1.2=Клиент
192.168.1.3
=x
client=x
LIST

# offset: the strings of tests/common/matcher/parse_offset_test.cpp.
lines_to_files "$out/offset" <<'LIST'
+9h
-0.35s
+3600.25s
250ms
-1.5
1h30m
-2m
5min
15us
15µs
100ns
 +0 
.5s
0.0000000015s
0.123456789123s
-0.000001h
+9hours
9223372037s
9223372036s
+9 parsecs
1h-30m
LIST

# capture_spec: FILE@NAME arguments and lists.
lines_to_files "$out/capture_spec" <<'LIST'
client.pcapng@Client
/x/fw.pcap@FW
/x/server.pcapng
dir@x/file.pcap
@name
file@
a,b,,c
fw-in+fw-out
tests/data/seed/client.csv@proxy
LIST

# tshark_options: the -z strings of tests/plugin/tshark_options_test.cpp and tests/e2e.
lines_to_files "$out/tshark_options" <<'LIST'
packetseq
packetseq,
packetseq,,stats=1,
packetseq,point=Client,capture=/x/fw.pcap@FW,capture=/x/server.pcapng,name=10.0.0.1=Web,names=/x/hosts,offset=FW=+9h,same_clock=FW+Server,match=0,out=flow,type=svg+json,type=pdf,info=summary,time=proportional,stats=1
packetseq,out=a.svg,filter=tcp.port in {80,443} && ip.ttl > 3,x=1
packetseq,out=d.svg
packetseq,out=model.json
packetseq,out=x.svg,type=pdf+pdf
packetseq,point=Client,capture=fw-inside.pcap@FW-in,capture=fw-outside.pcap@FW-out,capture=relay.pcap@Relay,capture=server.pcapng@Server,names=hosts,time=proportional,info=info
packetseq,name=10.10.3.2=Server,type=svg,out=one
packetseq,offset=server=+9 parsecs
packetseq,colour=red
packetseq,help
packetseq,type=gif
packetseq,info=default,time=rows,match=yes,stats=off,type=png+diag+csv
LIST

# json_model: what the plugin's reader child prints, for small captures (one or two points).
if [ -x "$cli" ]; then
  for f in tests/data/captures/{tcp-handshake-nano.pcap,tcp_rst_data.pcap,accecn_handshake.pcap,one_http_stream_rst.pcap,print-flags.pcap,tfo-5c1fa7f9ae91.pcap,one_ipv6_http_stream.pcap} \
      tests/data/seed/client.csv; do
    "$cli" --observations-json "$f" >"$out/json_model/$(basename "$f").json"
  done
  "$cli" --observations-json tests/data/captures/tcp_rst_data.pcap@A \
    tests/data/captures/tcp-handshake-nano.pcap@B >"$out/json_model/two-points.json"
else
  echo "make_corpus.sh: $cli not found: json_model corpus not regenerated" >&2
fi
du -sh "$out"
