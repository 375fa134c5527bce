BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BentoUnderTest
    $script:Fixtures = New-ImageFixtures
}

AfterAll {
    Remove-Item -Recurse -Force $script:Fixtures.Directory -ErrorAction Ignore
}

Describe 'Import-BentoImage' {
    BeforeEach { $script:Store = New-TestStore }
    AfterEach { Remove-TestStore $script:Store }

    It 'imports a docker-save archive written by skopeo' {
        $image = Import-BentoImage -Path $Fixtures.DockerArchive
        $image | Should -HaveCount 1
        $image.PSObject.TypeNames | Should -Contain 'Bento.BentoImage'
        $image.Name | Should -Be 'fixture/busybox:docker'
        $image.Id | Should -Match '^sha256:[0-9a-f]{64}$'
        $image.Layers.Count | Should -BeGreaterThan 0
        $image.Cmd | Should -Be @('/bin/sh')
        $image.Os | Should -Be 'linux'
    }

    It 'imports an OCI archive and an OCI layout directory' {
        (Import-BentoImage -Path $Fixtures.OciArchive).Name | Should -Be 'fixture/busybox:oci'
        $fromLayout = Import-BentoImage -Path $Fixtures.OciLayout -Name 'layout/busybox:dir'
        $fromLayout.Name | Should -Be 'layout/busybox:dir'
        (Get-BentoImage).Count | Should -Be 2
    }

    It 'stores shared layers once when the same image is imported twice' {
        $first = Import-BentoImage -Path $Fixtures.DockerArchive
        $second = Import-BentoImage -Path $Fixtures.OciArchive
        $second.Layers | Should -Be $first.Layers
        (Get-ChildItem (Join-Path $Store 'layers/sha256') -Directory).Count | Should -Be $first.Layers.Count
    }

    It 'takes archives from Get-ChildItem on the pipeline' {
        $images = Get-ChildItem (Join-Path $Fixtures.Directory '*.tar') | Import-BentoImage
        $images | Should -HaveCount 2
    }

    It 're-tags with -Name' {
        (Import-BentoImage $Fixtures.DockerArchive -Name 'mine:v1').Name | Should -Be 'mine:v1'
        Get-BentoImage 'mine:v1' | Should -Not -BeNullOrEmpty
    }

    It 'refuses a file that is not an image with InvalidImage and leaves nothing behind' {
        $bogus = Join-Path $Fixtures.Directory 'not-an-image.tar'
        Set-Content $bogus ('x' * 5000)
        { Import-BentoImage $bogus -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidImage,*'
        Get-BentoImage | Should -BeNullOrEmpty
        @(Get-ChildItem (Join-Path $Store 'layers/sha256') -ErrorAction Ignore).Count | Should -Be 0
    }

    It 'refuses a truncated archive with InvalidImage' {
        $truncated = Join-Path $Fixtures.Directory 'truncated.bin'
        Copy-Item $Fixtures.DockerArchive $truncated
        $stream = [IO.File]::Open($truncated, 'Open', 'ReadWrite')
        try { $stream.SetLength([long]($stream.Length / 2)) } finally { $stream.Dispose() }
        { Import-BentoImage $truncated -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidImage,*'
        Get-BentoImage | Should -BeNullOrEmpty
    }

    It 'reports a missing path as a non-terminating error' {
        Import-BentoImage (Join-Path $Fixtures.Directory 'absent.tar') -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -Not -BeNullOrEmpty
    }
}
