#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks Bento. Run from the repository root after `dotnet tool restore`:
        dotnet pwsh ./build.ps1 Build | Test | Demo | Bench | Deps
.DESCRIPTION
    Build  assembles the importable module folder out/Bento (cmdlets, runtime, NativeAOT monitor, native spawn library).
    Test   installs the OS packages the tests need (as root), builds, runs the xunit and Pester suites
           (Pester both as root and as an unprivileged user), and prints "Tests: N passed, N failed".
    Demo   builds, then runs demo/demo.ps1 against a fresh store.
    Bench  builds, then runs the benchmarks under bench/ side by side with their peers.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Deps')]
    [string]$Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleDir = Join-Path $Out 'Bento'
$IsRoot = (& id -u) -eq '0'

# Debian packages, by what needs them.
$TestPackages = @('busybox-static', 'umoci', 'skopeo', 'tmux', 'uidmap', 'util-linux', 'procps', 'zstd')
$BenchPackages = @('runc', 'podman', 'debootstrap', 'hyperfine', 'jq', 'time', 'e2fsprogs')

function Invoke-Native {
    param([string]$Command, [string[]]$Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE" }
}

function Get-MissingPackages([string[]]$Packages) {
    $Packages | Where-Object {
        $status = & dpkg-query -W -f '${Status}' $_ 2>$null
        $LASTEXITCODE -ne 0 -or $status -notmatch 'install ok installed'
    }
}

function Install-OsPackages([string[]]$Packages) {
    $missing = @(Get-MissingPackages $Packages)
    if ($missing.Count -eq 0) { return }
    if (-not $IsRoot) {
        throw "Bento needs these Debian packages: $($missing -join ' '). Install them as root: sudo apt-get update && sudo apt-get install -y $($missing -join ' ')"
    }
    Write-Host "Installing OS packages: $($missing -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get @('update', '-qq')
    Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
}

function Invoke-Build {
    foreach ($tool in 'gcc') {
        if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "Building Bento needs '$tool' (Debian package gcc)." }
    }
    if (Test-Path $ModuleDir) { Remove-Item -Recurse -Force $ModuleDir }
    New-Item -ItemType Directory -Force $ModuleDir | Out-Null

    Invoke-Native dotnet @('build', (Join-Path $Root 'src/Bento.PowerShell'), '-c', $Configuration, '--nologo', '-v', 'q', '-o', (Join-Path $Out 'build/module'))
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Bento.Shim'), '-c', $Configuration, '--nologo', '-v', 'q', '-o', (Join-Path $Out 'build/shim'))
    Invoke-Native gcc @('-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-o', (Join-Path $ModuleDir 'libbentospawn.so'),
        (Join-Path $Root 'native/bento-spawn/spawn.c'))

    foreach ($file in 'Bento.PowerShell.dll', 'Bento.Runtime.dll', 'ZstdSharp.dll') {
        Copy-Item (Join-Path $Out "build/module/$file") $ModuleDir
    }
    Copy-Item (Join-Path $Out 'build/shim/bento-shim') $ModuleDir
    foreach ($file in 'Bento.psd1', 'Bento.format.ps1xml', 'Bento.types.ps1xml') {
        Copy-Item (Join-Path $Root "src/Bento.PowerShell/$file") $ModuleDir
    }
    Write-Host "Module staged in $ModuleDir"
}

function Get-PesterModulePath {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tools/tools.proj'), '--nologo', '-v', 'q') | Out-Host
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $pester = Get-ChildItem (Join-Path $packages 'pester') -Directory | Sort-Object { [version]$_.Name } | Select-Object -Last 1
    Join-Path $pester.FullName 'tools/Pester.psd1'
}

