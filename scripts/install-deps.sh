#!/usr/bin/env bash
# Installs every Debian 12 package that the build, the sample job and the tests need.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Wireshark's package asks whether non-root users may capture; answer before install.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections

packages=(
  # build
  build-essential cmake pkg-config ninja-build
  libwireshark-dev libwiretap-dev libwsutil-dev wireshark-dev libglib2.0-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core libxxhash-dev nlohmann-json3-dev
  qtbase5-dev libgtest-dev googletest
  # run
  tshark wireshark-qt wireshark-common
  # tests: rendering checks, sample capture chain, GUI end-to-end
  python3 python3-seqdiag poppler-utils imagemagick libxml2-utils
  tcpdump iproute2 iptables socat
  xvfb xdotool x11-utils tesseract-ocr
  # tests: the text formats are read back by the tools that render them (and Node.js below)
  plantuml
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes; gcc stays the
  # compiler of the normal and ASan builds
  clang libclang-rt-14-dev
)
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${packages[@]}"

# Mermaid's own parser (pinned in package-lock.json) checks the .mmd output in the e2e tests.
# Machines of this kind come with Node.js and npm (a nodejs package that bundles npm, which
# conflicts with Debian's npm package): install Debian's only where there is none.
if ! command -v npm >/dev/null; then
  $SUDO apt-get install -y --no-install-recommends nodejs npm
fi
(cd "$(dirname "$0")/../tests/e2e/mermaid_check" && npm ci --no-audit --no-fund --loglevel=error) ||
  echo "install-deps: warning: npm ci failed; the Mermaid parse checks will be skipped" >&2
