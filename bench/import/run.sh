#!/usr/bin/env bash
# Import benchmark: how long Bento takes to import a Debian bookworm minbase image (one layer, ~206 MB,
# ~6.8k files), next to GNU tar extracting the same layer, umoci unpack and podman load.
#
#   sudo bench/import/run.sh            # RUNS=5 by default; medians are reported
#
# Inputs are built once and cached in .bench-cache/import (git-ignored): a debootstrap rootfs, packed by umoci
# into an OCI layout (one gzip layer), converted by skopeo into a docker-archive (uncompressed layer) and an
# OCI archive (gzip layer). Every timed run writes into an empty directory on the same file system; the page
# cache is flushed (sync) before each run and outputs are deleted between runs, outside the timings.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache="$repo/.bench-cache/import"
work="$cache/work"
runs=${RUNS:-5}

die() { echo "run.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, device nodes and file owners in the layer need it)."
missing=()
for tool in debootstrap umoci skopeo podman tar gzip jq dotnet; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]} (apt-get install debootstrap umoci skopeo podman jq)"

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

rm -rf "$work"
mkdir -p "$work"

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f\n", e - s }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_runs NAME PREPARE-COMMAND COMMAND...: runs COMMAND $runs times after PREPARE, prints the median seconds.
declare -A result
time_runs() {
    local name=$1 prepare=$2; shift 2
    local times=() start end
    for ((i = 1; i <= runs; i++)); do
        eval "$prepare"
        sync
        start=$(now)
        "$@" > "$work/out.log" 2>&1 || { cat "$work/out.log"; die "$name failed"; }
        end=$(now)
        times+=("$(elapsed "$start" "$end")")
    done
    result[$name]=$(printf '%s\n' "${times[@]}" | median)
    echo "  $name: ${times[*]} -> median ${result[$name]} s"
}

echo "Timing ($runs runs each) ..."
time_runs "tar x (uncompressed layer)" 'rm -rf "$work/tar"; mkdir "$work/tar"' tar -C "$work/tar" -xf "$cache/layer.tar"
time_runs "tar xzf (gzip layer)" 'rm -rf "$work/tar"; mkdir "$work/tar"' tar -C "$work/tar" -xzf "$cache/layer.tar.gz"
time_runs "umoci unpack (gzip layer)" 'rm -rf "$work/umoci"' umoci unpack --image "$cache/oci:bookworm" "$work/umoci"
time_runs "podman load (docker-archive)" 'rm -rf "$work/podman"' \
    podman --root "$work/podman/root" --runroot "$work/podman/runroot" --storage-driver overlay --events-backend none \
    load -q -i "$cache/debian-docker.tar"
rm -rf "$work/tar" "$work/umoci" "$work/podman"

# Bento is timed inside the process, as a pwsh session with the module loaded pays it (the first run includes
# JIT compilation); the cold row is a whole new process, .NET start-up included.
for archive in debian-docker.tar debian-oci.tar; do
    label="Bento import ($archive)"
    [ "$archive" = debian-docker.tar ] && label="Bento import (docker-archive)" || label="Bento import (OCI archive, gzip)"
    mapfile -t times < <(dotnet "$bench_dll" "$work" "$runs" "$cache/$archive" | awk '{ print $3 }')
    result[$label]=$(printf '%s\n' "${times[@]}" | median)
    echo "  $label: ${times[*]} -> median ${result[$label]} s"
done
time_runs "Bento, cold process (docker-archive)" 'true' dotnet "$bench_dll" "$work" 1 "$cache/debian-docker.tar"

files=$(find "$cache/rootfs" | wc -l)
size=$(du -sm "$cache/rootfs" | awk '{ print $1 }')
tar_x=${result["tar x (uncompressed layer)"]}
echo
echo "Debian bookworm minbase: $size MB, $files files, one layer; median of $runs runs; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| | seconds | vs tar x |"
echo "|---|---:|---:|"
for name in "tar x (uncompressed layer)" "tar xzf (gzip layer)" "umoci unpack (gzip layer)" "podman load (docker-archive)" \
            "Bento import (docker-archive)" "Bento import (OCI archive, gzip)" "Bento, cold process (docker-archive)"; do
    awk -v n="$name" -v s="${result[$name]}" -v t="$tar_x" 'BEGIN { printf "| %s | %.2f | %.2fx |\n", n, s, s / t }'
done
rm -rf "$work"
