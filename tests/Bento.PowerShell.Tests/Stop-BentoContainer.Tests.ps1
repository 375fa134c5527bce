BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Stop-BentoContainer' {
    AfterEach { Remove-AllContainers }

    It 'stops a process that handles SIGTERM promptly' {
        New-BentoContainer -Name polite -Image busybox -Command sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done' | Start-BentoContainer
        Start-Sleep -Milliseconds 300
        $elapsed = Measure-Command { $c = Stop-BentoContainer polite -PassThru }
        $c.State | Should -Be 'Exited'
        $elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'kills a process that ignores SIGTERM after -Timeout' {
        New-BentoContainer -Name stubborn -Image busybox -Command sh, -c, 'trap "" TERM; while true; do sleep 0.1; done' | Start-BentoContainer
        $elapsed = Measure-Command { Stop-BentoContainer stubborn -Timeout 1 }
        (Get-BentoContainer stubborn).State | Should -Be 'Exited'
        (Get-BentoContainer stubborn).ExitCode | Should -Be 137
        $elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
    }

    It 'kills at once with -Force' {
        New-BentoContainer -Name victim -Image busybox -Command sleep, 60 | Start-BentoContainer
        $elapsed = Measure-Command { Stop-BentoContainer victim -Force }
        (Get-BentoContainer victim).State | Should -Be 'Exited'
        $elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'stops every running container from the pipeline' {
        1..2 | ForEach-Object { New-BentoContainer -Name "many$_" -Image busybox -Command sleep, 60 | Start-BentoContainer }
        Get-BentoContainer -State Running | Stop-BentoContainer -Force
        @(Get-BentoContainer -State Running) | Should -HaveCount 0
    }

    It 'does nothing with -WhatIf' {
        New-BentoContainer -Name spared -Image busybox -Command sleep, 60 | Start-BentoContainer
        Stop-BentoContainer spared -WhatIf
        (Get-BentoContainer spared).State | Should -Be 'Running'
    }
}
