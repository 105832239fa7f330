#!/usr/bin/env bash
# Builds the local stand-ins for the third-party images of stack.yml from
# Debian's packages (mmdebstrap -> docker import), one per recipe directory
# under deploy/standins/ (deploy/standins/README.md says what each models).
# An image is tagged alertscale-standin/<name>:<hash of its recipe and of this
# script>, so an unchanged recipe is never rebuilt and a changed one gets a new tag.
#
#   scripts/build-standin-images.sh [name...]     default: every recipe
#
# Prints `<name>=<tag>` per image on stdout (logs go to stderr).
# STANDIN_MIRROR / STANDIN_SUITE override the Debian mirror and suite.
set -euo pipefail

repo_dir=$(cd "$(dirname "$0")/.." && pwd)
recipes_dir="$repo_dir/deploy/standins"
suite=${STANDIN_SUITE:-bookworm}
mirror=${STANDIN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${STANDIN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
docker_cli=${DOCKER_CLI:-docker}

tarball=
trap 'rm -f "$tarball"' EXIT

log() { printf '[standins] %s\n' "$*" >&2; }

# How every rootfs is made (minbase: essential packages and apt, no recommends;
# docs, man pages and locales left out). Part of each image's hash, with the
# recipe's files: the rest of this script can change without a rebuild.
mmdebstrap_options=(
  --variant=minbase
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
)
# After the packages: the recipe's rootfs/ overlay, then its customize.sh with
# the rootfs as $1, then apt's lists and caches dropped.
customize_hooks=(
  'if [ -d "$RECIPE/rootfs" ]; then cp -a "$RECIPE/rootfs/." "$1/"; fi'
  'if [ -f "$RECIPE/customize.sh" ]; then sh "$RECIPE/customize.sh" "$1"; fi'
  'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log'
)

# Downloaded packages are kept between builds (they do not shape the rootfs,
# so they are not part of the hash): a rebuild downloads only what changed.
apt_cache=${STANDIN_APT_CACHE:-/var/cache/alertscale-standins}
cache_options=(
  --skip=download/empty --skip=essential/unlink
  --setup-hook="mkdir -p '$apt_cache' \"\$1\"/var/cache/apt/archives/"
  --setup-hook="sync-in '$apt_cache' /var/cache/apt/archives/"
  --customize-hook="sync-out /var/cache/apt/archives '$apt_cache'"
)

recipe_hash() {
  local dir=$1
  {
    printf '%s\n' "$suite" "$mirror" "$security_mirror" "${mmdebstrap_options[@]}" "${customize_hooks[@]}"
    (cd "$dir" && find . -type f -o -type l | LC_ALL=C sort | while read -r f; do
      printf '%s %s\n' "$f" "$(stat -c %a "$f")"
      if [ -L "$f" ]; then readlink "$f"; else cat "$f"; fi
    done)
  } | sha256sum | cut -c1-16
}

# Older builds of a recipe (ignored while a container still uses one).
remove_older_builds() {
  local name=$1 keep=$2 old
  for old in $("$docker_cli" image ls "alertscale-standin/$name" --format '{{.Repository}}:{{.Tag}}'); do
    [ "$old" = "$keep" ] || "$docker_cli" rmi "$old" >/dev/null 2>&1 || true
  done
}

build_one() {
  local name=$1 dir="$recipes_dir/$1"
  [ -f "$dir/packages" ] || { log "no recipe $dir/packages"; exit 1; }
  local tag; tag="alertscale-standin/$name:$(recipe_hash "$dir")"
  if "$docker_cli" image inspect "$tag" >/dev/null 2>&1; then
    log "$tag is cached"
    printf '%s=%s\n' "$name" "$tag"; return
  fi
  log "building $tag"
  local include; include=$(grep -v '^\s*#' "$dir/packages" | xargs | tr ' ' ',')
  local changes=()
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    changes+=(--change "$line")
  done < "$dir/image.changes"
  tarball=$(mktemp --suffix=.tar)
  local hooks=() hook
  for hook in "${customize_hooks[@]}"; do hooks+=(--customize-hook="$hook"); done
  RECIPE=$dir mmdebstrap --quiet "${mmdebstrap_options[@]}" --include="$include" "${cache_options[@]}" "${hooks[@]}" \
    "$suite" "$tarball" \
    "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security_mirror $suite-security main" >&2
  "$docker_cli" import "${changes[@]}" --change "LABEL alertscale.standin.recipe=$name" "$tarball" "$tag" >/dev/null
  rm -f "$tarball"
  remove_older_builds "$name" "$tag"
  log "built $tag ($("$docker_cli" image inspect "$tag" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
  printf '%s=%s\n' "$name" "$tag"
}

command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing: run npm run setup (apt-get install mmdebstrap)"; exit 1; }
[ "$(id -u)" = 0 ] || { log "mmdebstrap needs root here (it builds in root mode)"; exit 1; }

if [ $# -eq 0 ]; then
  set -- $(cd "$recipes_dir" && for d in */; do [ -f "$d/packages" ] && printf '%s ' "${d%/}"; done)
fi
for name in "$@"; do build_one "$name"; done
