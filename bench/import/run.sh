#!/usr/bin/env bash
# Import benchmark: how long Bento takes to import a Debian bookworm minbase image (one layer, ~206 MB,
# ~6.8k files), next to GNU tar extracting the same layer, umoci unpack and podman load.
#
#   sudo bench/import/run.sh            # RUNS=5 by default; medians are reported
#
# Inputs are built once and cached in .bench-cache/import (git-ignored): a debootstrap rootfs, packed by umoci
# into an OCI layout (one gzip layer), converted by skopeo into a docker-archive (uncompressed layer) and an
# OCI archive (gzip layer). Every timed run writes into a new directory, after a sync, on a freshly made ext4 file
# system (a loop-mounted image in the cache; BENCH_LOOP=0 uses the cache's own file system instead). A fresh file
# system keeps runs comparable: on an ext4 without a journal, or one where much was deleted minutes before,
# creating files is several times slower, as the allocator skips recently freed inodes. For the same reason
# nothing is deleted until all runs are done.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache="$repo/.bench-cache/import"
work="$cache/work"
runs=${RUNS:-5}

die() { echo "run.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, device nodes and file owners in the layer need it)."
missing=()
for tool in debootstrap umoci skopeo podman tar gzip jq dotnet /usr/bin/time mkfs.ext4; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]} (apt-get install debootstrap umoci skopeo podman jq time)"

# The Debian mirror this machine's apt already uses (deb822 .sources or one-line .list format).
detect_mirror() {
    local uri
    uri=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
             grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } \
           | grep -v security | grep -m1 debian || true)
    echo "${DEBIAN_MIRROR:-$uri}"
}

mkdir -p "$cache"
if [ ! -d "$cache/rootfs" ]; then
    mirror=$(detect_mirror)
    [ -n "$mirror" ] || die "no Debian mirror found in the apt sources; set DEBIAN_MIRROR."
    echo "Building the Debian bookworm minbase rootfs from $mirror ..."
    rm -rf "$cache/rootfs.partial"
    debootstrap --variant=minbase bookworm "$cache/rootfs.partial" "$mirror" > "$cache/debootstrap.log"
    mv "$cache/rootfs.partial" "$cache/rootfs"
fi
if [ ! -d "$cache/oci" ]; then
    echo "Packing it with umoci (one layer) ..."
    rm -rf "$cache/oci.partial" "$cache/bundle"
    umoci init --layout "$cache/oci.partial"
    umoci new --image "$cache/oci.partial:bookworm"
    umoci unpack --image "$cache/oci.partial:bookworm" "$cache/bundle"
    rm -rf "$cache/bundle/rootfs"
    cp -a "$cache/rootfs" "$cache/bundle/rootfs"
    umoci repack --image "$cache/oci.partial:bookworm" "$cache/bundle"
    umoci config --image "$cache/oci.partial:bookworm" --config.cmd /bin/bash
    umoci gc --layout "$cache/oci.partial"
    rm -rf "$cache/bundle"
    mv "$cache/oci.partial" "$cache/oci"
fi
if [ ! -f "$cache/debian-docker.tar" ]; then
    echo "Converting with skopeo (docker-archive, uncompressed; OCI archive, gzip) ..."
    rm -f "$cache/debian-docker.tar" "$cache/debian-oci.tar"
    skopeo copy --quiet "oci:$cache/oci:bookworm" "docker-archive:$cache/debian-docker.tar.partial:debian:bookworm"
    skopeo copy --quiet "oci:$cache/oci:bookworm" "oci-archive:$cache/debian-oci.tar:debian:bookworm"
    mv "$cache/debian-docker.tar.partial" "$cache/debian-docker.tar"
fi
if [ ! -f "$cache/layer.tar" ]; then
    layer=$(tar -xOf "$cache/debian-docker.tar" manifest.json | jq -r '.[0].Layers[0]')
    tar -xOf "$cache/debian-docker.tar" "$layer" > "$cache/layer.tar"
    manifest=$(jq -r '.manifests[0].digest' "$cache/oci/index.json")
    blob=$(jq -r '.layers[0].digest' "$cache/oci/blobs/sha256/${manifest#sha256:}")
    cp "$cache/oci/blobs/sha256/${blob#sha256:}" "$cache/layer.tar.gz"
fi

echo "Building BenchImport ..."
dotnet build -c Release --nologo -v quiet "$repo/bench/import/BenchImport" > "$cache/build.log" 2>&1 || { cat "$cache/build.log"; die "build failed"; }
bench_dll="$repo/bench/import/BenchImport/bin/Release/net10.0/BenchImport.dll"

