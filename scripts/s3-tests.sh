#!/usr/bin/env bash
# s3-tests.sh — runs Ceph's S3 conformance suite (ceph/s3-tests, not part of this project) against the S3 API
# of a fresh s3gate: four access keys (the suite's four users), a new data folder, the S3 listener on a free
# port. The suite's own runner prints the summary line "N passed, N failed, N errors, N skipped".
#
# Usage: scripts/s3-tests.sh RUN_SH [pytest args...]
#   RUN_SH: the suite's run.sh (it installs the suite's Python packages and writes its config)
#   e.g. scripts/s3-tests.sh ../shared/s3-tests/run.sh -k 'multipart'
# The service runs on the fs store unless S3GATE_STORE=s3 and the S3GATE_S3_* settings say otherwise.
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,10p' "$0"; exit 2; }
RUN_SH=$(readlink -f "$1"); shift
cd "$(dirname "$0")/.."
npm run --silent build
work=$(mktemp -d /tmp/s3gate-s3-tests.XXXXXX)
keys=$work/keys.json
node -e '
  const users = ["MAIN", "ALT", "TENANT", "IAM"];
  const keys = users.map((u) => ({ id: `S3TESTS${u}`, secret: `${u.toLowerCase()}-secret-for-the-s3-tests-suite`, grants: [{ bucket: "*", actions: ["admin"] }] }));
  process.stdout.write(JSON.stringify({ keys }));' > "$keys"
chmod 600 "$keys"
# the suite's SSE-KMS cases name the keys testkey-1 and testkey-2; the first also serves SSE-S3
sse_keys=$(node -e 'const r = () => require("crypto").randomBytes(32).toString("base64"); console.log(`testkey-1:${r()},testkey-2:${r()}`)')
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
S3GATE_SSE_KEYS=$sse_keys S3GATE_DATA_DIR=$work/data S3GATE_KEYS_FILE=$keys S3GATE_S3API_PORT=$port S3GATE_PORT=0 S3GATE_LOG_LEVEL=warn \
  S3GATE_RATE_LIMIT_PER_KEY=0 S3GATE_RATE_LIMIT_PER_ADDRESS=0 node dist/src/main.js > "$work/service.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null; rm -rf "$work/data"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
echo "s3gate's S3 API on http://127.0.0.1:$port (log: $work/service.log)" >&2
ALT_KEY=S3TESTSALT ALT_SECRET=alt-secret-for-the-s3-tests-suite \
TENANT_KEY=S3TESTSTENANT TENANT_SECRET=tenant-secret-for-the-s3-tests-suite \
IAM_KEY=S3TESTSIAM IAM_SECRET=iam-secret-for-the-s3-tests-suite \
OUT_DIR=${OUT_DIR:-$work/results} \
  bash "$RUN_SH" "http://127.0.0.1:$port" S3TESTSMAIN main-secret-for-the-s3-tests-suite "$@"
