BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Get-BentoContainerLog' {
    AfterEach { Remove-AllContainers }

    It 'returns stdout lines, stderr on the error stream, and -Tail' {
        New-BentoContainer -Name logs -Image busybox -Command sh, -c, 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2' | Out-Null
        Start-BentoContainer logs -Attach -ErrorAction SilentlyContinue | Out-Null
        Get-BentoContainerLog logs -ErrorAction SilentlyContinue | Should -Be @('line1', 'line2', 'line3', 'line4', 'line5')
        Get-BentoContainerLog logs -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        "$err" | Should -Match 'oops'
        Get-BentoContainerLog logs -Tail 2 2>$null | Should -Be @('line5')
        (Get-BentoContainerLog logs 2>&1 | Select-Object -Last 1).ToString() | Should -Be 'oops'
    }

    It 'prefixes timestamps with -Timestamps' {
        New-BentoContainer -Name ts -Image busybox -Command echo, stamped | Out-Null
        Start-BentoContainer ts -Attach | Out-Null
        Get-BentoContainerLog ts -Timestamps | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z stamped$'
    }

    It 'follows a running container until it exits' {
        New-BentoContainer -Name fol -Image busybox -Command sh, -c, 'for i in 1 2 3; do echo tick$i; sleep 0.3; done' | Start-BentoContainer
        $lines = Get-BentoContainerLog fol -Follow
        $lines | Should -Be @('tick1', 'tick2', 'tick3')
    }

    It 'keeps the log after the container exits and across pwsh sessions' {
        New-BentoContainer -Name durable -Image busybox -Command echo, persisted | Out-Null
        Invoke-InNewPwsh 'Start-BentoContainer durable -Attach | Out-Null'
        Get-BentoContainerLog durable | Should -Be 'persisted'
    }
}
