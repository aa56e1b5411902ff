# The *-BlobTransfer cmdlets and New-BlobTransferGrant inside pwsh, between TWO independent silos:
# two data directories, two tokens, two grant keys, so two clusters as far as the silos know. B holds
# or receives the data (the responder, which issues grants); A opens the channels (the initiator).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    Import-Module $paths.Module -Force
    $a = Start-GranaryTestSilo
    $b = Start-GranaryTestSilo
    $sa = Connect-GranaryCluster -TicketFile $a.TicketFile -TokenFile $a.TokenFile -PassThru
    $sb = Connect-GranaryCluster -TicketFile $b.TicketFile -TokenFile $b.TokenFile -PassThru
    $nodeA = ($a.Ticket -split '[:@]')[1]
    $nodeB = ($b.Ticket -split '[:@]')[1]
    $work = New-TestDirectory

    # A random file of 8 to 24 MiB (the size from the seed too) sent to SESSION; returns the file and its blob.
    function New-TransferBlob ([int] $Seed, [object] $Session) {
        $size = 8MB + [System.Random]::new($Seed).Next(0, 16MB)
        $file = New-RandomFile -Path (Join-Path $work "blob-$Seed.bin") -Size $size -Seed $Seed
        [pscustomobject]@{ File = $file; Blob = (Send-Blob -LiteralPath $file.FullName -Session $Session -ErrorAction Stop) }
    }

    # A grant file B issues for A's silo; returns its path.
    function New-Grant ([string] $Name, [string[]] $Hash, [switch] $Push, [string] $Quota = '1GiB', [string] $For = $a.Ticket) {
        $path = Join-Path $work $Name
        $direction = if ($Push) { @{ Push = $true } } else { @{ Pull = $true } }
        $null = New-BlobTransferGrant @direction -Session $sb -Peer $For -Hash $Hash -Quota $Quota -Path $path -ErrorAction Stop
        $path
    }

    # The SHA-256 of a blob as SESSION returns it, through a file of its own.
    function Get-BlobSha ([string] $Hash, [object] $Session) {
        $out = Join-Path $work ([guid]::NewGuid().ToString('n'))
        $null = Get-Blob $Hash -Destination $out -Session $Session -ErrorAction Stop
        (Get-FileHash -LiteralPath $out -Algorithm SHA256).Hash
    }

    # Polls channel ID on SESSION until CONDITION holds for its report (10 s at most); returns the report.
    function Wait-ChannelState ([string] $Id, [object] $Session, [scriptblock] $Condition) {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while ($true) {
            $report = Get-BlobTransfer -Id $Id -Session $Session -ErrorAction Stop
            if (& $Condition $report) { return $report }
            if ($clock.Elapsed.TotalSeconds -gt 10) { throw "Channel $Id stayed $($report.State.Status) ($($report.State.Message))." }
            Start-Sleep -Milliseconds 100
        }
    }
}

AfterAll {
    foreach ($session in $sa, $sb) { if ($session) { Disconnect-GranaryCluster -Session $session -ErrorAction SilentlyContinue } }
    $a, $b | Stop-GranaryTestSilo
    Remove-TestDirectory
}

