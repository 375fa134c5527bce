BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BentoUnderTest
}

Describe 'Remove-BentoImage' {
    BeforeEach {
        $script:Store = New-TestStore
        $script:Image = New-BusyboxImage 'busybox:latest'
    }
    AfterEach { Remove-TestStore $script:Store }

    It 'removes an image and frees its layers' {
        Get-BentoImage busybox | Remove-BentoImage
        Get-BentoImage | Should -BeNullOrEmpty
        @(Get-ChildItem (Join-Path $Store 'layers/sha256') -Directory).Count | Should -Be 0
    }

    It 'does nothing with -WhatIf' {
        Remove-BentoImage busybox -WhatIf
        Get-BentoImage busybox | Should -Not -BeNullOrEmpty
    }

    It 'refuses an image a container uses with ImageInUse, unless -Force' {
        New-BentoContainer -Name user1 -Image busybox | Out-Null
        { Remove-BentoImage busybox -ErrorAction Stop } | Should -Throw -ErrorId 'ImageInUse,*'
        Get-BentoImage busybox | Should -Not -BeNullOrEmpty
        Remove-BentoImage busybox -Force
        Get-BentoImage | Should -BeNullOrEmpty
        # The container keeps its layers until it is removed.
        @(Get-ChildItem (Join-Path $Store 'layers/sha256') -Directory).Count | Should -Be 1
        Remove-BentoContainer user1
    }

    It 'reports an unknown image as ImageNotFound' {
        { Remove-BentoImage nosuch -ErrorAction Stop } | Should -Throw -ErrorId 'ImageNotFound,*'
    }
}
