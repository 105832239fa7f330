# Official layout: /bin/prometheus and /bin/promtool, data in /prometheus owned
# by nobody (a new named volume copies that ownership), console directories under
# /usr/share/prometheus, busybox wget for health checks.
set -eu
root=$1
# Debian 12 has merged /usr: /bin/prometheus and /bin/promtool already resolve.
[ -e "$root/bin/prometheus" ] || ln -s /usr/bin/prometheus "$root/bin/prometheus"
[ -e "$root/bin/promtool" ] || ln -s /usr/bin/promtool "$root/bin/promtool"
mkdir -p "$root/usr/share/prometheus" "$root/prometheus"
ln -sfn /etc/prometheus/console_libraries "$root/usr/share/prometheus/console_libraries"
ln -sfn /etc/prometheus/consoles "$root/usr/share/prometheus/consoles"
chown -R 65534:65534 "$root/prometheus" "$root/etc/prometheus"
ln -sf /bin/busybox "$root/usr/local/bin/wget"
