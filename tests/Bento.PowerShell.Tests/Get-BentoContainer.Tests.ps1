BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Get-BentoContainer' {
    AfterEach { Remove-AllContainers }

    It 'filters by wildcard name and by -State' {
        New-BentoContainer -Name web-1 -Image busybox -Command sleep, 30 | Start-BentoContainer
        New-BentoContainer -Name web-2 -Image busybox -Command true | Out-Null
        New-BentoContainer -Name db -Image busybox | Out-Null
        (Get-BentoContainer 'web-*').Name | Sort-Object | Should -Be @('web-1', 'web-2')
        (Get-BentoContainer -State Running).Name | Should -Be 'web-1'
        (Get-BentoContainer -State Created).Name | Sort-Object | Should -Be @('db', 'web-2')
    }

    It 'finds by id prefix' {
        $c = New-BentoContainer -Name byid -Image busybox
        (Get-BentoContainer -Id $c.Id.Substring(0, 12)).Name | Should -Be 'byid'
    }

    It 'reports ContainerNotFound for an unknown name but not for an unmatched wildcard' {
        { Get-BentoContainer nosuch -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,*'
        Get-BentoContainer 'nosuch*' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'sees a container started by another pwsh as Running after that pwsh has exited, and its exit code later' {
        Invoke-InNewPwsh "New-BentoContainer -Name other -Image busybox -Command sh, -c, 'sleep 2; exit 7' | Start-BentoContainer"
        $c = Get-BentoContainer other
        $c.State | Should -Be 'Running'
        $done = Wait-BentoContainer other -Timeout 20
        $done.State | Should -Be 'Exited'
        $done.ExitCode | Should -Be 7
        $done.FinishedAt | Should -Not -BeNullOrEmpty
    }

    It 'reads a container whose monitor was killed as Exited, never a stale Running' {
        New-BentoContainer -Name orphan -Image busybox -Command sleep, 60 | Start-BentoContainer
        $pid1 = (Get-BentoContainer orphan).Pid
        $shim = Get-Process | Where-Object { $_.ProcessName -like 'bento-shim*' -and $_.CommandLine -match (Get-BentoContainer orphan).Id }
        $shim | Should -Not -BeNullOrEmpty
        $shim | ForEach-Object { & kill -KILL $_.Id }
        Start-Sleep -Milliseconds 300
        (Get-BentoContainer orphan).State | Should -Be 'Exited'
        # Nothing of it keeps running.
        $deadline = (Get-Date).AddSeconds(5)
        while ((Test-Path "/proc/$pid1") -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Test-Path "/proc/$pid1" | Should -BeFalse
    }

    It 'tab-completes container names' {
        New-BentoContainer -Name complete-me -Image busybox | Out-Null
        $line = 'Start-BentoContainer compl'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'complete-me'
    }

    It 'has a docker ps like table view within 80 columns' {
        New-BentoContainer -Name shown -Image busybox -Command true | Out-Null
        Start-BentoContainer shown -Attach | Out-Null
        $lines = Get-BentoContainer | Format-Table | Out-String -Width 200 -Stream | Where-Object { $_.Trim() }
        $lines[0] | Should -Match '^Name\s+State\s+Image\s+Command\s+Status'
        ($lines -join "`n") | Should -Match 'Exited \(0\) .*ago'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}
