#!/usr/bin/env bash
# `npm run setup`: installs (from Debian's packages) and starts what the test suite needs:
# dockerd with a single-node Swarm, RabbitMQ with its Prometheus plugin,
# Prometheus/promtool and Alertmanager/amtool, HAProxy (the edge in the HTTP
# e2e test and bench:http), the load tools hey and wrk, and builds the stand-in
# images of the deployment test (scripts/build-standin-images.sh). Safe to run again: every step
# first checks whether its work is already done.
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# mmdebstrap builds the stand-in images of the deployment test (deploy/standins/).
packages=(docker.io busybox-static rabbitmq-server prometheus prometheus-alertmanager curl iproute2 chromium haproxy hey wrk mmdebstrap)
binaries=(/usr/sbin/dockerd /bin/busybox /usr/sbin/rabbitmq-server /usr/bin/prometheus /usr/bin/prometheus-alertmanager /usr/bin/curl /usr/bin/amtool /usr/bin/promtool /usr/bin/chromium /usr/sbin/haproxy /usr/bin/hey /usr/bin/wrk /usr/bin/mmdebstrap)

install_missing_packages() {
  local missing=0
  for bin in "${binaries[@]}"; do [ -x "$bin" ] || missing=1; done
  [ "$missing" = 0 ] && { log "packages already installed"; return; }
  log "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  # policy-rc.d 101 keeps postinst scripts from starting daemons we start ourselves.
  printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
  as_root chmod +x /usr/sbin/policy-rc.d
  as_root apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  as_root rm -f /usr/sbin/policy-rc.d
}

docker_cli() { /usr/bin/docker "$@"; }

start_dockerd() {
  if docker_cli info >/dev/null 2>&1; then log "dockerd already answers"; return; fi
  log "starting dockerd"
  as_root mkdir -p /var/log
  as_root sh -c 'nohup /usr/sbin/dockerd >/var/log/alertscale-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker_cli info >/dev/null 2>&1 && return; sleep 1; done
  log "dockerd did not start; see /var/log/alertscale-dockerd.log"; tail -20 /var/log/alertscale-dockerd.log; exit 1
}

init_swarm() {
  local state
  state=$(docker_cli info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" = active ]; then log "swarm already active"; return; fi
  log "initialising single-node swarm"
  docker_cli swarm init --advertise-addr 127.0.0.1 >/dev/null
}

import_test_image() {
  # Swarm cannot pull here: build a tiny image from busybox-static.
  if docker_cli image inspect alertscale-test/busybox:latest >/dev/null 2>&1; then return; fi
  log "importing alertscale-test/busybox image"
  local dir; dir=$(mktemp -d)
  mkdir -p "$dir/bin"
  cp /bin/busybox "$dir/bin/busybox"
  for cmd in sh sleep httpd true; do ln -s busybox "$dir/bin/$cmd"; done
  tar -C "$dir" -c . | docker_cli import - alertscale-test/busybox:latest >/dev/null
  rm -rf "$dir"
}

start_rabbitmq() {
  as_root rabbitmq-plugins --offline enable rabbitmq_prometheus >/dev/null 2>&1 || true
  if as_root rabbitmqctl -q status >/dev/null 2>&1; then
    as_root rabbitmqctl -q start_app >/dev/null 2>&1 || true
    log "rabbitmq already running"; return
  fi
  log "starting rabbitmq"
  as_root sh -c 'nohup rabbitmq-server >/var/log/alertscale-rabbitmq.log 2>&1 &'
  as_root timeout 120 rabbitmqctl -q wait --timeout 120 /var/lib/rabbitmq/mnesia/rabbit@"$(hostname -s)".pid >/dev/null 2>&1 \
    || as_root timeout 60 sh -c 'until rabbitmqctl -q status >/dev/null 2>&1; do sleep 1; done'
  as_root rabbitmqctl -q await_startup >/dev/null 2>&1 || true
}

install_missing_packages
start_dockerd
init_swarm
import_test_image
start_rabbitmq
# Stand-ins for the registry images of stack.yml; cached, so a second run is instant.
bash "$(dirname "$0")/build-standin-images.sh" >/dev/null
log "ready: docker $(docker_cli version --format '{{.Server.Version}}'), swarm $(docker_cli info --format '{{.Swarm.LocalNodeState}}')"
