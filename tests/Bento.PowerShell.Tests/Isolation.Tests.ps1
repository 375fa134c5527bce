# What a container gets: its own namespaces, its own pid 1, hostname, copy-on-write root, and
# (rootless) root inside mapped to the calling user outside.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile
    $script:Image = New-BusyboxImage

    function script:Invoke-InContainer([string]$Name, [string]$Script) {
        New-BentoContainer -Name $Name -Image busybox -Command sh, -c, $Script | Out-Null
        $output = Start-BentoContainer $Name -Attach
        Remove-BentoContainer $Name
        $output
    }
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Container isolation' {
    It 'gives the container new namespaces of every kind' {
        $kinds = 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'
        if (-not (Test-IsRoot)) { $kinds += 'user' }
        $inside = Invoke-InContainer ns (($kinds | ForEach-Object { "readlink /proc/self/ns/$_" }) -join '; ')
        $inside | Should -HaveCount $kinds.Count
        for ($i = 0; $i -lt $kinds.Count; $i++) {
            $hostNs = (Get-Item "/proc/self/ns/$($kinds[$i])").Target
            $inside[$i] | Should -Match "^$($kinds[$i]):\[\d+\]$"
            $inside[$i] | Should -Not -Be $hostNs
        }
    }

    It 'runs the command as pid 1 and ps sees only the container' {
        $out = Invoke-InContainer pid1 'echo $$; ps -o pid | tail -n +2 | sort -n | tail -n 1'
        $out[0] | Should -Be '1'
        # Only the shell and its own pipeline exist, all with the namespace's first pids.
        [int]$out[1] | Should -BeLessOrEqual 10
    }

    It 'sets the hostname to the container name, or -Hostname' {
        Invoke-InContainer named-box 'hostname' | Should -Be 'named-box'
        New-BentoContainer -Name hn -Image busybox -Hostname custom -Command hostname | Out-Null
        Start-BentoContainer hn -Attach | Should -Be 'custom'
        Remove-BentoContainer hn
    }

    It 'brings loopback up in the private network namespace' {
        $out = Invoke-InContainer lo 'cat /sys/class/net/lo/operstate; ls /sys/class/net | wc -l'
        $out[0] | Should -BeIn @('unknown', 'up')
        $out[1] | Should -Be '1'
    }

    It 'mounts a fresh /proc, a minimal /dev and a read-only /sys' {
        $out = Invoke-InContainer fs 'ls /dev | sort | tr "\n" " "; echo; touch /sys/x 2>/dev/null && echo sys-writable || echo sys-readonly; cat /proc/1/cmdline | tr "\0" " "'
        foreach ($node in 'null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm') { $out[0] | Should -Match "\b$node\b" }
        $out[0] | Should -Not -Match '\bsda\b|\bvda\b|\bmem\b'
        $out[1] | Should -Be 'sys-readonly'
        $out[2] | Should -Match '^sh -c'
    }

    It 'masks sensitive /proc paths and makes /proc/sys read-only' {
        # /proc/keys and /proc/timer_list exist on every kernel here (/proc/kcore only with CONFIG_PROC_KCORE).
        $out = Invoke-InContainer mask 'wc -c < /proc/keys; wc -c < /proc/timer_list; (echo 1 > /proc/sys/kernel/domainname) 2>/dev/null && echo writable || echo protected; (echo x > /proc/sysrq-trigger) 2>/dev/null && echo writable || echo protected'
        [int]$out[0] | Should -Be 0
        [int]$out[1] | Should -Be 0
        $out[2] | Should -Be 'protected'
        $out[3] | Should -Be 'protected'
        (Get-Content /proc/keys -Raw).Length | Should -BeGreaterThan 0
    }

    It 'applies the environment, working directory and entrypoint semantics' {
        New-BentoContainer -Name envs -Image busybox -Environment @{ FOO = 'bar' } -WorkingDirectory /tmp -Command sh, -c, 'echo $FOO; pwd; echo $PATH' | Out-Null
        $out = Start-BentoContainer envs -Attach
        $out[0] | Should -Be 'bar'
        $out[1] | Should -Be '/tmp'
        $out[2] | Should -Match '/bin'
        Remove-BentoContainer envs
        New-BentoContainer -Name ep -Image busybox -Entrypoint /bin/echo -Command from, entrypoint | Out-Null
        Start-BentoContainer ep -Attach | Should -Be 'from entrypoint'
        Remove-BentoContainer ep
    }

    It 'binds host paths with -Mount (string or hashtable form) and honours :ro and -ReadOnly' {
        $shared = New-TempDirectory 'bento-mount'
        Set-Content (Join-Path $shared 'hello.txt') 'from the host'
        New-BentoContainer -Name binds -Image busybox -ReadOnly -Mount "${shared}:/ro:ro", @{ Source = $shared; Target = '/rw' } `
            -Command sh, -c, 'cat /ro/hello.txt; (touch /ro/x) 2>/dev/null && echo ro-writable || echo ro-protected; echo made > /rw/out.txt; (touch /rootfile) 2>/dev/null && echo root-writable || echo root-protected' | Out-Null
        $out = Start-BentoContainer binds -Attach
        Remove-BentoContainer binds
        $out | Should -Be @('from the host', 'ro-protected', 'root-protected')
        Get-Content (Join-Path $shared 'out.txt') | Should -Be 'made'
        Remove-Item -Recurse -Force $shared
    }

    It 'refuses a mount whose source does not exist, creating nothing' {
        { New-BentoContainer -Name badmount -Image busybox -Mount '/no/such/dir:/x' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument,*'
        Get-BentoContainer badmount -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'writes copy-on-write: the layer is untouched and containers do not see each other''s writes' {
        New-BentoContainer -Name cow1 -Image busybox -Command sh, -c, 'echo one > /bin/written; rm /bin/true; cat /bin/written' | Out-Null
        New-BentoContainer -Name cow2 -Image busybox -Command sh, -c, 'ls /bin/written 2>&1; ls /bin/true' | Out-Null
        Start-BentoContainer cow1 -Attach | Should -Be 'one'
        $second = Start-BentoContainer cow2 -Attach 2>&1 | ForEach-Object ToString
        ($second -join ' ') | Should -Match 'No such file'
        ($second -join ' ') | Should -Match '/bin/true'
        $layerDir = Get-ChildItem (Join-Path $Store 'layers/sha256') -Directory | Select-Object -First 1
        Get-ChildItem -Recurse -Force $layerDir.FullName -Filter written | Should -BeNullOrEmpty
        Get-ChildItem -Recurse -Force $layerDir.FullName -Filter true | Should -Not -BeNullOrEmpty
        Get-BentoContainer cow* | Remove-BentoContainer
    }

    It 'runs as root inside and as the calling user on the host' {
        New-BentoContainer -Name who -Image busybox -Command sh, -c, 'id -u; sleep 30' | Start-BentoContainer
        Start-Sleep -Milliseconds 300
        $c = Get-BentoContainer who
        Get-BentoContainerLog who | Should -Be '0'
        $hostUid = ((Get-Content "/proc/$($c.Pid)/status") -match '^Uid:' -split '\s+')[1]
        $hostUid | Should -Be (& id -u)
        $c.Rootless | Should -Be (-not (Test-IsRoot))
        Remove-BentoContainer who -Force
    }

    It 'leaks no host file descriptor or directory into the container' {
        $out = Invoke-InContainer fds 'ls /proc/self/fd | sort -n | tr "\n" " "; echo; readlink /proc/1/cwd'
        $out[0].Trim() | Should -Be '0 1 2 3'
        $out[1] | Should -Be '/'
    }
}
