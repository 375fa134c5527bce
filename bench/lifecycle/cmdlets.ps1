#!/usr/bin/env pwsh
# The lifecycle as a PowerShell user runs it: New-BentoContainer + Start-BentoContainer + Wait-BentoContainer +
# Remove-BentoContainer of /bin/true in one warm pwsh, through the staged module (build.ps1 Build).
param([int]$Iterations = 50, [string]$ModulePath = (Join-Path $PSScriptRoot '../../out/Bento/Bento.psd1'))

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$work = Join-Path ([IO.Path]::GetTempPath()) "bento-bench-lifecycle-$PID"
$env:BENTO_ROOT = Join-Path $work 'store'
$rootfs = Join-Path $work 'rootfs'
New-Item -ItemType Directory -Force (Join-Path $rootfs 'bin') | Out-Null
Copy-Item /bin/busybox (Join-Path $rootfs 'bin/busybox')
New-Item -ItemType SymbolicLink -Path (Join-Path $rootfs 'bin/true') -Target busybox | Out-Null
New-BentoImage -Name bench/busybox -Path $rootfs -Command /bin/true | Out-Null

function Invoke-Once([string]$Name) {
    New-BentoContainer -Name $Name -Image bench/busybox | Start-BentoContainer -PassThru | Wait-BentoContainer | Remove-BentoContainer
}

try {
    1..5 | ForEach-Object { Invoke-Once "warm$_" }
    $times = foreach ($i in 1..$Iterations) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Once "run$i"
        $clock.Elapsed.TotalMilliseconds
    }
    $sorted = $times | Sort-Object
    '{0,-58} {1,8:0.0} ms {2,8:0.0} ms' -f 'Bento cmdlets New|Start|Wait|Remove (one warm pwsh)', $sorted[[int]($sorted.Count / 2)], $sorted[[int]($sorted.Count * 0.9)]
} finally {
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}
