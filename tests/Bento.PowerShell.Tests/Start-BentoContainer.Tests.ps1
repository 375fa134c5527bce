BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Start-BentoContainer' {
    AfterEach { Remove-AllContainers }

    It 'with -Attach streams stdout, sends stderr to the error stream and sets $LASTEXITCODE' {
        New-BentoContainer -Name att -Image busybox -Command sh, -c, 'echo out1; echo err1 >&2; echo out2; exit 3' | Out-Null
        $global:LASTEXITCODE = 0
        $out = Start-BentoContainer att -Attach -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -Be @('out1', 'out2')
        "$errs" | Should -Match 'err1'
        $global:LASTEXITCODE | Should -Be 3
        (Get-BentoContainer att).ExitCode | Should -Be 3
    }

    It 'starts detached and returns the running container with -PassThru' {
        New-BentoContainer -Name bg -Image busybox -Command sleep, 30 | Out-Null
        $c = Start-BentoContainer bg -PassThru
        $c.State | Should -Be 'Running'
        $c.Pid | Should -BeGreaterThan 0
        $c.StartedAt | Should -Not -BeNullOrEmpty
        Test-Path "/proc/$($c.Pid)" | Should -BeTrue
    }

    It 'refuses to start a running container with InvalidContainerState' {
        New-BentoContainer -Name twice -Image busybox -Command sleep, 30 | Out-Null
        Start-BentoContainer twice
        { Start-BentoContainer twice -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidContainerState,*'
    }

    It 'reports a command missing from the rootfs as CommandNotFound' {
        New-BentoContainer -Name nocmd -Image busybox -Command '/no/such/binary' | Out-Null
        { Start-BentoContainer nocmd -ErrorAction Stop } | Should -Throw -ErrorId 'CommandNotFound,*'
        (Get-BentoContainer nocmd).State | Should -Not -Be 'Running'
    }

    It 'reports an unknown container as ContainerNotFound' {
        { Start-BentoContainer nosuch -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,*'
    }

    It 'takes containers by pipeline, by value and by property name' {
        New-BentoContainer -Name p1 -Image busybox -Command sleep, 30 | Out-Null
        New-BentoContainer -Name p2 -Image busybox -Command sleep, 30 | Out-Null
        Get-BentoContainer p1 | Start-BentoContainer
        [pscustomobject]@{ Name = 'p2' } | Start-BentoContainer
        (Get-BentoContainer p1).State | Should -Be 'Running'
        (Get-BentoContainer p2).State | Should -Be 'Running'
    }

    It 'keeps the container''s own writes across a restart' {
        New-BentoContainer -Name keep -Image busybox -Command sh, -c, 'echo x >> /data.txt; wc -l < /data.txt' | Out-Null
        Start-BentoContainer keep -Attach | Should -Be '1'
        Start-BentoContainer keep -Attach | Select-Object -Last 1 | Should -Be '2'
    }
}
