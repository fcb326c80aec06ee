#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, starting the
# machine's own servers when they are down and we are root. Tests need both.
set -euo pipefail

answers() {  # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_for() {  # name port
  for _ in $(seq 1 60); do
    answers 127.0.0.1 "$2" && return 0
    sleep 0.5
  done
  echo "$1 did not start listening on 127.0.0.1:$2 within 30 s." >&2
  exit 1
}

start() {  # name port command...
  local name=$1 port=$2
  shift 2
  answers 127.0.0.1 "$port" && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v "$1" >/dev/null 2>&1; then
    echo "$name is not running on 127.0.0.1:$port. Start it (the tests need it), then run make again." >&2
    exit 1
  fi
  echo "Starting $name"
  "$@"
  wait_for "$name" "$port"
}

start PostgreSQL 5432 pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)" main start
start Redis 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
  --dir /var/lib/redis --logfile /var/log/redis/ci.log