Describe 'New-BlobTransferGrant' {
    It 'writes the voucher to a file only its owner can read, or outputs the text' {
        $blob = Send-Blob -InputObject ([byte[]](1..200)) -Session $sb
        $path = Join-Path $work 'owner-only.grant'
        $file = New-BlobTransferGrant -Session $sb -Peer $nodeA -Pull -Hash $blob.Hash -Quota 10MiB -Expires '2h' -Path $path
        $file | Should -BeOfType System.IO.FileInfo
        $file.FullName | Should -Be $path
        (Get-Item -LiteralPath $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Content -LiteralPath $path -Raw).Trim() | Should -Match '^\S+ [A-Za-z0-9+/=]+$'

        $text = $blob | New-BlobTransferGrant -Session $sb -Peer $a.Ticket -Push -Quota 1GB
        $text | Should -BeOfType string
        $text | Should -Match '^\S+ [A-Za-z0-9+/=]+$'
    }

    It 'refuses to overwrite a file without -Force, and replaces it with -Force' {
        $blob = Send-Blob -InputObject ([byte[]](1..100)) -Session $sb
        $path = Join-Path $work 'twice.grant'
        Set-Content -LiteralPath $path -Value 'old'
        $problems = $null
        { New-BlobTransferGrant -Session $sb -Peer $nodeA -Pull -Hash $blob.Hash -Quota 1MiB -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'Granary.LocalFile,Granary.PowerShell.NewBlobTransferGrantCmdlet'
        Get-Content -LiteralPath $path | Should -Be 'old'
        $null = New-BlobTransferGrant -Session $sb -Peer $nodeA -Pull -Hash $blob.Hash -Quota 1MiB -Path $path -Force
        Get-Content -LiteralPath $path | Should -Not -Be 'old'
        (Get-Item -LiteralPath $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'with -WhatIf issues nothing and writes no file' {
        $path = Join-Path $work 'whatif.grant'
        $output = New-BlobTransferGrant -Session $sb -Peer $nodeA -Pull -Hash ('ab' * 32) -Quota 1MiB -Path $path -WhatIf
        $output | Should -BeNullOrEmpty
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'reports a bad quota, peer or hash as an InvalidArgument ErrorRecord' {
        $cases = @(
            @{ Peer = $nodeA; Quota = 'lots'; Hash = 'ab' * 32; Says = '*-Quota*' }
            @{ Peer = 'someone'; Quota = '1MiB'; Hash = 'ab' * 32; Says = '*-Peer*node id*' }
            @{ Peer = $nodeA; Quota = '1MiB'; Hash = 'xyz'; Says = '*xyz*' }
        )
        foreach ($case in $cases) {
            $record = $null
            try { New-BlobTransferGrant -Session $sb -Pull -Peer $case.Peer -Quota $case.Quota -Hash $case.Hash -ErrorAction Stop } catch { $record = $_ }
            $record | Should -BeOfType System.Management.Automation.ErrorRecord
            $record.FullyQualifiedErrorId | Should -Be 'Granary.InvalidArgument,Granary.PowerShell.NewBlobTransferGrantCmdlet'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            "$record" | Should -BeLike $case.Says
        }
    }
}

Describe 'Start-BlobTransfer' {
    It 'pulls a blob into A under a grant B issued for A, with -Wait, byte for byte' {
        $source = New-TransferBlob -Seed 41 -Session $sb
        $grant = New-Grant -Name 'pull.grant' -Hash $source.Blob.Hash
        $report = Start-BlobTransfer -Pull -Hash $source.Blob.Hash -Peer $b.Ticket -Grant $grant -Wait -Session $sa -ErrorAction Stop
        $report | Should -BeOfType Granary.Transfers.Messages.ChannelReport
        @($report).Count | Should -Be 1
        $report.State.Status | Should -Be 'Completed'
        $report.Side | Should -Be 'Initiator'
        $report.IsReceiver | Should -BeTrue
        $report.Terms.Size | Should -Be $source.File.Length
        $report.Moved | Should -Be $source.File.Length
        Get-BlobSha $source.Blob.Hash $sa | Should -Be (Get-FileHash -LiteralPath $source.File.FullName -Algorithm SHA256).Hash
        # B saw the same channel from the responder's side.
        $theirs = Get-BlobTransfer -Id "$nodeA/$($report.State.Id.TransferId)" -Session $sb
        $theirs.Side | Should -Be 'Responder'
        $theirs.State.Status | Should -Be 'Completed'
    }

    It 'pushes a blob from A into B under a grant B issued with -Push' {
        $source = New-TransferBlob -Seed 42 -Session $sa
        $grant = New-Grant -Name 'push.grant' -Hash $source.Blob.Hash -Push
        # The blob object binds -Hash by property name.
        $report = $source.Blob | Start-BlobTransfer -Push -Peer $b.Ticket -Grant $grant -Wait -Session $sa -ErrorAction Stop
        $report.State.Status | Should -Be 'Completed'
        $report.IsReceiver | Should -BeFalse
        $report.Moved | Should -Be $source.File.Length
        Get-BlobSha $source.Blob.Hash $sb | Should -Be (Get-FileHash -LiteralPath $source.File.FullName -Algorithm SHA256).Hash
    }

    It 'pulls with the other cluster''s token instead of a grant (-PeerTokenFile)' {
        $blob = Send-Blob -InputObject ([byte[]](5..250)) -Session $sb
        $report = Start-BlobTransfer -Pull -Hash $blob.Hash -Peer $b.Ticket -PeerTokenFile $b.TokenFile -Wait -Session $sa -ErrorAction Stop
        $report.State.Status | Should -Be 'Completed'
        (Get-Blob $blob.Hash -AsByteArray -Session $sa) | Should -Be ([byte[]](5..250))
    }

    It 'ends Failed, as a non-terminating error naming the node, when the grant is for another node' {
        $blob = Send-Blob -InputObject ([byte[]](9..99)) -Session $sb
        # B's grant names B's own node: A presenting it is refused.
        $grant = New-Grant -Name 'wrong-node.grant' -Hash $blob.Hash -For $nodeB
        $problems = $null
        $report = Start-BlobTransfer -Pull -Hash $blob.Hash -Peer $b.Ticket -Grant $grant -Wait -Session $sa -ErrorVariable problems -ErrorAction SilentlyContinue
        $report.State.Status | Should -Be 'Failed'
        # "The grant is for node B, not A: a grant cannot be used by another node."
        $report.State.Message | Should -Match $nodeB
        $report.State.Message | Should -Match $nodeA
        @($problems).Count | Should -Be 1
        $problems[0] | Should -BeOfType System.Management.Automation.ErrorRecord
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.Refused,Granary.PowerShell.StartBlobTransferCmdlet'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problems[0].TargetObject.State.Status | Should -Be 'Failed'
        "$($problems[0])" | Should -BeLike "*$($report.State.Message)*"
        { Get-BlobInfo $blob.Hash -Session $sa -ErrorAction Stop } | Should -Throw -ErrorId 'Granary.NotFound,*' -Because 'nothing moved'
    }

    It 'pulls only the -CollectionPath entries of a collection, and fails at once naming a path that selects nothing' {
        $tree = Join-Path $work 'tree'
        $null = New-Item -ItemType Directory -Path (Join-Path $tree 'logs'), (Join-Path $tree 'data')
        $wanted = New-RandomFile -Path (Join-Path $tree 'logs/a.txt') -Size 300KB -Seed 51
        $null = New-RandomFile -Path (Join-Path $tree 'data/x.bin') -Size 2MB -Seed 52
        $collection = Send-Blob -Path $tree -Recurse -Session $sb -ErrorAction Stop
        $grant = New-Grant -Name 'tree.grant' -Hash $collection.Hash
        $report = Start-BlobTransfer -Pull -Hash $collection.Hash -CollectionPath 'logs/a.txt' -Peer $b.Ticket -Grant $grant -Wait -Session $sa -ErrorAction Stop
        $report.State.Status | Should -Be 'Completed'
        $report.State.Paths | Should -Be @('logs/a.txt')
        # The collection blob and the one file, nothing of data/.
        $report.Terms.Size | Should -Be ((Get-BlobInfo $collection.Hash -Session $sb).Size + $wanted.Length)
        $report.Moved | Should -Be $report.Terms.Size

        $problems = $null
        $failed = Start-BlobTransfer -Pull -Hash $collection.Hash -CollectionPath 'logs/', 'nope/' -Peer $b.Ticket -Grant $grant -Session $sa -ErrorVariable problems -ErrorAction SilentlyContinue
        $failed.State.Status | Should -Be 'Failed'
        $failed.State.Message | Should -BeLike "*no file 'nope/' or below it*"
        @($problems).Count | Should -Be 1
    }

    It 'warns, without an error, when the other cluster cannot be reached, and keeps the channel for the silo to retry' {
        $blob = Send-Blob -InputObject ([byte[]](7..77)) -Session $sb
        $grant = New-Grant -Name 'unreachable.grant' -Hash $blob.Hash
        $problems = $warned = $null
        # A silo that is gone (not B's node id at a wrong address: A may still hold a connection to B).
        $gone = Start-GranaryTestSilo
        $gone | Stop-GranaryTestSilo
        $report = Start-BlobTransfer -Pull -Hash $blob.Hash -Peer $gone.Ticket -Grant $grant -Session $sa -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems | Should -BeNullOrEmpty
        $report.State.Status | Should -Be 'Requested'
        $report.State.IsDisconnected | Should -BeTrue
        "$warned" | Should -BeLike "Channel $($report.Ref):*could not be reached*keeps trying*"
        (Get-BlobTransfer -Id $report.Ref -Session $sa).State.IsFinal | Should -BeFalse
    }

    It 'with -WhatIf opens no channel' {
        $blob = Send-Blob -InputObject ([byte[]](3..33)) -Session $sb
        $grant = New-Grant -Name 'whatif.grant' -Hash $blob.Hash
        $before = @(Get-BlobTransfer -Session $sa).Count
        Start-BlobTransfer -Pull -Hash $blob.Hash -Peer $b.Ticket -Grant $grant -Session $sa -WhatIf | Should -BeNullOrEmpty
        @(Get-BlobTransfer -Session $sa).Count | Should -Be $before
    }

    It 'stops with an ObjectNotFound ErrorRecord when the grant file is missing' {
        $record = $null
        try { Start-BlobTransfer -Pull -Hash ('ab' * 32) -Peer $b.Ticket -Grant (Join-Path $work 'nothing.grant') -Session $sa -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be 'Granary.NotFound,Granary.PowerShell.StartBlobTransferCmdlet'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$record" | Should -BeLike '*New-BlobTransferGrant*'
    }

    It 'declares -Pull and -Push with -Grant or -PeerTokenFile as four parameter sets' {
        (Get-Command Start-BlobTransfer).ParameterSets.Name | Sort-Object | Should -Be @('PullGrant', 'PullToken', 'PushGrant', 'PushToken')
    }
}

Describe 'Controlling a channel' {
    BeforeAll {
        # A quota far below the blob's size: B pauses the channel at its data limit and waits for a
        # new voucher, so the channel stays open, deterministically, for the commands below.
        $held = New-TransferBlob -Seed 43 -Session $sb
        $grant = New-Grant -Name 'small-quota.grant' -Hash $held.Blob.Hash -Quota 1MiB
        $channel = Start-BlobTransfer -Pull -Hash $held.Blob.Hash -Peer $b.Ticket -Grant $grant -Session $sa -ErrorAction Stop
        $id = "$($channel.Ref)"
        $limited = Wait-ChannelState $id $sa { param($r) $r.State.Status -eq 'ResponderPaused' }
    }

    It 'pauses at the grant''s quota, short of the blob''s size' {
        $limited.Moved | Should -BeLessThan $held.File.Length
        $limited.State.IsFinal | Should -BeFalse
    }

    It 'Get-BlobTransfer lists it on both sides, and -Id takes reports from the pipeline' {
        $ours = @(Get-BlobTransfer -Session $sa)
        "$($ours.Ref)" | Should -Not -BeNullOrEmpty
        @($ours | ForEach-Object { "$($_.Ref)" }) | Should -Contain $id
        $theirs = @(Get-BlobTransfer -Session $sb | Where-Object { $_.State.Id.TransferId -eq $channel.State.Id.TransferId -and $_.State.Id.Initiator -eq $channel.State.Id.Initiator })
        $theirs.Count | Should -Be 1
        "$($theirs[0].Ref)" | Should -Be "$nodeA/$($channel.State.Id.TransferId)"
        ($theirs | Get-BlobTransfer -Session $sb).State.Base | Should -Be $channel.State.Base
        # Several records through one pipeline (one connection for all of them).
        $ours.Count | Should -BeGreaterThan 2
        @($ours | Get-BlobTransfer -Session $sa | ForEach-Object { "$($_.Ref)" }) | Should -Be @($ours | ForEach-Object { "$($_.Ref)" })
    }

    It 'shows in a table that fits 80 columns' {
        $lines = @(Get-BlobTransfer -Id $id -Session $sa | Format-Table | Out-String -Width 80 -Stream | Where-Object { $_ })
        $lines[0] | Should -Match '^Id\s+Side\s+Dir\s+Status\s+Moved\s+Size\s+Base'
        # Sizes in binary units (the report keeps the exact counts): 1 MiB moved under the quota.
        $size = '{0:0.0} MiB' -f ($held.File.Length / 1MB)
        $lines[2] | Should -Match "^$([regex]::Escape($id))\s+Initiator\s+pull\s+ResponderPaused\s+1\.0 MiB\s+$([regex]::Escape($size))\s+$($held.Blob.Hash.Substring(0, 8))"
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 80 }
    }

    It 'Suspend-BlobTransfer with -WhatIf changes nothing' {
        Suspend-BlobTransfer -Id $id -Session $sa -WhatIf | Should -BeNullOrEmpty
        (Get-BlobTransfer -Id $id -Session $sa).State.Status | Should -Be 'ResponderPaused'
    }

    It 'Suspend-BlobTransfer pauses it from this side too, Resume-BlobTransfer lifts that pause' {
        $paused = $channel | Suspend-BlobTransfer -Session $sa
        $paused.State.Status | Should -Be 'BothPaused'
        (Get-BlobTransfer -Id $id -Session $sa).State.Status | Should -Be 'BothPaused'
        $resumed = Resume-BlobTransfer -Id $id -Session $sa
        $resumed.State.Status | Should -Be 'ResponderPaused'
    }

    It 'Stop-BlobTransfer asks first (ConfirmImpact High) and with -WhatIf changes nothing' {
        [Granary.PowerShell.StopBlobTransferCmdlet].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        Stop-BlobTransfer -Id $id -Session $sa -WhatIf | Should -BeNullOrEmpty
        (Get-BlobTransfer -Id $id -Session $sa).State.IsFinal | Should -BeFalse
    }

    It 'Stop-BlobTransfer -Confirm:$false cancels it on both sides' {
        $stopped = Get-BlobTransfer -Id $id -Session $sa | Stop-BlobTransfer -Session $sa -Confirm:$false
        $stopped.State.Status | Should -BeIn 'Cancelling', 'Cancelled'
        $final = Wait-ChannelState $id $sa { param($r) $r.State.IsFinal }
        $final.State.Status | Should -Be 'Cancelled'
        (Wait-ChannelState "$nodeA/$($channel.State.Id.TransferId)" $sb { param($r) $r.State.IsFinal }).State.Status | Should -Be 'Cancelled'
    }

    It 'Wait-BlobTransfer returns a cancelled channel''s report with a non-terminating OperationStopped error' {
        $problems = $null
        $report = Wait-BlobTransfer -Id $id -Session $sa -ErrorVariable problems -ErrorAction SilentlyContinue
        $report.State.Status | Should -Be 'Cancelled'
        @($problems).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.Cancelled,Granary.PowerShell.WaitBlobTransferCmdlet'
        $problems[0].CategoryInfo.Category | Should -Be 'OperationStopped'
    }

    It 'a command that does not apply now is a non-terminating error, and the next id still runs' {
        $problems = $null
        $out = @(Resume-BlobTransfer -Id $id, '999999' -Session $sa -ErrorVariable problems -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 0
        @($problems).Count | Should -Be 2
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.InvalidRequest,Granary.PowerShell.ResumeBlobTransferCmdlet'
        $problems[0].TargetObject | Should -Be $id
        $problems[1].FullyQualifiedErrorId | Should -Be 'Granary.NotFound,Granary.PowerShell.ResumeBlobTransferCmdlet'
    }
}

Describe 'Send-BlobTransferVoucher' {
    It 'renews a channel paused at its quota with a new grant, and it completes byte for byte' {
        $source = New-TransferBlob -Seed 46 -Session $sb
        $grant = New-Grant -Name 'renew-small.grant' -Hash $source.Blob.Hash -Quota 2MiB
        $channel = Start-BlobTransfer -Pull -Hash $source.Blob.Hash -Peer $b.Ticket -Grant $grant -Session $sa -ErrorAction Stop
        $null = Wait-ChannelState "$($channel.Ref)" $sa { param($r) $r.State.Status -eq 'ResponderPaused' }
        $more = New-Grant -Name 'renew-big.grant' -Hash $source.Blob.Hash -Quota 1GiB

        Send-BlobTransferVoucher -Id $channel.Ref -Grant $more -Session $sa -WhatIf | Should -BeNullOrEmpty
        (Get-BlobTransfer -Id $channel.Ref -Session $sa).State.Status | Should -Be 'ResponderPaused'

        $renewed = $channel | Send-BlobTransferVoucher -Grant $more -Session $sa -ErrorAction Stop
        $renewed.State.Status | Should -Not -Be 'Failed'
        $final = Wait-BlobTransfer -Id $channel.Ref -Session $sa -ErrorAction Stop
        $final.State.Status | Should -Be 'Completed'
        $final.Moved | Should -Be $source.File.Length
        Get-BlobSha $source.Blob.Hash $sa | Should -Be (Get-FileHash -LiteralPath $source.File.FullName -Algorithm SHA256).Hash
    }
}

Describe 'Pausing a running pull and resuming it' {
    It 'Suspend-BlobTransfer stops the bytes, Resume-BlobTransfer goes on, Wait-BlobTransfer sees it complete' {
        # 64 MiB: long enough on loopback for the pause to land mid-flight most of the time; if the
        # pull wins the race the pause is refused (the channel is final), and the test says so.
        $file = New-RandomFile -Path (Join-Path $work 'big.bin') -Size 64MB -Seed 44
        $blob = Send-Blob -LiteralPath $file.FullName -Session $sb
        $grant = New-Grant -Name 'big.grant' -Hash $blob.Hash
        $channel = Start-BlobTransfer -Pull -Hash $blob.Hash -Peer $b.Ticket -Grant $grant -Session $sa -ErrorAction Stop
        $paused = Suspend-BlobTransfer -Id $channel.Ref -Session $sa -ErrorAction Stop
        $paused.State.Status | Should -Be 'InitiatorPaused'
        Start-Sleep -Milliseconds 500
        $still = (Get-BlobTransfer -Id $channel.Ref -Session $sa).Moved
        Start-Sleep -Milliseconds 700
        (Get-BlobTransfer -Id $channel.Ref -Session $sa).Moved | Should -Be $still -Because 'no bytes move while it is paused'
        $still | Should -BeLessThan $file.Length
        (Resume-BlobTransfer -Id $channel.Ref -Session $sa).State.Status | Should -Not -Be 'InitiatorPaused'
        $final = Wait-BlobTransfer -Id $channel.Ref -Session $sa -ErrorAction Stop
        $final.State.Status | Should -Be 'Completed'
        $final.Moved | Should -Be $file.Length
        Get-BlobSha $blob.Hash $sa | Should -Be (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash
    }
}

Describe 'Progress of -Wait' {
    It 'Start-BlobTransfer -Wait reports the channel''s bytes with a percentage and closes its bar' {
        # A runspace of its own, as a host application has: its progress stream can be read.
        $source = New-TransferBlob -Seed 45 -Session $sb
        $grant = New-Grant -Name 'progress.grant' -Hash $source.Blob.Hash
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript('param($Module, $Hash, $Peer, $Grant, $Session) Import-Module $Module; Start-BlobTransfer -Pull -Hash $Hash -Peer $Peer -Grant $Grant -Session $Session -Wait').
                AddParameters(@{ Module = $paths.Module; Hash = $source.Blob.Hash; Peer = $b.Ticket; Grant = $grant; Session = $sa })
            $output = $shell.Invoke()
            $shell.HadErrors | Should -BeFalse -Because ($shell.Streams.Error -join "`n")
            $output.Count | Should -Be 1
            $output[0].State.Status | Should -Be 'Completed'
            $records = @($shell.Streams.Progress)
            $records | Should -Not -BeNullOrEmpty
            $records | ForEach-Object { $_.Activity | Should -BeLike "Transfer channel $($output[0].Ref)*" }
            @($records | Where-Object RecordType -EQ 'Processing') | ForEach-Object { $_.StatusDescription | Should -BeLike "$($source.Blob.Hash)*bytes" }
            $records | Where-Object { $_.RecordType -eq 'Processing' -and $_.PercentComplete -ge 0 } | Should -Not -BeNullOrEmpty
            $records[-1].RecordType | Should -Be 'Completed'
        }
        finally { $shell.Dispose() }
    }
}

Describe 'Get-BlobTransfer' {
    It 'reports an unknown channel as an ObjectNotFound ErrorRecord naming it' {
        $problems = $null
        Get-BlobTransfer -Id 987654 -Session $sa -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.NotFound,Granary.PowerShell.GetBlobTransferCmdlet'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be '987654'
        "$($problems[0])" | Should -BeLike '*987654*'
    }

    It 'refuses text that names no channel as InvalidArgument' {
        $problems = $null
        Get-BlobTransfer -Id 'not-a-channel' -Session $sa -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.InvalidArgument,Granary.PowerShell.GetBlobTransferCmdlet'
    }

    It 'needs a session' {
        { Get-BlobTransfer -Session $null -ErrorAction Stop } | Should -Not -Throw -Because 'the default session (B, connected last) is used'
        $closed = Connect-GranaryCluster -TicketFile $b.TicketFile -TokenFile $b.TokenFile -PassThru
        Disconnect-GranaryCluster -Session $closed
        { Get-BlobTransfer -Session $closed -ErrorAction Stop } | Should -Throw -ErrorId 'Granary.SessionClosed,Granary.PowerShell.GetBlobTransferCmdlet'
    }
}
