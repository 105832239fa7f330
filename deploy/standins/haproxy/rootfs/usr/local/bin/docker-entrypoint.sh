#!/bin/sh
# Entrypoint of the HAProxy stand-in, with the official haproxy image's
# argument handling (deploy/standins/README.md): options alone mean
# `haproxy <options>`, and haproxy itself runs in master-worker mode (-W) in
# the foreground, logging to stdout (-db).
set -eu
case "${1:-}" in -*) set -- haproxy "$@" ;; esac
if [ "${1:-}" = haproxy ]; then
  shift
  set -- haproxy -W -db "$@"
fi
exec "$@"
