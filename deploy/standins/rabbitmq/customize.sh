# The official image's data directory and home: /var/lib/rabbitmq, owned by
# rabbitmq; Debian's default enabled_plugins is replaced by the management one
# (the -management image variant enables rabbitmq_management).
set -eu
root=$1
mkdir -p "$root/var/lib/rabbitmq" "$root/etc/rabbitmq/conf.d"
printf '[rabbitmq_management,rabbitmq_prometheus].\n' > "$root/etc/rabbitmq/enabled_plugins"
chroot "$root" chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /etc/rabbitmq
rm -f "$root/var/lib/rabbitmq/.erlang.cookie"
