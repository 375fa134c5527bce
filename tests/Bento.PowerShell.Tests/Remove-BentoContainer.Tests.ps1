BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Remove-BentoContainer' {
    It 'removes a stopped container and its directory' {
        $c = New-BentoContainer -Name gone -Image busybox -Command true
        Start-BentoContainer gone -Attach | Out-Null
        Remove-BentoContainer gone
        Get-BentoContainer gone -ErrorAction Ignore | Should -BeNullOrEmpty
        Test-Path (Join-Path $Store "containers/$($c.Id)") | Should -BeFalse
    }

    It 'refuses a running container without -Force, and removes it with -Force leaving no mount or process' {
        $c = New-BentoContainer -Name busy -Image busybox -Command sleep, 60 | Start-BentoContainer -PassThru
        { Remove-BentoContainer busy -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidContainerState,*'
        (Get-BentoContainer busy).State | Should -Be 'Running'
        Remove-BentoContainer busy -Force
        Get-BentoContainer busy -ErrorAction Ignore | Should -BeNullOrEmpty
        Start-Sleep -Milliseconds 200
        Test-Path "/proc/$($c.Pid)" | Should -BeFalse
        # The overlay lived only in the container's mount namespace: nothing of it or of the store is mounted here.
        (Get-HostMounts) -match $c.Id | Should -BeNullOrEmpty
        (Get-HostMounts) -match [regex]::Escape($Store) | Should -BeNullOrEmpty
    }

    It 'does nothing with -WhatIf' {
        New-BentoContainer -Name kept -Image busybox | Out-Null
        Remove-BentoContainer kept -WhatIf
        Get-BentoContainer kept | Should -Not -BeNullOrEmpty
        Remove-BentoContainer kept
    }

    It 'removes everything from the pipeline with -Force' {
        New-BentoContainer -Name a1 -Image busybox -Command sleep, 60 | Start-BentoContainer
        New-BentoContainer -Name a2 -Image busybox | Out-Null
        Get-BentoContainer | Remove-BentoContainer -Force
        Get-BentoContainer | Should -BeNullOrEmpty
    }

    It 'reports an unknown container as ContainerNotFound' {
        { Remove-BentoContainer nosuch -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNotFound,*'
    }
}