# Runs the Pester suite in a child pwsh (so the module loads fresh, optionally as another user) and returns its counts.
function Invoke-PesterSuite {
    param([string]$Label, [string]$ModulePath, [string]$PesterPath, [string]$TestsPath, [string]$WorkDir,
        [string[]]$ExcludeTag = @(), [string]$PwshDll = [System.Reflection.Assembly]::GetEntryAssembly().Location, [string]$RunAsUser)

    $resultFile = Join-Path $WorkDir "$Label.json"
    $scriptFile = Join-Path $WorkDir "run-$Label.ps1"
    $excluded = ($ExcludeTag | ForEach-Object { "'$_'" }) -join ','
    # The runner keeps the default ErrorActionPreference: tests assert on non-terminating errors themselves.
    Set-Content -Path $scriptFile -Value @"
Import-Module '$PesterPath' -ErrorAction Stop
`$env:BENTO_MODULE = '$ModulePath'
`$config = New-PesterConfiguration
`$config.Run.Path = '$TestsPath'
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'
`$config.Filter.ExcludeTag = @($excluded)
`$result = Invoke-Pester -Configuration `$config
[pscustomobject]@{ Passed = `$result.PassedCount; Failed = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount } |
    ConvertTo-Json | Set-Content '$resultFile'
"@
    Write-Host "== Pester ($Label)"
    if ($RunAsUser) {
        Invoke-Native chmod @('a+r', $scriptFile)
        Invoke-Native chown @('-R', "${RunAsUser}:", $WorkDir)
        & runuser -u $RunAsUser -- env "HOME=/home/$RunAsUser" "PATH=$env:PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 `
            dotnet $PwshDll -NoProfile -NonInteractive -File $scriptFile | Out-Host
    } else {
        & dotnet $PwshDll -NoProfile -NonInteractive -File $scriptFile | Out-Host
    }
    if (-not (Test-Path $resultFile)) { return [pscustomobject]@{ Passed = 0; Failed = 1 } }
    Get-Content $resultFile -Raw | ConvertFrom-Json
}

