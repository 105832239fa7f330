# Official layout: the binary on PATH, config expected at
# /usr/local/etc/haproxy/haproxy.cfg (none shipped: the user mounts one),
# runs as the haproxy user from /var/lib/haproxy.
set -eu
root=$1
mkdir -p "$root/usr/local/etc/haproxy" "$root/var/lib/haproxy"
rm -f "$root/etc/haproxy/haproxy.cfg"
chroot "$root" chown haproxy:haproxy /var/lib/haproxy
# The official alpine image has busybox wget; stack.yml's health check uses it.
mkdir -p "$root/usr/local/bin"
ln -sf /bin/busybox "$root/usr/local/bin/wget"
