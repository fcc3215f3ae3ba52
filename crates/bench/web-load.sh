#!/usr/bin/env bash
# The web load benchmark (see BENCHMARKS.md): a venture with 1,000,000 entries in a fresh SQLite
# file, `peerstake serve` on loopback, and `peerstake-load` against it.
#   bash crates/bench/web-load.sh [members] [entries] [seconds]
set -euo pipefail
members="${1:-20}"
entries="${2:-1000000}"
seconds="${3:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cargo build --release -p peerstake -p peerstake-bench
work="$(mktemp -d)"
url="sqlite://$work/bench.db"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
./target/release/peerstake-bench --members "$members" --entries "$entries" --split-reads 10 --database-url "$url" --slug load | grep -E "import|peak"
echo "load-password-1" | ./target/release/peerstake --database-url "$url" account add loader
./target/release/peerstake --database-url "$url" member link load m1 loader
./target/release/peerstake --database-url "$url" serve --address 127.0.0.1:18080 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/18080) 2>/dev/null; then break; fi
  sleep 0.1
done
./target/release/peerstake-load --address 127.0.0.1:18080 --venture load --username loader --password load-password-1 \
  --date 2025-12-31 --seconds "$seconds" --connections 64 --server-pid "$server"
