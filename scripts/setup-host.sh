#!/usr/bin/env bash
# Installs and starts what HomelabARR CE needs on a Debian 12 host, from Debian's archive only:
# Docker Engine, compose v2 (from trixie's docker-compose package), rclone, FUSE, Chromium and
# a local registry for offline pull tests. Idempotent and quick when everything is present.
set -euo pipefail

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
[ -x /usr/sbin/dockerd ] || [ -x /usr/bin/dockerd ] || need_pkgs+=(docker.io)
[ -x /bin/busybox ] && busybox --list 2>/dev/null | grep -q '^httpd$' || need_pkgs+=(busybox-static)
have rclone || need_pkgs+=(rclone)
have fusermount3 || need_pkgs+=(fuse3)
have chromium || need_pkgs+=(chromium)
[ -x /usr/bin/docker-registry ] || need_pkgs+=(docker-registry)
have curl || need_pkgs+=(curl)
have git || need_pkgs+=(git)
# The product image's test builds its base with debootstrap (no image can be pulled here).
[ -x /usr/sbin/debootstrap ] || need_pkgs+=(debootstrap)
# systemd-analyze checks deploy/homelabarr.service (test/ops/deploy-files.test.ts).
have systemd-analyze || need_pkgs+=(systemd)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup-host: installing ${need_pkgs[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

# Debian's docker.io ships its client in /usr/bin; some images put another client first in PATH.
plugin_dir=/usr/local/lib/docker/cli-plugins
if ! docker compose version >/dev/null 2>&1; then
  echo "setup-host: installing compose v2 from Debian trixie's docker-compose package"
  T=$(mktemp -d)
  mkdir -p "$T/lists/partial" "$T/archives/partial"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' > "$T/sources.list"
  A=(-o "Dir::Etc::sourcelist=$T/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::lists=$T/lists"
     -o "Dir::Cache::archives=$T/archives" -o "Dir::Cache::pkgcache=$T/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$T/srcpkgcache.bin")
  apt-get "${A[@]}" update -q
  (cd "$T" && apt-get "${A[@]}" download docker-compose)
  dpkg -x "$T"/docker-compose_*.deb "$T/x"
  install -D "$T/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
  rm -rf "$T"
fi

# The rclone mount container shares its FUSE mounts with other containers through an :rshared
# bind mount, which Docker allows only on a shared mount. systemd hosts make / shared at boot;
# hosts without systemd (containers, this CI) start with a private /.
if [ "$(findmnt -no PROPAGATION / 2>/dev/null)" = "private" ]; then
  mount --make-rshared / || echo "setup-host: could not make / a shared mount; the rclone mount app needs it" >&2
fi

# dockerd has no service manager here: start it and wait for /_ping.
ping_docker() { curl -sf --max-time 2 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; }
if ! ping_docker; then
  echo "setup-host: starting dockerd"
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 200); do ping_docker && break; sleep 0.1; done
fi
ping_docker || { echo "setup-host: dockerd did not answer; see /tmp/dockerd.log" >&2; exit 1; }
echo "setup-host: docker $(docker version --format '{{.Server.Version}}'), $(docker compose version --short 2>/dev/null || echo 'compose missing')"
