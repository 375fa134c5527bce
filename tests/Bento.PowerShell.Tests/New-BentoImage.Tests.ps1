BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile
}

AfterAll { Remove-TestStore $script:Store }

Describe 'New-BentoImage' {
    It 'makes a one-layer image from a directory with its config' {
        $rootfs = New-BusyboxRootfs
        try {
            $image = New-BentoImage -Name 'made:here' -Path $rootfs -Command '/bin/echo', 'hi' -Entrypoint '/bin/sh', '-c' `
                -Environment @{ GREETING = 'hello' } -WorkingDirectory '/tmp'
        } finally { Remove-Item -Recurse -Force $rootfs }
        $image.Name | Should -Be 'made:here'
        $image.Layers | Should -HaveCount 1
        $image.Cmd | Should -Be @('/bin/echo', 'hi')
        $image.Entrypoint | Should -Be @('/bin/sh', '-c')
        $image.Env | Should -Contain 'GREETING=hello'
        $image.WorkingDir | Should -Be '/tmp'
        $image.Size | Should -BeGreaterThan 500KB
        (Get-BentoImage 'made:here').Id | Should -Be $image.Id
    }

    It 'refuses a directory that does not exist' {
        { New-BentoImage -Name 'bad:one' -Path '/nonexistent/dir' -ErrorAction Stop } | Should -Throw
        Get-BentoImage 'bad:one' -ErrorAction Ignore | Should -BeNullOrEmpty
    }
}
