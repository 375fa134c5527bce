#!/usr/bin/env pwsh
# The README's demo: a busybox image made on the spot, an import of a docker-save archive,
# a container run attached, a detached one listed, stopped and removed. Uses a throw-away store.
param([string]$ModulePath = (Join-Path $PSScriptRoot '../out/Bento/Bento.psd1'))

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$work = Join-Path ([IO.Path]::GetTempPath()) "bento-demo-$PID"
$env:BENTO_ROOT = Join-Path $work 'store'
New-Item -ItemType Directory -Force $work | Out-Null

function Show([string]$Text) { Write-Host "`n>> $Text" -ForegroundColor Cyan }

try {
    Show 'New-BentoImage: a one-layer image from the host''s static busybox'
    $rootfs = Join-Path $work 'rootfs'
    New-Item -ItemType Directory -Force (Join-Path $rootfs 'bin'), (Join-Path $rootfs 'etc') | Out-Null
    Copy-Item /bin/busybox (Join-Path $rootfs 'bin/busybox')
    & /bin/busybox --list | Where-Object { $_ -ne 'busybox' } | ForEach-Object {
        New-Item -ItemType SymbolicLink -Path (Join-Path $rootfs "bin/$_") -Target busybox | Out-Null
    }
    Set-Content (Join-Path $rootfs 'etc/passwd') 'root:x:0:0:root:/root:/bin/sh'
    New-BentoImage -Name demo/busybox:latest -Path $rootfs -Command /bin/sh | Format-Table

    Show 'Import-BentoImage: a docker-save archive written by umoci + skopeo'
    $rootless = if ((& id -u) -ne '0') { '--rootless' } else { $null }
    & umoci init --layout (Join-Path $work 'oci') 2>&1 | Out-Null
    & umoci new --image "$work/oci:latest" 2>&1 | Out-Null
    & umoci unpack @($rootless | Where-Object { $_ }) --image "$work/oci:latest" (Join-Path $work 'bundle') 2>&1 | Out-Null
    # cp -a keeps the applet symlinks as links (Copy-Item would copy busybox once per applet).
    & cp -a "$rootfs/." (Join-Path $work 'bundle/rootfs')
    & umoci repack --image "$work/oci:latest" (Join-Path $work 'bundle') 2>&1 | Out-Null
    & umoci config --image "$work/oci:latest" --config.cmd /bin/sh 2>&1 | Out-Null
    & skopeo copy --quiet "oci:$work/oci:latest" "docker-archive:$work/busybox.tar:saved/busybox:1.0"
    Import-BentoImage (Join-Path $work 'busybox.tar') | Format-Table

    Show 'Get-BentoImage'
    Get-BentoImage | Format-Table

    Show 'New-BentoContainer + Start-BentoContainer -Attach'
    New-BentoContainer -Name hello -Image saved/busybox:1.0 -Command sh, -c, 'echo "hello from $(hostname), pid $$, uid $(id -u)"; exit 3' | Out-Null
    Start-BentoContainer hello -Attach
    "exit code: $LASTEXITCODE"

    Show 'A detached container, listed by Get-BentoContainer'
    New-BentoContainer -Name web -Image demo/busybox -Command sh, -c, 'while true; do echo tick; sleep 1; done' | Start-BentoContainer
    Start-Sleep -Seconds 1
    Get-BentoContainer | Format-Table
    Get-BentoContainerLog web -Tail 1

    Show 'Invoke-BentoExec: a command inside the running container, like a native command'
    Invoke-BentoExec web -Command ps, -o, 'pid,args'
    'banana', 'apple', 'cherry' | Invoke-BentoExec web -Command sort
    Invoke-BentoExec web -Command sh, -c, 'exit 5'
    "exit code: $LASTEXITCODE"
    Invoke-BentoExec web -Command hostname -AsResult | Format-List ExitCode, Output, Duration

    Show 'Stop and remove'
    Get-BentoContainer -State Running | Stop-BentoContainer -Timeout 1 -PassThru | Format-Table
    Get-BentoContainer | Remove-BentoContainer
    Get-BentoContainer | Format-Table
    Show 'Done'
} finally {
    Get-BentoContainer -ErrorAction Ignore | Remove-BentoContainer -Force -ErrorAction Ignore
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
