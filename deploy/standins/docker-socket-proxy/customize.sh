set -eu
root=$1
rm -f "$root/etc/haproxy/haproxy.cfg"
ln -sf /bin/busybox "$root/usr/local/bin/wget"
