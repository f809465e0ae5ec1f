#!/usr/bin/env bash
# Installs what lurk needs from Debian's registry (binary and source packages)
# and npm. Idempotent: each step checks first, so a second run is quick.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
third="$root/third_party"
export DEBIAN_FRONTEND=noninteractive

debs=(build-essential cmake ninja-build pkg-config libsqlite3-dev sqlite3 libgtest-dev
      nlohmann-json3-dev libcli11-dev emscripten chromium fonts-dejavu-core
      tshark tcpdump babeltrace iproute2 ethtool dpkg-dev tcl python3 python3-jsonschema time
      clang-14 libclang-rt-14-dev  # clang: the libFuzzer targets (scripts/fuzz.sh)
      zlib1g-dev)                  # zlib: the standalone HTML export packs its data
# strace: tests/cli/atomic_ingest.py locates each kill point in lurk's syscalls.
debs+=(strace)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js may come from elsewhere than Debian (its npm then conflicts with
# Debian's): only ask for Debian's when there is no node or npm at all.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

src_list=/etc/apt/sources.list.d/debian-src.sources
need_src=0
[ -f "$third/imgui/imgui.h" ] || need_src=1
[ -f "$third/sqlite/sqlite3.c" ] || need_src=1

if [ ${#missing[@]} -gt 0 ] || [ $need_src = 1 ]; then
  if [ $need_src = 1 ] && [ ! -f "$src_list" ]; then
    # Same mirrors as the binary entries, but for source packages.
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src_list"
  fi
  apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$third"
if [ ! -f "$third/imgui/imgui.h" ]; then
  work=$(mktemp -d)
  (cd "$work" && apt-get source -qq imgui >/dev/null 2>&1)
  rm -rf "$third/imgui"
  mv "$(find "$work" -maxdepth 1 -type d -name 'imgui-*' | head -n1)" "$third/imgui"
  rm -rf "$work"
fi
if [ ! -f "$third/sqlite/sqlite3.c" ]; then
  work=$(mktemp -d)
  (cd "$work" && apt-get source -qq sqlite3 >/dev/null 2>&1)
  src=$(find "$work" -maxdepth 1 -type d -name 'sqlite3-*' | head -n1)
  mkdir -p "$src/bld"
  (cd "$src/bld" && ../configure >/dev/null && make -s sqlite3.c >/dev/null)
  mkdir -p "$third/sqlite"
  cp "$src/bld/sqlite3.c" "$src/bld/sqlite3.h" "$third/sqlite/"
  rm -rf "$work"
fi

if [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
  (cd "$root/tests/browser" && npm install --no-audit --no-fund --silent >/dev/null)
fi
