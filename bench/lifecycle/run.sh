#!/usr/bin/env bash
# Lifecycle benchmark: New+Start+Wait+Remove of /bin/true with Bento, next to `runc run` of a bundle of the same
# rootfs (made with `runc spec`) and `podman --runtime runc run --rm` of the same image (loaded with `podman load`),
# then the monitor's memory per running container.
# Usage: bench/lifecycle/run.sh [iterations] [monitors]   — as root; needs gcc, umoci, runc, podman, busybox-static.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
iterations=${1:-50}
monitors=${2:-10}
cache="$here/.bench-cache"
rm -rf "$cache/rootfs" "$cache/oci" "$cache/bundle" "$cache/work"
mkdir -p "$cache/work"

# The monitor and the spawn library, built the way build.ps1 builds them.
dotnet publish "$repo/src/Bento.Shim" -c Release -o "$cache/shim" --artifacts-path "$cache/artifacts" -nologo -v q
gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$cache/shim/libbentospawn.so" "$repo/native/bento-spawn/spawn.c"
export BENTO_SHIM="$cache/shim/bento-shim"

# One busybox image for all three: the host's static busybox and its applet links, as an OCI archive (umoci).
mkdir -p "$cache/rootfs/bin" "$cache/rootfs/etc" "$cache/rootfs/tmp"
cp /bin/busybox "$cache/rootfs/bin/"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$cache/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$cache/rootfs/etc/passwd"
echo 'root:x:0:' > "$cache/rootfs/etc/group"
umoci init --layout "$cache/oci"
umoci new --image "$cache/oci:busybox"
umoci insert --image "$cache/oci:busybox" "$cache/rootfs" /
umoci config --image "$cache/oci:busybox" --config.cmd=sh
tar -C "$cache/oci" -cf "$cache/busybox-oci.tar" .

# runc: a bundle from `runc spec`, running /bin/true without a terminal.
mkdir -p "$cache/bundle"
(cd "$cache/bundle" && runc spec)
cp -a "$cache/rootfs" "$cache/bundle/rootfs"
sed -i 's/"terminal": true/"terminal": false/; s/^\(\t*\)"sh"$/\1"\/bin\/true"/' "$cache/bundle/config.json"

# podman: the same archive.
podman load -q -i "$cache/busybox-oci.tar" >/dev/null

dotnet run -c Release --project "$here/BenchLifecycle" -- "$cache/work" "$iterations" "$cache/busybox-oci.tar" "$cache/bundle" localhost/busybox:latest "$monitors"

# The same lifecycle through the cmdlets, when the module has been staged (build.ps1 Bench does that first).
if [ -f "$repo/out/Bento/Bento.psd1" ]; then
    (cd "$repo" && dotnet pwsh -NoProfile -File "$here/cmdlets.ps1" "$iterations")
fi