cleanup() {
    if [ -n "${BENTO_PID:-}" ]; then kill "$BENTO_PID" 2>/dev/null || true; wait "$BENTO_PID" 2>/dev/null || true; fi
    if mountpoint -q "$work" 2>/dev/null; then umount "$work"; fi
    rm -rf "$work" "$cache/work.img"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"
if [ "${BENCH_LOOP:-1}" = 1 ]; then
    truncate -s 16G "$cache/work.img"
    mkfs.ext4 -q -F "$cache/work.img"
    mount -o loop "$cache/work.img" "$work"
fi

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Bento runs in one long-lived process (see BenchImport), driven through a coprocess so that its runs interleave
# with the other tools': load that comes and goes on the machine then touches every row alike.
coproc BENTO { exec dotnet "$bench_dll" --serve "$work"; }

rows=("tar x (uncompressed layer)" "tar xzf (gzip layer)" "umoci unpack (gzip layer)" "podman load (docker-archive)"
      "Bento import (docker-archive)" "Bento import (OCI archive, gzip)" "Bento, cold process (docker-archive)")
declare -A wall cpu

# record NAME "WALL CPU": appends one run's seconds.
record() { local w c; read -r w c <<< "$2"; wall[$1]+="$w "; cpu[$1]+="$c "; }

# timed NAME COMMAND...: wall and CPU (user + system) seconds of COMMAND, after a sync.
timed() {
    local name=$1; shift
    sync
    /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$@" > "$work/out.log" 2>&1 || { cat "$work/out.log"; die "$name failed"; }
    record "$name" "$(awk '{ printf "%.3f %.3f", $1, $2 + $3 }' "$work/time.txt")"
}

bento_import() {
    local reply
    sync
    echo "$2" >&"${BENTO[1]}"
    read -r reply <&"${BENTO[0]}" || die "BenchImport stopped (see above)"
    record "$1" "$reply"
}

echo "Timing ($runs rounds, every tool once per round) ..."
for ((round = 1; round <= runs; round++)); do
    out="$work/round-$round"
    mkdir -p "$out/tar-x" "$out/tar-xz"
    timed "${rows[0]}" tar -C "$out/tar-x" -xf "$cache/layer.tar"
    timed "${rows[1]}" tar -C "$out/tar-xz" -xzf "$cache/layer.tar.gz"
    timed "${rows[2]}" umoci unpack --image "$cache/oci:bookworm" "$out/umoci"
    runroot=$(mktemp -d /tmp/bench-podman.XXXXXX) # podman wants a runroot path of at most 50 characters
    timed "${rows[3]}" podman --root "$out/podman" --runroot "$runroot" --storage-driver overlay \
        --events-backend none load -q -i "$cache/debian-docker.tar"
    rm -rf "$runroot"
    bento_import "${rows[4]}" "$cache/debian-docker.tar"
    bento_import "${rows[5]}" "$cache/debian-oci.tar"
    timed "${rows[6]}" dotnet "$bench_dll" "$out" "$cache/debian-docker.tar"
    echo "  round $round done"
done
exec {BENTO[1]}>&-
wait "$BENTO_PID" 2>/dev/null || true

declare -A wall_median cpu_median
for name in "${rows[@]}"; do
    wall_median[$name]=$(echo "${wall[$name]}" | median)
    cpu_median[$name]=$(echo "${cpu[$name]}" | median)
    echo "  $name: wall ${wall[$name]}-> ${wall_median[$name]} s; cpu ${cpu[$name]}-> ${cpu_median[$name]} s"
done

files=$(find "$cache/rootfs" | wc -l)
size=$(du -sm "$cache/rootfs" | awk '{ print $1 }')
fs=$(df -T "$work" | awk 'NR == 2 { print $2 }')
[ "${BENCH_LOOP:-1}" = 1 ] && fs="a fresh $fs (loop)"
tar_x=${wall_median[${rows[0]}]}
echo
echo "Debian bookworm minbase: $size MB, $files files, one layer; $fs; median of $runs runs; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| | wall s | vs tar x | CPU s (user+sys) |"
echo "|---|---:|---:|---:|"
for name in "${rows[@]}"; do
    awk -v n="$name" -v s="${wall_median[$name]}" -v c="${cpu_median[$name]}" -v t="$tar_x" \
        'BEGIN { printf "| %s | %.2f | %.2fx | %.2f |\n", n, s, s / t, c }'
done
