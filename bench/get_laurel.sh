#!/usr/bin/env bash
# get_laurel.sh DIR: prints two lines, the path of a laurel binary and of the config.toml its Debian
# package ships. /usr/sbin/laurel when laurel is installed; otherwise Debian's package is downloaded
# (apt-get download) and unpacked into DIR: nothing is installed, and /etc/audit/plugins.d is not
# touched (the package's plugin file is active and would start laurel beside every auditd on the
# machine). Used by bench/web_load.sh and bench/profile_sizes.sh, which run laurel as the plugin of
# an auditd of their own (its plugin_dir in their temp directory).
set -euo pipefail
dir=${1:?usage: get_laurel.sh DIR}
if command -v laurel >/dev/null && [[ -f /etc/laurel/config.toml ]]; then
  command -v laurel
  echo /etc/laurel/config.toml
  exit 0
fi
mkdir -p "$dir"
if ! compgen -G "$dir/laurel_*.deb" >/dev/null; then
  (cd "$dir" && apt-get download laurel >/dev/null 2>&1) || {
    echo "get_laurel: laurel is not installed and 'apt-get download laurel' failed" >&2
    exit 1
  }
fi
[[ -x $dir/root/usr/sbin/laurel ]] || dpkg -x "$dir"/laurel_*.deb "$dir/root"
echo "$dir/root/usr/sbin/laurel"
echo "$dir/root/etc/laurel/config.toml"
