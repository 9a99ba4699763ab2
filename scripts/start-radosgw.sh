#!/usr/bin/env bash
# start-radosgw.sh — a throw-away Ceph RADOS Gateway on loopback for the s3 store's tests.
#
# One monitor, one OSD and one radosgw, run as plain background daemons (no systemd, no cephadm,
# no containers), with cephx turned off and one S3 user whose keys are known. Every start wipes the
# state folder and stops whatever a previous start left running, so it can be re-run at will.
#
# Usage:  scripts/start-radosgw.sh [start|stop|status]
#         eval "$(scripts/start-radosgw.sh)"     # start, then export the S3GATE_TEST_S3_* variables
#
# Progress goes to stderr; on success stdout carries only `export ...` lines.
#
# Environment (all optional):
#   S3GATE_RGW_DIR            state and logs (default ${TMPDIR:-/tmp}/s3gate-radosgw); wiped on start
#   S3GATE_RGW_PORT           S3 port on 127.0.0.1 (default 19010)
#   S3GATE_RGW_OBJECTSTORE    memstore (default: data in RAM, fastest start) | bluestore (sparse file)
#   S3GATE_RGW_STORE_GB       memstore capacity / bluestore file size in GiB (default 2 / 20)
#   S3GATE_TEST_S3_ACCESS_KEY / S3GATE_TEST_S3_SECRET_KEY   the S3 user's keys (default s3gate-test / s3gate-test-secret)
#   S3GATE_RGW_SKIP_APT=1     never run apt-get
#
# Ports: 19001 and 19002 (monitor), 19020-19049 (OSD messengers), the S3 port.
# Needs Debian's ceph-mon, ceph-osd and radosgw packages (16.2 on Debian 12) and curl: installed when missing.
set -euo pipefail

DIR=${S3GATE_RGW_DIR:-${TMPDIR:-/tmp}/s3gate-radosgw}
PORT=${S3GATE_RGW_PORT:-19010}
OBJECTSTORE=${S3GATE_RGW_OBJECTSTORE:-memstore}
ACCESS_KEY=${S3GATE_TEST_S3_ACCESS_KEY:-s3gate-test}
SECRET_KEY=${S3GATE_TEST_S3_SECRET_KEY:-s3gate-test-secret}
ENDPOINT=http://127.0.0.1:$PORT
CONF=$DIR/ceph.conf
MON_ADDRS='[v2:127.0.0.1:19002,v1:127.0.0.1:19001]'
PACKAGES=(ceph-mon ceph-osd radosgw curl)
STARTED_AT=$EPOCHREALTIME

say() { printf '[radosgw %5.1fs] %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { awk -v a="$STARTED_AT" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'; }
die() { say "error: $*"; exit 1; }

# wait_for SECONDS COMMAND...: run COMMAND every 0.25 s until it succeeds; fail after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
}

ceph_cli() { timeout 20 ceph -c "$CONF" --connect-timeout 5 "$@"; }

# A SigV4-signed request with curl (7.75+). RGW wants x-amz-content-sha256, which curl 7.88 does not send.
signed_status() {
  curl -s -o /dev/null -m 10 -w '%{http_code}' --aws-sigv4 'aws:amz:us-east-1:s3' \
    --user "$ACCESS_KEY:$SECRET_KEY" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@" || true
}