function Invoke-XunitSuite {
    $results = Join-Path $Out 'test-results'
    Remove-Item -Recurse -Force $results -ErrorAction Ignore
    $env:BENTO_SHIM = Join-Path $ModuleDir 'bento-shim'
    Write-Host '== xunit (Bento.Runtime.Tests)'
    & dotnet test (Join-Path $Root 'tests/Bento.Runtime.Tests') -c $Configuration --nologo `
        --logger 'console;verbosity=normal' --logger 'trx;LogFileName=runtime.trx' --results-directory $results | Out-Host
    $trx = Get-ChildItem $results -Filter *.trx -Recurse -ErrorAction Ignore | Select-Object -First 1
    if (-not $trx) { return [pscustomobject]@{ Passed = 0; Failed = 1 } }
    $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout }
}

# The unprivileged user the rootless suites run as, with a home and a subordinate id range (as useradd grants
# on most systems), so the full-range mapping is what they test. Made before any suite needs it.
$RootlessUser = 'bento-rootless'
function Initialize-RootlessUser {
    & id -u $RootlessUser *> $null
    if ($LASTEXITCODE -ne 0) { Invoke-Native useradd @('--create-home', '--shell', '/bin/sh', $RootlessUser) }
    $homeDir = "/home/$RootlessUser"
    if (-not (Test-Path $homeDir)) {
        New-Item -ItemType Directory $homeDir | Out-Null
        Invoke-Native chown @("${RootlessUser}:", $homeDir)
    }
    foreach ($file in '/etc/subuid', '/etc/subgid') {
        if (-not (Test-Path $file)) { New-Item -ItemType File $file | Out-Null }
        if (-not ((Get-Content $file) -match "^${RootlessUser}:")) {
            $flag = if ($file -eq '/etc/subuid') { '--add-subuids' } else { '--add-subgids' }
            Invoke-Native usermod @($flag, '100000-165535', $RootlessUser)
        }
    }
}

# A copy of everything the rootless suite runs, in a folder that user can read (the checkout and the NuGet
# cache may live under a home directory it cannot enter).
function New-RootlessSandbox([string]$PesterPath) {
    $sandbox = Join-Path ([IO.Path]::GetTempPath()) "bento-rootless-$PID"
    New-Item -ItemType Directory -Force $sandbox | Out-Null
    Copy-Item -Recurse $ModuleDir (Join-Path $sandbox 'Bento')
    Copy-Item -Recurse (Split-Path $PesterPath) (Join-Path $sandbox 'Pester')
    Copy-Item -Recurse (Join-Path $Root 'tests/Bento.PowerShell.Tests') (Join-Path $sandbox 'tests')
    $pwshHome = Split-Path ([System.Reflection.Assembly]::GetEntryAssembly().Location)
    Copy-Item -Recurse $pwshHome (Join-Path $sandbox 'pwsh')
    # Invoke-PesterSuite hands the folder to the user once the runner script is in it.
    Invoke-Native chmod @('-R', 'a+rX', $sandbox)
    [pscustomobject]@{ User = $RootlessUser; Path = $sandbox }
}

function Invoke-Test {
    Install-OsPackages $TestPackages
    Invoke-Build
    $pester = Get-PesterModulePath
    $resultsDir = Join-Path $Out 'pester'
    New-Item -ItemType Directory -Force $resultsDir | Out-Null

    if ($IsRoot) { Initialize-RootlessUser }
    $suites = [ordered]@{}
    $suites['xunit'] = Invoke-XunitSuite
    $suites['pester-root'] = Invoke-PesterSuite -Label root -ModulePath (Join-Path $ModuleDir 'Bento.psd1') -PesterPath $pester `
        -TestsPath (Join-Path $Root 'tests/Bento.PowerShell.Tests') -WorkDir $resultsDir

    if ($IsRoot) {
        $sandbox = New-RootlessSandbox $pester
        try {
            $suites['pester-rootless'] = Invoke-PesterSuite -Label rootless -ModulePath (Join-Path $sandbox.Path 'Bento/Bento.psd1') `
                -PesterPath (Join-Path $sandbox.Path 'Pester/Pester.psd1') -TestsPath (Join-Path $sandbox.Path 'tests') -WorkDir $sandbox.Path `
                -ExcludeTag 'RootOnly' -PwshDll (Join-Path $sandbox.Path 'pwsh/pwsh.dll') -RunAsUser $sandbox.User
        } finally {
            Remove-Item -Recurse -Force $sandbox.Path -ErrorAction Ignore
        }
    } else {
        Write-Warning 'Not root: the rootless suite runs as the current user only (the suite above).'
    }

    $passed = 0; $failed = 0
    foreach ($name in $suites.Keys) {
        Write-Host ("{0,-16} {1} passed, {2} failed" -f $name, $suites[$name].Passed, $suites[$name].Failed)
        $passed += [int]$suites[$name].Passed; $failed += [int]$suites[$name].Failed
    }
    Write-Host "Tests: $passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Install-OsPackages @('busybox-static', 'umoci', 'skopeo')
    Invoke-Build
    $pwshDll = [System.Reflection.Assembly]::GetEntryAssembly().Location
    & dotnet $pwshDll -NoProfile -File (Join-Path $Root 'demo/demo.ps1') -ModulePath (Join-Path $ModuleDir 'Bento.psd1')
    if ($LASTEXITCODE -ne 0) { throw "The demo failed (exit code $LASTEXITCODE)." }
}

function Invoke-Bench {
    Install-OsPackages ($TestPackages + $BenchPackages)
    Invoke-Build
    foreach ($bench in Get-ChildItem (Join-Path $Root 'bench') -Directory) {
        $runner = Join-Path $bench.FullName 'run.sh'
        if (Test-Path $runner) {
            Write-Host "== bench/$($bench.Name)"
            Invoke-Native bash @($runner)
        }
    }
}

switch ($Task) {
    'Deps' { Install-OsPackages ($TestPackages + $BenchPackages) }
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
}
