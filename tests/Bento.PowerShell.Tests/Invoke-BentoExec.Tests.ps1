BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
    $script:Main = New-BentoContainer -Name exec-host -Image busybox -Environment @{ FROM_IMAGE_RUN = 'main' } `
        -Command sh, -c, 'echo written-by-main > /marker; exec sleep 300' | Start-BentoContainer -PassThru
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Invoke-BentoExec' {
    It 'sees the container''s filesystem, hostname and environment' {
        Invoke-BentoExec exec-host cat /marker | Should -Be 'written-by-main'
        Invoke-BentoExec exec-host hostname | Should -Be 'exec-host'
        Invoke-BentoExec exec-host -Command sh, -c, 'echo $FROM_IMAGE_RUN $EXTRA' -Environment @{ EXTRA = 'added' } | Should -Be 'main added'
    }

    It 'runs inside the container''s pid namespace: ps shows the container''s pid 1' {
        $ps = Invoke-BentoExec exec-host -Command ps, -o, 'pid,args'
        ($ps | Where-Object { $_ -match '^\s*1\s' }) | Should -Match 'sleep 300'
        (Get-Item /proc/self/ns/pid).Target | Should -Not -Be (Invoke-BentoExec exec-host readlink /proc/self/ns/pid)
    }

    It 'sets $LASTEXITCODE to the command''s exit code: <code>' -ForEach @(@{ code = 0 }, @{ code = 1 }, @{ code = 42 }) {
        Invoke-BentoExec exec-host -Command sh, -c, "exit $code"
        $LASTEXITCODE | Should -Be $code
    }

    It 'reports 128+signal for a command killed by a signal' {
        Invoke-BentoExec exec-host -Command sh, -c, 'kill -KILL $$'
        $LASTEXITCODE | Should -Be 137
    }

    It 'sends stderr to the error stream, separable with 2> and mergeable with 2>&1' {
        Invoke-BentoExec exec-host -Command sh, -c, 'echo out; echo err >&2' 2>$null | Should -Be 'out'
        $merged = Invoke-BentoExec exec-host -Command sh, -c, 'echo out; echo err >&2' 2>&1
        ($merged | ForEach-Object ToString) | Should -Contain 'err'
        ($merged | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 1
    }

    It 'feeds pipeline input to the command''s stdin (10,000 lines)' {
        $sorted = 10000..1 | Invoke-BentoExec exec-host -Command sort, -n
        $sorted | Should -HaveCount 10000
        $sorted[0] | Should -Be '1'
        $sorted[-1] | Should -Be '10000'
        'b', 'a' | Invoke-BentoExec exec-host -Command sort | Should -Be @('a', 'b')
    }

    It 'honours -User and -WorkingDirectory' {
        Invoke-BentoExec exec-host -Command id, -u -User nobody | Should -Be '65534'
        Invoke-BentoExec exec-host pwd -WorkingDirectory /tmp | Should -Be '/tmp'
    }

    It 'returns one object with -AsResult' {
        $r = Invoke-BentoExec exec-host -Command sh, -c, 'echo a; echo b; echo c >&2; exit 5' -AsResult
        $r.ExitCode | Should -Be 5
        $r.Output | Should -Be @('a', 'b')
        $r.Error | Should -Be @('c')
        $r.Duration | Should -BeOfType ([timespan])
    }

    It 'reports a missing command as CommandNotFound' {
        { Invoke-BentoExec exec-host /no/such/tool -ErrorAction Stop } | Should -Throw -ErrorId 'CommandNotFound,*'
    }

    It 'refuses an exited or unknown container with the SPEC error ids' {
        New-BentoContainer -Name exec-done -Image busybox -Command true | Out-Null
        Start-BentoContainer exec-done -Attach | Out-Null
        { Invoke-BentoExec exec-done true -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidContainerState,*'
        { Invoke-BentoExec nosuch true -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,*'
    }

    It 'leaves the container running after the exec''d command ends' {
        Invoke-BentoExec exec-host true
        (Get-BentoContainer exec-host).State | Should -Be 'Running'
        (Get-BentoContainer exec-host).Pid | Should -Be $Main.Pid
    }
}
