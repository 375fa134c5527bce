BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Wait-BentoContainer' {
    AfterEach { Remove-AllContainers }

    It 'returns the container with its exit code once it exits' {
        New-BentoContainer -Name w -Image busybox -Command sh, -c, 'sleep 0.5; exit 42' | Start-BentoContainer
        $c = Get-BentoContainer w | Wait-BentoContainer
        $c.State | Should -Be 'Exited'
        $c.ExitCode | Should -Be 42
        $c.FinishedAt | Should -BeGreaterThan $c.StartedAt
    }

    It 'records 128+signal for a process killed by a signal' {
        # pid 1 of a pid namespace ignores signals it has no handler for, except SIGKILL from outside.
        $c = New-BentoContainer -Name sig -Image busybox -Command sleep, 30 | Start-BentoContainer -PassThru
        & kill -KILL $c.Pid
        (Wait-BentoContainer sig -Timeout 10).ExitCode | Should -Be 137
    }

    It 'gives up after -Timeout with an error' {
        New-BentoContainer -Name slow -Image busybox -Command sleep, 30 | Start-BentoContainer
        Wait-BentoContainer slow -Timeout 1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout*'
    }
}
