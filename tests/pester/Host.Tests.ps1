# What a PowerShell host sees of a long transfer, through the SDK's own PowerShell class: the
# progress stream, and Stop() (what Ctrl-C does) in the middle of a download, then the resume.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    $silo = Start-GranaryTestSilo
    $work = New-TestDirectory
    $big = New-RandomFile -Path (Join-Path $work 'big.bin') -Size 64MB -Seed 64
    $bigHash = (& b3sum --no-names -- $big.FullName).Trim()
    $sent = Invoke-GranaryCli send $big.FullName --to $silo.Ticket --token-file $silo.TokenFile
    if ($sent.ExitCode -ne 0) { throw "granary send failed: $($sent.Errors)" }

    # A runspace of its own with the module imported and connected, as a host application has.
    function New-ConnectedShell {
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$($paths.Module)'; Connect-GranaryCluster -TicketFile '$($silo.TicketFile)' -TokenFile '$($silo.TokenFile)'").Invoke()
        $shell.Commands.Clear()
        $shell.Streams.ClearStreams()
        $shell
    }
}

AfterAll {
    $silo | Stop-GranaryTestSilo
    Remove-TestDirectory
}

Describe 'Progress' {
    It 'reports <Direction> of 64 MiB with a percentage and the file in the status, and completes each bar' -ForEach @(
        @{ Direction = 'an upload' }
        @{ Direction = 'a download' }
    ) {
        $shell = New-ConnectedShell
        try {
            $target = Join-Path $work "progress-$([guid]::NewGuid().ToString('n')).bin"
            $code = if ($Direction -eq 'an upload') { "Send-Blob -LiteralPath '$($big.FullName)'" } else { "Get-Blob $bigHash -Destination '$target'" }
            $output = $shell.AddScript($code).Invoke()
            $shell.HadErrors | Should -BeFalse -Because ($shell.Streams.Error -join "`n")
            $output.Count | Should -Be 1

            $records = @($shell.Streams.Progress)
            $records.Count | Should -BeGreaterThan 2
            $named = if ($Direction -eq 'an upload') { $big.FullName } else { $target }
            $working = @($records | Where-Object RecordType -EQ 'Processing')
            $working | Should -Not -BeNullOrEmpty
            $working | ForEach-Object { $_.StatusDescription | Should -BeLike "$named*bytes" }
            $working | Where-Object { $_.PercentComplete -ge 0 -and $_.PercentComplete -lt 100 } | Should -Not -BeNullOrEmpty
            # The last record of every bar closes it, so no bar is left on the screen.
            foreach ($bar in $records | Group-Object ActivityId) {
                $bar.Group[-1].RecordType | Should -Be 'Completed'
            }
            # Nothing arrives once the command has returned.
            Start-Sleep -Milliseconds 500
            $shell.Streams.Progress.Count | Should -Be $records.Count
        }
        finally { $shell.Dispose() }
    }
}

Describe 'Stopping a download (Ctrl-C)' {
    It 'ends promptly, keeps a resumable partial file, leaves nothing running, and the next Get-Blob resumes' {
        $shell = New-ConnectedShell
        $target = Join-Path $work 'stopped.bin'
        $partial = "$target.partial"
        try {
            # Stop once the progress stream says a few percent are in: verified bytes to resume from.
            $null = $shell.AddScript("Get-Blob $bigHash -Destination '$target'")
            $running = $shell.BeginInvoke()
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            while (-not ($shell.Streams.Progress | Where-Object { $_.RecordType -eq 'Processing' -and $_.PercentComplete -ge 5 }) -and -not $running.IsCompleted) {
                if ($clock.Elapsed.TotalSeconds -gt 30) { throw 'the download did not start within 30 s' }
                Start-Sleep -Milliseconds 1
            }
            $running.IsCompleted | Should -BeFalse -Because 'the download must still be running to be stopped (64 MiB finished before the first poll)'

            $stop = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $stop.Stop()
            $stop.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'Ctrl-C must end a transfer promptly'
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $shell.Dispose() }

        Test-Path -LiteralPath $target | Should -BeFalse
        Test-Path -LiteralPath $partial | Should -BeTrue
        # No transfer goes on in the background: the partial file stays as it was left.
        $first = Get-FileHash -LiteralPath $partial
        Start-Sleep -Seconds 1
        (Get-FileHash -LiteralPath $partial).Hash | Should -Be $first.Hash

        Import-Module $paths.Module -Force
        Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile
        $resumed = Get-Blob $bigHash -Destination $target -Verbose 4>&1
        $download = $resumed | Where-Object { $_ -is [Granary.Blobs.Commands.DownloadedBlob] }
        $download.Path | Should -Be $target
        $note = "$($resumed | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Resumed *' })"
        $note | Should -Match 'kept [1-9]\d* verified bytes' -Because 'the second Get-Blob continues from the partial file'
        (& b3sum --no-names -- $target).Trim() | Should -Be $bigHash
        Test-Path -LiteralPath $partial | Should -BeFalse
        Disconnect-GranaryCluster
    }
}
