# Official layout: /bin/alertmanager and /bin/amtool, data in /alertmanager
# owned by nobody, config in /etc/alertmanager/alertmanager.yml, busybox wget.
set -eu
root=$1
ln -sf /usr/bin/prometheus-alertmanager "$root/bin/alertmanager"
# Debian 12 has merged /usr: /bin/amtool already resolves.
[ -e "$root/bin/amtool" ] || ln -s /usr/bin/amtool "$root/bin/amtool"
mkdir -p "$root/alertmanager" "$root/etc/alertmanager"
if [ -f "$root/etc/prometheus/alertmanager.yml" ] && [ ! -e "$root/etc/alertmanager/alertmanager.yml" ]; then
  cp "$root/etc/prometheus/alertmanager.yml" "$root/etc/alertmanager/alertmanager.yml"
fi
chown -R 65534:65534 "$root/alertmanager" "$root/etc/alertmanager"
ln -sf /bin/busybox "$root/usr/local/bin/wget"
