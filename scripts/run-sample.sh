#!/usr/bin/env bash
# The README's first command: installs dependencies, builds packetseq and draws the bundled
# five-point sample (client, firewall inside/outside, relay, server) into sample-diagram.*,
# printing the per-hop table.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SKIP_INSTALL:-0}" != 1 ]; then ./scripts/install-deps.sh; fi
BUILD_DIR=build ./scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo

sample=tests/data/sample
./build/cli/packetseq --no-prompt --names "$sample/hosts" -i summary --time proportional \
  --stats -t png,svg,pdf -o sample-diagram \
  "$sample/client.pcapng@Client" "$sample/fw-inside.pcap@FW-inside" \
  "$sample/fw-outside.pcap@FW-outside" "$sample/relay.pcap@Relay" "$sample/server.pcapng@Server"
echo "packetseq: diagram written to sample-diagram.png (also .svg and .pdf)"
