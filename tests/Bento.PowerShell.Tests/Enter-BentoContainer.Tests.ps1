# Driven through tmux: a real terminal whose size we set and whose screen we read.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Store = Initialize-TestFile -WithBusybox
    New-BentoContainer -Name term -Image busybox -Command sleep, 300 | Start-BentoContainer
    $script:Work = New-TempDirectory 'bento-tmux'
    $script:Socket = "bento-$PID"
    $script:Session = 'enter'
    $pwsh = [System.Reflection.Assembly]::GetEntryAssembly().Location
    $module = Join-Path (Get-Module Bento).ModuleBase 'Bento.psd1'
    & tmux -L $Socket new-session -d -s $Session -x 100 -y 30 "env TERM=xterm BENTO_ROOT='$Store' dotnet '$pwsh' -NoProfile -NoLogo"
    if ($LASTEXITCODE -ne 0) { throw 'tmux did not start' }

    function script:Send([string]$Keys, [switch]$Literal) {
        if ($Literal) { & tmux -L $Socket send-keys -t $Session -l $Keys } else { & tmux -L $Socket send-keys -t $Session $Keys }
    }
    function script:Screen { (& tmux -L $Socket capture-pane -p -t $Session) -join "`n" }
    function script:Wait-Screen([string]$Pattern, [int]$Seconds = 20) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        while ((Get-Date) -lt $deadline) {
            $text = Screen
            if ($text -match $Pattern) { return $text }
            Start-Sleep -Milliseconds 100
        }
        throw "Timed out waiting for /$Pattern/ on the screen:`n$(Screen)"
    }
    function script:Run([string]$Line) { Send $Line -Literal; Send 'Enter' }

    Wait-Screen 'PS .*>' 60 | Out-Null
    Run "Import-Module '$module'; 'module-ready'"
    Wait-Screen 'module-ready\s*\n.*PS .*>' | Out-Null
    Run "stty -a > '$Work/before.txt'; 'saved-before'"
    Wait-Screen 'saved-before\s*\n.*PS .*>' | Out-Null
}

AfterAll {
    & tmux -L $script:Socket kill-server 2>$null
    Remove-Item -Recurse -Force $script:Work -ErrorAction Ignore
    Remove-TestStore $script:Store
}

Describe 'Enter-BentoContainer' {
    It 'gives the shell a PTY of the pane''s size, follows a resize, and restores the terminal on exit' {
        Run 'Enter-BentoContainer term'
        Wait-Screen '(?m)^/ #' | Out-Null
        Run 'tty; stty size'
        Wait-Screen '/dev/pts/\d+\s*\n30 100' | Out-Null

        & tmux -L $Socket resize-window -t $Session -x 120 -y 40
        Start-Sleep -Milliseconds 300
        Run 'clear; stty size'
        Wait-Screen '(?m)^40 120' | Out-Null

        Run 'hostname'
        Wait-Screen '(?m)^term\s*$' | Out-Null

        Run 'exit 7'
        Wait-Screen 'PS .*>' | Out-Null
        Run "`$LASTEXITCODE; stty -a > '$Work/after.txt'; 'saved-after'"
        Wait-Screen 'saved-after\s*\n.*PS .*>' | Out-Null
        Screen | Should -Match '(?m)^7\s*$'
        # The window size legitimately changed; every other setting must be as it was.
        $before = (Get-Content "$Work/before.txt") -replace 'rows \d+; columns \d+;', ''
        $after = (Get-Content "$Work/after.txt") -replace 'rows \d+; columns \d+;', ''
        $after | Should -Be $before
    }

    It 'delivers Ctrl+C to the container''s shell, not to pwsh' {
        Run 'Enter-BentoContainer term'
        Wait-Screen '(?m)^/ #' | Out-Null
        Run 'clear; sleep 100'
        Start-Sleep -Milliseconds 500
        Send 'C-c'
        Run 'echo still-$((20+22))-inside'
        Wait-Screen 'still-42-inside' | Out-Null
        Run 'exit'
        Wait-Screen 'PS .*>' | Out-Null
        (Get-BentoContainer term).State | Should -Be 'Running'
    }
}

Describe 'Start-BentoContainer -Attach on a -Tty container' {
    It 'connects the terminal to the container''s shell, which answers keystrokes, and Ctrl+P Ctrl+Q detaches' {
        New-BentoContainer -Name ttybox -Image busybox -Tty -Command /bin/sh | Out-Null
        Run 'clear; Start-BentoContainer ttybox -Attach'
        Start-Sleep -Milliseconds 500
        Run 'echo answer-$((6*7)); tty'
        Wait-Screen 'answer-42\s*\n/dev/pts/\d+' | Out-Null
        Send 'C-p'; Send 'C-q'
        Run "'back-in-pwsh'"
        Wait-Screen '(?m)^back-in-pwsh' | Out-Null
        (Get-BentoContainer ttybox).State | Should -Be 'Running'
        (Get-BentoContainer ttybox).Tty | Should -BeTrue
        Remove-BentoContainer ttybox -Force
    }
}
