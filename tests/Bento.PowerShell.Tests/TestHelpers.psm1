# Shared set-up for the Pester suites: the module under test, a private store per test file,
# and images made by real tools (Debian's static busybox, umoci, skopeo).

$script:IsRoot = (& id -u) -eq '0'

function Import-BentoUnderTest {
    $module = if ($env:BENTO_MODULE) { $env:BENTO_MODULE } else { Join-Path $PSScriptRoot '../../out/Bento/Bento.psd1' }
    Import-Module $module -Force -Global
}

function Test-IsRoot { $script:IsRoot }

function New-TempDirectory([string]$Prefix = 'bento-test') {
    $path = Join-Path ([IO.Path]::GetTempPath()) ("$Prefix-" + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}

# A fresh store for one test file; returns its path and points the module at it.
function New-TestStore {
    $root = New-TempDirectory 'bento-store'
    $env:BENTO_ROOT = $root
    $root
}

# The usual start of a test file: the module under test, a private store, optionally the busybox image.
function Initialize-TestFile([switch]$WithBusybox) {
    Import-BentoUnderTest
    $store = New-TestStore
    if ($WithBusybox) { New-BusyboxImage | Out-Null }
    $store
}

function Remove-AllContainers { Get-BentoContainer | Remove-BentoContainer -Force }

function Remove-TestStore([string]$Root) {
    if (-not $Root -or -not (Test-Path $Root)) { return }
    Get-BentoContainer -ErrorAction Ignore | Remove-BentoContainer -Force -ErrorAction Ignore
    & chmod -R u+rwX $Root 2>$null
    Remove-Item -Recurse -Force $Root -ErrorAction Ignore
}

# A root filesystem holding Debian's static busybox and its applet links.
function New-BusyboxRootfs {
    $busybox = '/bin/busybox'
    if (-not (Test-Path $busybox)) { throw "Debian's busybox-static is not installed ($busybox missing)." }
    $rootfs = New-TempDirectory 'busybox-rootfs'
    foreach ($dir in 'bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev') { New-Item -ItemType Directory -Path (Join-Path $rootfs $dir) | Out-Null }
    Copy-Item $busybox (Join-Path $rootfs 'bin/busybox')
    & (Join-Path $rootfs 'bin/busybox') --list | ForEach-Object {
        if ($_ -ne 'busybox') { New-Item -ItemType SymbolicLink -Path (Join-Path $rootfs "bin/$_") -Target 'busybox' | Out-Null }
    }
    Set-Content (Join-Path $rootfs 'etc/passwd') "root:x:0:0:root:/root:/bin/sh`nnobody:x:65534:65534:nobody:/:/bin/false"
    Set-Content (Join-Path $rootfs 'etc/group') "root:x:0:`nnogroup:x:65534:"
    $rootfs
}

# The busybox image every container test starts from, made with New-BentoImage.
function New-BusyboxImage([string]$Name = 'busybox:latest') {
    $rootfs = New-BusyboxRootfs
    try {
        New-BentoImage -Name $Name -Path $rootfs -Command '/bin/sh' -Environment @{ PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }
    } finally {
        Remove-Item -Recurse -Force $rootfs
    }
}

function Invoke-Checked {
    param([string]$Command, [string[]]$Arguments)
    $output = & $Command @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed ($LASTEXITCODE): $output" }
}

# An OCI layout made by umoci from the busybox rootfs; returns the layout directory (tag 'latest').
function New-UmociLayout([string]$Directory) {
    $rootless = if ($script:IsRoot) { @() } else { @('--rootless') }
    $layout = Join-Path $Directory 'busybox-oci'
    $bundle = Join-Path $Directory 'bundle'
    Invoke-Checked umoci @('init', '--layout', $layout)
    Invoke-Checked umoci @('new', '--image', "${layout}:latest")
    Invoke-Checked umoci (@('unpack') + $rootless + @('--image', "${layout}:latest", $bundle))
    $rootfs = New-BusyboxRootfs
    # cp -a keeps the applet symlinks as links (Copy-Item would copy busybox once per applet).
    Invoke-Checked cp @('-a', "$rootfs/.", (Join-Path $bundle 'rootfs'))
    Remove-Item -Recurse -Force $rootfs
    Invoke-Checked umoci (@('repack') + @('--image', "${layout}:latest", $bundle))
    Invoke-Checked umoci @('config', '--image', "${layout}:latest", '--config.cmd', '/bin/sh')
    Remove-Item -Recurse -Force $bundle
    $layout
}

# The same busybox image in the formats SPEC accepts, written by skopeo from umoci's layout.
function New-ImageFixtures {
    $dir = New-TempDirectory 'bento-fixtures'
    $layout = New-UmociLayout $dir
    $fixtures = [ordered]@{
        OciLayout     = $layout
        DockerArchive = Join-Path $dir 'busybox-docker.tar'
        OciArchive    = Join-Path $dir 'busybox-oci.tar'
        Directory     = $dir
    }
    Invoke-Checked skopeo @('copy', '--quiet', "oci:${layout}:latest", "docker-archive:$($fixtures.DockerArchive):fixture/busybox:docker")
    Invoke-Checked skopeo @('copy', '--quiet', "oci:${layout}:latest", "oci-archive:$($fixtures.OciArchive):fixture/busybox:oci")
    [pscustomobject]$fixtures
}

# Runs a script block in a separate pwsh process with the module loaded and the same store.
function Invoke-InNewPwsh([string]$Script) {
    $pwsh = [System.Reflection.Assembly]::GetEntryAssembly().Location
    $module = Join-Path (Get-Module Bento).ModuleBase 'Bento.psd1'
    $full = "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; $Script"
    & dotnet $pwsh -NoProfile -NonInteractive -Command $full
}

function Get-HostMounts { Get-Content /proc/self/mountinfo }

Export-ModuleMember -Function *
