#!/usr/bin/env bash
# Exec benchmark: `true` run inside a running busybox container by Bento (ContainerManager.StartExec, in-process,
# as Invoke-BentoExec calls it) next to `runc exec` into a runc container of the same rootfs (bundle from `runc spec`).
# Usage: bench/exec/run.sh [iterations]   — as root; needs gcc, runc, busybox-static.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
iterations=${1:-100}
cache="$here/.bench-cache"
rm -rf "$cache/rootfs" "$cache/bundle" "$cache/work"
mkdir -p "$cache/work"

# The monitor, exec-init and the spawn library, built the way build.ps1 builds them.
dotnet publish "$repo/src/Bento.Shim" -c Release -o "$cache/shim" --artifacts-path "$cache/artifacts" -nologo -v q
gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$cache/shim/libbentospawn.so" "$repo/native/bento-spawn/spawn.c"
export BENTO_SHIM="$cache/shim/bento-shim"

# One rootfs for both: the host's static busybox and its applet links.
mkdir -p "$cache/rootfs/bin" "$cache/rootfs/etc" "$cache/rootfs/tmp" "$cache/rootfs/proc" "$cache/rootfs/sys" "$cache/rootfs/dev"
cp /bin/busybox "$cache/rootfs/bin/"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$cache/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$cache/rootfs/etc/passwd"
echo 'root:x:0:' > "$cache/rootfs/etc/group"

# runc: a bundle from `runc spec` whose process sleeps, without a terminal (runc run --detach needs that).
mkdir -p "$cache/bundle"
(cd "$cache/bundle" && runc spec)
cp -a "$cache/rootfs" "$cache/bundle/rootfs"
sed -i 's/"terminal": true/"terminal": false/; s/^\(\t*\)"sh"$/\1"sleep", "3600"/' "$cache/bundle/config.json"

dotnet run -c Release --project "$here/BenchExec" -- "$cache/work" "$iterations" "$cache/rootfs" "$cache/bundle"
