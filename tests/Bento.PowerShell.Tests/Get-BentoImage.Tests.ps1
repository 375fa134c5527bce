BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile
    $script:Busybox = New-BusyboxImage 'busybox:latest'
    New-BusyboxImage 'tools/busybox:1.0' | Out-Null
}

AfterAll { Remove-TestStore $script:Store }

Describe 'Get-BentoImage' {
    It 'lists every image as Bento.BentoImage objects' {
        $all = Get-BentoImage
        $all | Should -HaveCount 2
        $all | ForEach-Object { $_ | Should -BeOfType ([Bento.BentoImage]) }
    }

    It 'finds by name, with :latest implied, and by wildcard' {
        (Get-BentoImage busybox).Name | Should -Be 'busybox:latest'
        (Get-BentoImage 'tools/*').Name | Should -Be 'tools/busybox:1.0'
        (Get-BentoImage '*busybox*') | Should -HaveCount 2
    }

    It 'finds by id and by id prefix' {
        (Get-BentoImage -Id $Busybox.Id)[0].Id | Should -Be $Busybox.Id
        (Get-BentoImage -Id $Busybox.Id.Substring(7, 12))[0].Id | Should -Be $Busybox.Id
    }

    It 'reports an unknown name as ImageNotFound, but not an unmatched wildcard' {
        { Get-BentoImage nosuch -ErrorAction Stop } | Should -Throw -ErrorId 'ImageNotFound,*'
        Get-BentoImage 'nosuch*' -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'tab-completes image names for New-BentoContainer -Image' {
        $line = 'New-BentoContainer -Name x -Image tools/'
        $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $result.CompletionMatches.CompletionText | Should -Contain 'tools/busybox:1.0'
    }

    It 'has a default table view that fits 80 columns' {
        $lines = Get-BentoImage | Format-Table | Out-String -Width 200 -Stream | Where-Object { $_.Trim() }
        $lines[0] | Should -Match 'Name\s+Id\s+Size\s+Created'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}