# The state is thrown away on the next start, so there is nothing to shut down cleanly for: ask every
# daemon to stop, give them 3 s (radosgw alone may take 6 s or more), then SIGKILL what is left.
stop_daemons() {
  local pidfile pid pids=()
  for pidfile in "$DIR"/run/*.pid; do
    [[ -e $pidfile ]] || continue
    pid=$(<"$pidfile")
    rm -f "$pidfile"
    # after a reboot or a cleaned-up machine the pid may belong to someone else now: check the name
    is_ceph_daemon "$pid" && kill "$pid" 2>/dev/null || continue
    say "stopping $(basename "$pidfile" .pid) (pid $pid)"
    pids+=("$pid")
  done
  ((${#pids[@]})) || return 0
  wait_for 3 processes_gone "${pids[@]}" || kill -9 "${pids[@]}" 2>/dev/null || true
}

is_ceph_daemon() {
  [[ -n $1 && $(cat "/proc/$1/comm" 2>/dev/null) =~ ^(ceph-mon|ceph-osd|radosgw)$ ]]
}

# A stopped daemon may linger as a zombie when nothing reaps it: that counts as gone.
process_alive() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [[ -n $state && $state != Z ]]
}
processes_gone() {
  local pid
  for pid; do process_alive "$pid" && return 1; done
  return 0
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
osd_up() { ceph_cli osd dump | grep -q "^osd.$1 up"; }
authenticated() { [[ $(signed_status "$ENDPOINT/") == 200 ]]; }

show_status() {
  local pidfile pid
  [[ -f $CONF ]] || { echo "not started (no $CONF)"; return 1; }
  for pidfile in "$DIR"/run/*.pid; do
    [[ -e $pidfile ]] || continue
    pid=$(<"$pidfile")
    if process_alive "$pid"; then
      echo "$(basename "$pidfile" .pid): pid $pid, $(($(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status") / 1024)) MiB resident"
    else
      echo "$(basename "$pidfile" .pid): pid $pid not running"
    fi
  done
  echo "S3 at $ENDPOINT: HTTP $(signed_status "$ENDPOINT/") for an authenticated ListBuckets"
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  [[ ${S3GATE_RGW_SKIP_APT:-0} == 1 ]] && die "missing packages ${missing[*]} and S3GATE_RGW_SKIP_APT=1"
  # Refresh the package lists only when apt does not know radosgw yet (a fresh image has none).
  if ! apt-cache policy radosgw 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    say "apt-get update"
    apt-get update -q >/dev/null
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

write_config() {
  local store
  [[ $OBJECTSTORE == memstore || $OBJECTSTORE == bluestore ]] ||
    die "S3GATE_RGW_OBJECTSTORE must be memstore or bluestore, not \"$OBJECTSTORE\""
  if [[ $OBJECTSTORE == memstore ]]; then
    store="osd_objectstore = memstore
memstore_device_bytes = $((${S3GATE_RGW_STORE_GB:-2} << 30))"
  else
    store="osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = $((${S3GATE_RGW_STORE_GB:-20} << 30))
bluestore_fsck_on_mkfs = false
bluestore_fsck_on_mount = false
osd_memory_target = 939524096"
  fi
  cat >"$CONF" <<EOF
[global]
fsid = $(cat /proc/sys/kernel/random/uuid)
mon_host = $MON_ADDRS
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
ms_bind_port_min = 19020
ms_bind_port_max = 19049
# no cephx: everything is on loopback and thrown away
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# every file of the cluster lives under $DIR
run_dir = $DIR/run
pid_file = $DIR/run/\$name.pid
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
crash_dir = $DIR/crash
keyring = $DIR/keyring
mon_data = $DIR/mon/\$name
osd_data = $DIR/osd/\$name
rgw_data = $DIR/rgw/\$name
# one OSD holds one copy of everything
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000
mon_data_avail_warn = 2
mon_data_avail_crit = 1
# keep the default osd_max_object_name_len (2048): a RADOS name is the bucket marker plus the S3 key, and
# the 460 used for ext4-backed OSDs makes 1024-byte keys fail with ENAMETOOLONG (HTTP 500)

[mon]
# radosgw creates several pools at start: commit map changes every 50 ms, not every second
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
mon_cluster_log_file = $DIR/log/cluster.log

[osd]
$store
osd_op_num_shards = 2
osd_op_num_threads_per_shard = 2

[client.rgw.s3gate]
# radosgw asks for a "secure" monitor session by default, which auth=none cannot give
ms_mon_client_mode = crc
rgw_frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw_thread_pool_size = 64
rgw_dns_name = localhost
# give back the space of deleted and overwritten objects after 30 s (memstore keeps it in RAM)
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
rgw_gc_processor_max_time = 30
EOF
}

start_monitor() {
  monmaptool --create --fsid "$(awk '/^fsid/ { print $3 }' "$CONF")" --addv a "$MON_ADDRS" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap"
  ceph-mon -c "$CONF" -i a
  wait_for 30 ceph_cli mon stat || die "the monitor did not answer; see $DIR/log/mon.a.log"
  say "monitor up"
}

start_osd() {
  local uuid id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_cli osd new "$uuid")
  mkdir -p "$DIR/osd/osd.$id"
  ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" >"$DIR/log/osd-mkfs.log" 2>&1 ||
    die "osd mkfs failed: $(tail -5 "$DIR/log/osd-mkfs.log")"
  ceph-osd -c "$CONF" -i "$id" 2>>"$DIR/log/osd-start.log"
  wait_for 60 osd_up "$id" ||
    die "osd.$id did not come up; see $DIR/log/osd.$id.log"
  say "osd.$id up ($OBJECTSTORE)"
}

start_gateway() {
  mkdir -p "$DIR/rgw/client.rgw.s3gate"
  # radosgw forks into the background once it reaches the cluster; timeout guards against a hang before that
  timeout 60 radosgw -c "$CONF" -n client.rgw.s3gate ||
    die "radosgw did not start; see $DIR/log/client.rgw.s3gate.log"
  wait_for 60 curl -s -o /dev/null -m 1 "$ENDPOINT/" || die "radosgw does not answer on $ENDPOINT"
  timeout 60 radosgw-admin -c "$CONF" user create --uid=s3gate-test --display-name='s3gate tests' \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  wait_for 30 authenticated ||
    die "an authenticated request to $ENDPOINT still fails (HTTP $(signed_status "$ENDPOINT/"))"
  say "radosgw answers authenticated requests on $ENDPOINT"
}

# The first bucket and object make radosgw create its index and data pools (a few seconds):
# pay that here rather than in the first test.
warm_up() {
  local bucket=s3gate-warm-up answers
  answers="$(signed_status -X PUT "$ENDPOINT/$bucket") $(signed_status -X PUT --data-binary x "$ENDPOINT/$bucket/x")"
  answers+=" $(signed_status -X DELETE "$ENDPOINT/$bucket/x") $(signed_status -X DELETE "$ENDPOINT/$bucket")"
  [[ $answers == '200 200 204 204' ]] || die "warm-up requests answered $answers, expected 200 200 204 204"
  say "warm-up done"
}

start() {
  install_packages
  [[ -d $DIR/run ]] && stop_daemons
  for port in "$PORT" 19001 19002; do
    if port_busy "$port"; then die "port $port is in use by something this script did not start"; fi
  done
  rm -rf "$DIR"
  mkdir -p "$DIR"/{run,log,mon,osd,rgw,crash}
  trap 'say "start failed; stopping what was started"; stop_daemons' EXIT
  write_config
  start_monitor
  start_osd
  start_gateway
  warm_up
  trap - EXIT
  say "ready ($(dpkg-query -W -f='${Version}' radosgw), logs in $DIR/log; stop with: $0 stop)"
  printf 'export S3GATE_TEST_S3_ENDPOINT=%q\n' "$ENDPOINT"
  printf 'export S3GATE_TEST_S3_ACCESS_KEY=%q\n' "$ACCESS_KEY"
  printf 'export S3GATE_TEST_S3_SECRET_KEY=%q\n' "$SECRET_KEY"
}

case ${1:-start} in
  start) start ;;
  stop) stop_daemons ;;
  status) show_status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
