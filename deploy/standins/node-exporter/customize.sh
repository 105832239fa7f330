# Official layout: the binary at /bin/node_exporter, busybox wget for health checks.
set -eu
root=$1
ln -sf /usr/bin/prometheus-node-exporter "$root/bin/node_exporter"
ln -sf /bin/busybox "$root/usr/local/bin/wget"
