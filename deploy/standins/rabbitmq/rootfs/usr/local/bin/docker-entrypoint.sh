#!/bin/sh
# Entrypoint of the RabbitMQ stand-in, modelled on what the official image's
# entrypoint does since 3.9 (deploy/standins/README.md): as root, hand the data
# directory to the rabbitmq user and drop to it; then run the server itself.
# The user, password and vhost come from RABBITMQ_DEFAULT_USER / _PASS / _VHOST,
# which RabbitMQ (3.9.4 and later) reads itself when it initialises an empty
# data directory; nothing is created on later starts.
set -eu

if [ "${1:-}" = rabbitmq-server ] && [ "$(id -u)" = 0 ]; then
  find /var/lib/rabbitmq \! -user rabbitmq -exec chown rabbitmq:rabbitmq '{}' +
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$0" "$@"
fi

if [ "${1:-}" = rabbitmq-server ]; then
  shift
  # Debian's /usr/sbin/rabbitmq-server is a wrapper that logs to files; the
  # official image logs to stdout (RABBITMQ_LOGS=-), so call the server directly.
  exec /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi

exec "$@"
