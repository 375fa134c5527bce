BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile
    $script:Image = New-BusyboxImage
}

AfterAll { Remove-TestStore $script:Store }

Describe 'New-BentoContainer' {
    AfterEach { Remove-AllContainers }

    It 'creates a container in the Created state' {
        $c = New-BentoContainer -Name web -Image busybox -Command 'echo', 'hi'
        $c | Should -BeOfType ([Bento.BentoContainer])
        $c.Name | Should -Be 'web'
        $c.Id | Should -Match '^[0-9a-f]{64}$'
        $c.State | Should -Be 'Created'
        $c.Pid | Should -Be 0
        $c.ExitCode | Should -BeNullOrEmpty
        $c.Image | Should -Match '^busybox'
        $c.ImageId | Should -Be $Image.Id
        $c.Command | Should -Match 'echo hi'
        $c.Hostname | Should -Be 'web'
        $c.Rootless | Should -Be (-not (Test-IsRoot))
    }

    It 'takes positional name, image and command' {
        $c = New-BentoContainer pos busybox echo hello
        $c.Name | Should -Be 'pos'
        $c.Command | Should -Match 'echo hello'
    }

    It 'generates a name when none is given' {
        $c = New-BentoContainer -Image busybox
        $c.Name | Should -Match '^[a-z]+_[a-z]+'
    }

    It 'refuses a taken name with ContainerNameInUse and creates nothing' {
        New-BentoContainer -Name twin -Image busybox | Out-Null
        { New-BentoContainer -Name twin -Image busybox -ErrorAction Stop } | Should -Throw -ErrorId 'ContainerNameInUse,*'
        @(Get-BentoContainer twin*) | Should -HaveCount 1
    }

    It 'refuses an unknown image with ImageNotFound and leaves no container directory' {
        $before = @(Get-ChildItem (Join-Path $Store 'containers') -ErrorAction Ignore).Count
        { New-BentoContainer -Name ghost -Image nosuch:tag -ErrorAction Stop } | Should -Throw -ErrorId 'ImageNotFound,*'
        @(Get-ChildItem (Join-Path $Store 'containers') -ErrorAction Ignore).Count | Should -Be $before
    }

    It 'does nothing with -WhatIf' {
        New-BentoContainer -Name maybe -Image busybox -WhatIf
        Get-BentoContainer maybe -ErrorAction Ignore | Should -BeNullOrEmpty
    }
}
