# Every cmdlet and parameter set, inside pwsh, against a real silo process (a silo alone): the
# pipeline, paths, the PowerShell contract (-WhatIf, -Confirm, ErrorRecords), completion and views.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    Import-Module $paths.Module -Force
    $silo = Start-GranaryTestSilo
    Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile
    $work = New-TestDirectory
    $null = Get-Command b3sum -ErrorAction Stop

    # b3sum is the independent oracle for every hash.
    function Get-B3 ([string] $Path) { (& b3sum --no-names -- $Path).Trim() }

    # A fresh pwsh with the module imported and connected to the test silo, then SCRIPT.
    function Invoke-Connected ([string] $Script) {
        Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Continue'
Import-Module '$($paths.Module)'
Connect-GranaryCluster -TicketFile '$($silo.TicketFile)' -TokenFile '$($silo.TokenFile)'
$Script
"@
    }
}

AfterAll {
    Disconnect-GranaryCluster -ErrorAction SilentlyContinue
    $silo | Stop-GranaryTestSilo
    Remove-TestDirectory
}

Describe 'Send-Blob' {
    It 'takes Get-ChildItem output through PSPath and names each file by its BLAKE3 hash' {
        $dir = Join-Path $work 'pipeline'
        $null = New-Item -ItemType Directory $dir
        $names = 'plain.bin', 'with space.bin', 'brackets[1].bin'
        $seed = 10
        foreach ($name in $names) { $null = New-RandomFile -Path (Join-Path $dir $name) -Size (1000 * $seed) -Seed $seed; $seed++ }

        $blobs = @(Get-ChildItem -LiteralPath $dir -File | Send-Blob)

        $blobs.Count | Should -Be 3
        foreach ($blob in $blobs) {
            $blob | Should -BeOfType Granary.Blobs.Commands.BlobItem
            $blob.Hash | Should -Be (Get-B3 $blob.Path)
            $blob.Ticket | Should -BeLike "granary:*@127.0.0.1:*/$($blob.Hash)"
            $blob.Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(6))
        }
        @($blobs.Path | ForEach-Object { Split-Path -Leaf $_ } | Sort-Object) | Should -Be @($names | Sort-Object)
    }

    It 'expands wildcards in -Path and takes -LiteralPath as written' {
        $dir = Join-Path $work 'wildcards'
        $null = New-Item -ItemType Directory $dir
        foreach ($name in 'a1.txt', 'a2.txt', 'b.txt', 'c[1].txt') { Set-Content -LiteralPath (Join-Path $dir $name) -Value $name -NoNewline }

        @(Send-Blob -Path (Join-Path $dir 'a*.txt')).Path | ForEach-Object { Split-Path -Leaf $_ } | Sort-Object | Should -Be @('a1.txt', 'a2.txt')
        (Send-Blob -LiteralPath (Join-Path $dir 'c[1].txt')).Hash | Should -Be (Get-B3 (Join-Path $dir 'c[1].txt'))

        # As a -Path, [1] is a wildcard class: it means c1.txt, which does not exist.
        $out = Send-Blob -Path (Join-Path $dir 'c[1].txt') -ErrorAction SilentlyContinue -ErrorVariable problems
        $out | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'uploads byte arrays and streams through -InputObject' {
        $bytes = [byte[]]::new(70000)
        [System.Random]::new(7).NextBytes($bytes)
        $file = Join-Path $work 'input-object.bin'
        [System.IO.File]::WriteAllBytes($file, $bytes)
        $expected = Get-B3 $file

        (Send-Blob -InputObject $bytes).Hash | Should -Be $expected
        (Send-Blob -InputObject ([System.IO.MemoryStream]::new($bytes))).Hash | Should -Be $expected
        $stream = [System.IO.File]::OpenRead($file)
        try { (Send-Blob -InputObject $stream).Hash | Should -Be $expected } finally { $stream.Dispose() }
        { Send-Blob -InputObject 'text' } | Should -Throw -ErrorId 'Granary.InvalidInputObject,Granary.PowerShell.SendBlobCmdlet'
    }

    It 'uploads a directory as one collection with -Recurse, and Get-Blob writes the tree back' {
        $tree = Join-Path $work 'tree'
        $null = New-Item -ItemType Directory (Join-Path $tree 'sub/deeper'), (Join-Path $tree 'empty')
        $null = New-RandomFile -Path (Join-Path $tree 'top.bin') -Size 50000 -Seed 1
        $null = New-RandomFile -Path (Join-Path $tree 'sub/deeper/inner [x].bin') -Size 20000 -Seed 2
        Set-Content -LiteralPath (Join-Path $tree 'sub/note.txt') -Value 'hello'

        $collection = Send-Blob -Path $tree -Recurse
        $collection.IsCollection | Should -BeTrue
        $copy = Join-Path $work 'tree-copy'
        $download = Get-Blob $collection.Hash -Destination $copy

        $download.Path | Should -Be $copy
        foreach ($file in Get-ChildItem -LiteralPath $tree -File -Recurse) {
            $relative = [System.IO.Path]::GetRelativePath($tree, $file.FullName)
            Get-B3 (Join-Path $copy $relative) | Should -Be (Get-B3 $file.FullName) -Because $relative
        }
        Test-Path -LiteralPath (Join-Path $copy 'empty') -PathType Container | Should -BeTrue
    }

    It 'refuses a directory without -Recurse, names it, and carries on with the other inputs' {
        $dir = Join-Path $work 'not-recursed'
        $null = New-Item -ItemType Directory $dir
        $file = Join-Path $work 'after-dir.txt'
        Set-Content -LiteralPath $file -Value 'x'

        $out = Send-Blob -LiteralPath $dir, $file -ErrorAction SilentlyContinue -ErrorVariable problems

        @($out).Count | Should -Be 1
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.InvalidArgument,Granary.PowerShell.SendBlobCmdlet'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].TargetObject | Should -Be $dir
        $problems[0].Exception.Message | Should -BeLike '*-Recurse*'
    }

    It '-Ttl refuses a bare number (PowerShell would make 30 or 30d thirty ticks) and takes units and TimeSpans' {
        $file = New-RandomFile -Path (Join-Path $work 'ttl.bin') -Size 100 -Seed 5
        foreach ($bare in { Send-Blob -LiteralPath $file.FullName -Ttl 30 }, { Send-Blob -LiteralPath $file.FullName -Ttl 30d }) {
            $thrown = $bare | Should -Throw -PassThru
            $thrown.Exception.Message | Should -BeLike "*-Ttl 30 has no unit*'30d'*"
        }
        { Update-BlobExpiry ('ab' * 32) -Ttl 0.5 } | Should -Throw '*has no unit*'
        { Send-Blob -LiteralPath $file.FullName -Ttl '0s' } | Should -Throw '*out of range*'

        (Send-Blob -LiteralPath $file.FullName -Ttl '30d').Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(29))
        (Send-Blob -LiteralPath $file.FullName -Ttl '40.00:00:00').Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(39))
        (Send-Blob -LiteralPath $file.FullName -Ttl (New-TimeSpan -Days 50)).Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(49))
    }

    It 'stops reading an endless -InputObject stream at 64 MiB with an error that says to use -Path' {
        $endless = [System.IO.File]::OpenRead('/dev/zero')
        try {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $thrown = { Send-Blob -InputObject $endless } | Should -Throw -PassThru
            $thrown.Exception.Message | Should -BeLike '*more than 64 MiB*-Path*'
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        }
        finally { $endless.Dispose() }
        $closed = [System.IO.MemoryStream]::new([byte[]](1, 2))
        $closed.Dispose()
        { Send-Blob -InputObject $closed } | Should -Throw '*cannot be read*'
    }

    It 'checks tags before sending anything' {
        { Send-Blob -InputObject ([byte[]](1)) -Tag @{ k = ('v' * 300) } } | Should -Throw "Tag 'k' is not acceptable*values at most 256*"
        { Send-Blob -InputObject ([byte[]](1)) -Tag @{ 'a=b' = 'v' } } | Should -Throw "Tag 'a=b' is not acceptable*"
    }

    It '-PassThru outputs the input files with BlobHash and BlobTicket' {
        $file = New-RandomFile -Path (Join-Path $work 'passthru.bin') -Size 1234 -Seed 3
        $out = $file | Send-Blob -PassThru
        $out | Should -BeOfType System.IO.FileInfo
        $out.BlobHash | Should -Be (Get-B3 $file.FullName)
        $out.BlobTicket | Should -BeLike "*/$($out.BlobHash)"
    }

    It '-WhatIf uploads nothing and prints "What if:" lines' {
        $file = New-RandomFile -Path (Join-Path $work 'whatif.bin') -Size 4321 -Seed 4
        $hash = Get-B3 $file.FullName

        $run = Invoke-Connected "Send-Blob -LiteralPath '$($file.FullName)' -WhatIf"

        $run.Output -join "`n" | Should -BeLike "*What if: Performing the operation `"Upload file`" on target `"$($file.FullName)`"*"
        Get-BlobInfo $hash -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Get-Blob' {
    BeforeAll {
        $source = New-RandomFile -Path (Join-Path $work 'source.bin') -Size 300000 -Seed 20
        $blob = Send-Blob -LiteralPath $source.FullName
        $sourceBytes = [System.IO.File]::ReadAllBytes($source.FullName)
    }

    It 'downloads by hash, by ticket and by a piped blob object, each verified' {
        $byHash = Get-Blob $blob.Hash -Destination (Join-Path $work 'by-hash.bin')
        $byTicket = Get-Blob -Ticket $blob.Ticket -Destination (Join-Path $work 'by-ticket.bin')
        $intoFolder = Join-Path $work 'into'
        $null = New-Item -ItemType Directory $intoFolder
        $byObject = $blob | Get-Blob -Destination $intoFolder

        foreach ($download in $byHash, $byTicket, $byObject) {
            $download | Should -BeOfType Granary.Blobs.Commands.DownloadedBlob
            Get-B3 $download.Path | Should -Be $blob.Hash
            $download.Size | Should -Be 300000
        }
        $byObject.Path | Should -Be (Join-Path $intoFolder $blob.Hash)
    }

    It 'reads a range, and the whole blob, as one byte array' {
        $range = Get-Blob $blob.Hash -Range 1000, 5000 -AsByteArray
        $range.GetType() | Should -Be ([byte[]])
        $range.Length | Should -Be 4000
        [Convert]::ToHexString($range) | Should -Be ([Convert]::ToHexString($sourceBytes, 1000, 4000))

        $whole = @(Get-Blob $blob.Hash -AsByteArray)
        $whole.Count | Should -Be 1
        [Convert]::ToHexString($whole[0]) | Should -Be ([Convert]::ToHexString($sourceBytes))
    }

    It 'never replaces an existing file without -Force' {
        $target = Join-Path $work 'existing.bin'
        Set-Content -LiteralPath $target -Value 'keep me' -NoNewline

        Get-Blob $blob.Hash -Destination $target -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        Get-Content -LiteralPath $target -Raw | Should -Be 'keep me'
        $problems[0].Exception.Message | Should -BeLike '*-Force*'

        $null = Get-Blob $blob.Hash -Destination $target -Force
        Get-B3 $target | Should -Be $blob.Hash
    }

    It 'says a destination folder does not exist instead of failing on a .partial file' {
        $missing = Join-Path $work 'no-such-folder'
        Get-Blob $blob.Hash -Destination "$missing/" -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        $problems[0].Exception.Message | Should -BeLike "There is no folder '$missing/': create it first*"
        Get-Blob $blob.Hash -Destination "$missing/copy.bin" -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        $problems[0].Exception.Message | Should -BeLike "The folder '$missing' that * does not exist*"
        Test-Path -LiteralPath $missing | Should -BeFalse
    }

    It 'never replaces a FIFO or a symbolic link, even with -Force, and refuses an empty -Destination' {
        $fifo = Join-Path $work 'a-fifo'
        & mkfifo $fifo
        $link = Join-Path $work 'a-link'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $source.FullName
        foreach ($target in $fifo, $link) {
            Get-Blob $blob.Hash -Destination $target -Force -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
            $problems[0].Exception.Message | Should -BeLike '*not a regular file*forced or not*'
        }
        (& stat -c %F $fifo) | Should -Be 'fifo'
        (Get-Item -LiteralPath $link).LinkType | Should -Be 'SymbolicLink'
        { Get-Blob $blob.Hash -Destination '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Granary.PowerShell.GetBlobCmdlet'
    }

    It 'reports a missing blob as ObjectNotFound with the hash as target, and goes on with the next' {
        $missing = 'ab' * 32
        $out = Get-Blob $missing, $blob.Hash -Destination (New-TestDirectory) -ErrorAction SilentlyContinue -ErrorVariable problems

        @($out).Count | Should -Be 1
        $out.Hash | Should -Be $blob.Hash
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'Granary.NotFound,Granary.PowerShell.GetBlobCmdlet'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
    }

    It 'stops at the first error with -ErrorAction Stop' {
        $folder = New-TestDirectory
        { Get-Blob ('cd' * 32), $blob.Hash -Destination $folder -ErrorAction Stop } | Should -Throw -ErrorId 'Granary.NotFound,Granary.PowerShell.GetBlobCmdlet'
        Get-ChildItem -LiteralPath $folder | Should -BeNullOrEmpty
    }

    It 'calls a malformed hash an invalid argument' {
        Get-Blob 'not-a-hash' -AsByteArray -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].TargetObject | Should -Be 'not-a-hash'
    }
}

Describe 'Get-BlobInfo, Update-BlobExpiry, Remove-Blob, Test-Blob' {
    BeforeEach {
        $file = New-RandomFile -Path (Join-Path $work "state-$([guid]::NewGuid().ToString('n')).bin") -Size 5000 -Seed (Get-Random)
        $blob = Send-Blob -LiteralPath $file.FullName -Ttl 2.00:00:00
    }

    It 'Get-BlobInfo describes the blob and names its holder' {
        $info = $blob | Get-BlobInfo
        $info.Hash | Should -Be $blob.Hash
        $info.Size | Should -Be 5000
        $info.Providers | Should -Be @($silo.Ticket)
    }

    It 'Update-BlobExpiry -WhatIf changes nothing; without it the expiry moves' {
        $before = (Get-BlobInfo $blob.Hash).Expires
        $run = Invoke-Connected "Update-BlobExpiry $($blob.Hash) -Ttl 90.00:00:00 -WhatIf"
        $run.Output -join "`n" | Should -BeLike '*What if:*'
        (Get-BlobInfo $blob.Hash).Expires | Should -Be $before

        $after = Update-BlobExpiry $blob.Hash -Ttl 90.00:00:00 -PassThru
        $after.Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(89))

        # Never earlier: an hour asked after 90 days leaves the expiry and says so on the verbose stream.
        $said = Update-BlobExpiry $blob.Hash -Ttl 01:00:00 -Verbose 4>&1
        ($said | Out-String) | Should -BeLike '*later than the * asked for*unchanged*'
        (Get-BlobInfo $blob.Hash).Expires | Should -Be $after.Expires
    }

    It 'Remove-Blob asks by default, so a non-interactive session deletes nothing' {
        $run = Invoke-Connected "Remove-Blob $($blob.Hash)"
        $run.ExitCode | Should -Not -Be 0 -Because 'the prompt cannot be shown under -NonInteractive'
        (Get-BlobInfo $blob.Hash).Hash | Should -Be $blob.Hash
    }

    It 'Remove-Blob -WhatIf deletes nothing; -Confirm:$false deletes' {
        $blob | Remove-Blob -WhatIf
        (Get-BlobInfo $blob.Hash).Hash | Should -Be $blob.Hash

        $blob | Remove-Blob -Confirm:$false
        Get-BlobInfo $blob.Hash -ErrorAction SilentlyContinue -ErrorVariable problems
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'Test-Blob tells an intact file from a damaged one' {
        Test-Blob -LiteralPath $file.FullName -Hash $blob.Hash | Should -BeTrue
        $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
        $bytes[100] = $bytes[100] -bxor 1
        [System.IO.File]::WriteAllBytes($file.FullName, $bytes)
        Test-Blob -LiteralPath $file.FullName -Hash $blob.Hash | Should -BeFalse
        $detail = Test-Blob -LiteralPath $file.FullName -Hash $blob.Hash -Detailed
        $detail.IsValid | Should -BeFalse
        $detail.ActualHash | Should -Be (Get-B3 $file.FullName)
    }
}

Describe 'Connect-GranaryCluster' {
    It 'connects by ticket, ticket file, and address with node id' {
        $ticket = Get-Content -LiteralPath $silo.TicketFile
        $null = $ticket -match '^granary:(?<node>[a-z2-7]+)@(?<address>.+)$'
        $sessions = @(
            Connect-GranaryCluster -Ticket $ticket -TokenFile $silo.TokenFile -PassThru
            Connect-GranaryCluster -TicketFile $silo.TicketFile -Credential ([pscredential]::new('any', (ConvertTo-SecureString $silo.Token -AsPlainText -Force))) -PassThru
            Connect-GranaryCluster -Address $Matches.address -NodeId $Matches.node -TokenFile $silo.TokenFile -PassThru
        )
        try {
            foreach ($session in $sessions) {
                $session.IsOpen | Should -BeTrue
                (Get-GranaryClusterStatus -Session $session).Replicas | Should -Be 1
            }
        }
        finally { $sessions | Disconnect-GranaryCluster }
        # Each of those became the default in turn; make the suite's own session the default again.
        Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile
    }

    It 'says which form to use for <Case>' -ForEach @(
        @{ Case = 'an address given as a ticket'; Arguments = @{ Ticket = '127.0.0.1:4433' }; ErrorId = 'Granary.InvalidArgument'; Words = '*-Address 127.0.0.1:4433 -NodeId*' }
        @{ Case = 'a ticket with a bad node id'; Arguments = @{ Ticket = 'granary:short@127.0.0.1:4433' }; ErrorId = 'Granary.InvalidArgument'; Words = "*node id 'short'*" }
        @{ Case = 'a node id that is a ticket'; Arguments = @{ Address = '127.0.0.1:4433'; NodeId = 'granary:x@127.0.0.1:1' }; ErrorId = 'Granary.InvalidArgument'; Words = '*use -Ticket*' }
        @{ Case = 'an address without a port'; Arguments = @{ Address = '127.0.0.1'; NodeId = ('a' * 52) }; ErrorId = 'Granary.InvalidArgument'; Words = '*HOST:PORT*' }
        @{ Case = 'a missing ticket file'; Arguments = @{ TicketFile = '/nonexistent/silo.ticket' }; ErrorId = 'Granary.NotFound'; Words = '*DATA/silo.ticket*' }
    ) {
        $thrown = { Connect-GranaryCluster @Arguments -Credential ([pscredential]::new('x', (ConvertTo-SecureString 'x' -AsPlainText -Force))) } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "$ErrorId,Granary.PowerShell.ConnectGranaryClusterCmdlet"
        $thrown.Exception.Message | Should -BeLike $Words
    }

    It 'refuses a token or ticket file that is a FIFO or endless, at once, without reading it' {
        $fifo = Join-Path $work 'token-fifo'
        & mkfifo $fifo
        foreach ($bad in @{ TokenFile = $fifo; TicketFile = $silo.TicketFile }, @{ TokenFile = '/dev/zero'; TicketFile = $silo.TicketFile }, @{ TokenFile = $silo.TokenFile; TicketFile = $fifo }) {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $thrown = { Connect-GranaryCluster @bad } | Should -Throw -PassThru
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.Exception.Message | Should -BeLike '*cannot be read*regular file*'
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        }
    }

    It 'stops on a wrong token (AuthenticationError) and on a silo that is not there (ConnectionError)' {
        $wrong = { Connect-GranaryCluster -TicketFile $silo.TicketFile -Credential ([pscredential]::new('x', (ConvertTo-SecureString 'wrong' -AsPlainText -Force))) } | Should -Throw -PassThru
        $wrong.CategoryInfo.Category | Should -Be 'AuthenticationError'

        $listener = [System.Net.Sockets.UdpClient]::new(0)
        $port = $listener.Client.LocalEndPoint.Port
        $listener.Dispose()
        $node = (Get-Content -LiteralPath $silo.TicketFile) -replace '^granary:([a-z2-7]+)@.*$', '$1'
        $nobody = { Connect-GranaryCluster -Address "127.0.0.1:$port" -NodeId $node -TokenFile $silo.TokenFile } | Should -Throw -PassThru
        $nobody.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'says a closed -Session is closed rather than asking for one' {
        $closed = Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile -PassThru
        $closed | Disconnect-GranaryCluster
        $thrown = { Get-GranarySilo -Session $closed } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'Granary.SessionClosed,Granary.PowerShell.GetGranarySiloCmdlet'
        $thrown.Exception.Message | Should -BeLike '*is closed*'
        Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile
    }

    It 'calls a silo that proves another node id an authentication failure, not an unreachable silo' {
        $address = ($silo.Ticket -split '@')[1]
        $thrown = { Connect-GranaryCluster -Address $address -NodeId ('a' * 52) -TokenFile $silo.TokenFile } | Should -Throw -PassThru
        $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$($thrown.ErrorDetails.Message) $($thrown.Exception.Message)" | Should -BeLike '*Check the node id*'
    }

    It 'makes every cmdlet stop with NotConnected when there is no session' {
        $run = Invoke-FreshPwsh -Command @"
Import-Module '$($paths.Module)'
try { Get-BlobInfo ('ab' * 32) -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category }
"@
        $run.Output | Should -Be @('Granary.NotConnected,Granary.PowerShell.GetBlobInfoCmdlet', 'ConnectionError')
    }
}

Describe 'Argument completion' {
    It '-Hash completes from the blobs this session has shown, newest first' {
        $first = Send-Blob -InputObject ([byte[]](1, 2, 3))
        $second = Send-Blob -InputObject ([byte[]](4, 5, 6))

        $all = (TabExpansion2 -inputScript 'Get-Blob -Hash ' -cursorColumn 15).CompletionMatches.CompletionText
        $all[0] | Should -Be $second.Hash
        $all | Should -Contain $first.Hash

        $prefix = $first.Hash.Substring(0, 6)
        $line = "Remove-Blob $prefix"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $first.Hash
    }

    It '-Session completes from variables that hold an open session' {
        $global:GranaryCompletionProbe = Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile -PassThru
        try {
            $line = 'Get-GranarySilo -Session $GranaryC'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain '$GranaryCompletionProbe'
        }
        finally {
            $global:GranaryCompletionProbe | Disconnect-GranaryCluster
            Remove-Variable -Name GranaryCompletionProbe -Scope Global
            Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile
        }
    }
}

Describe 'Format views' {
    BeforeAll {
        $PSStyle.OutputRendering = 'PlainText'
        function Show ([Parameter(ValueFromPipeline)] $InputObject, [string] $As = 'Table') {
            begin { $items = [System.Collections.Generic.List[object]]::new() }
            process { $items.Add($InputObject) }
            end { ($items | & "Format-$As" | Out-String -Width 250) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ } }
        }
        $viewFile = New-RandomFile -Path (Join-Path $work 'view.bin') -Size 2048 -Seed 30
    }

    It 'shows blobs with the columns of the format file' {
        $lines = Send-Blob -LiteralPath $viewFile.FullName | Show
        $lines[0] | Should -Match '^Hash\s+Size\s+Expires\s+Collection\s+Name$'
        $lines[2] | Should -Match "^[0-9a-f]{16}\s+2048\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+False\s+view\.bin$"
        # 80 columns, a terminal's default, still show every column and the whole name.
        ($viewFile | Send-Blob | Format-Table | Out-String -Width 80) | Should -Match 'Collection\s+Name[\s\S]*False\s+view\.bin'
    }

    It 'shows downloads with their providers' {
        $lines = Get-Blob (Get-B3 $viewFile.FullName) -Destination (Join-Path $work 'view-copy.bin') | Show
        $lines[0] | Should -Match '^Hash\s+Size\s+Providers\s+Path$'
        $lines[2] | Should -Match '^[0-9a-f]{16}\s+2048\s+1\s+.*view-copy\.bin$'
    }

    It 'shows silos as a table and the cluster as a list' {
        $silos = Get-GranarySilo | Show
        $silos[0] | Should -Match '^Node\s+Address\s+Status\s+Blobs\s+Bytes\s+Backlog$'
        (Get-GranarySilo | Format-Table | Out-String -Width 80) | Should -Match 'Bytes\s+Backlog'
        $silos[2] | Should -Match '^[a-z2-7]{12}\s+127\.0\.0\.1:\d+\s+Active\s+\d+\s+\d+\s+0$'

        $cluster = Get-GranaryClusterStatus | Show -As List
        $cluster | Should -Contain 'Replicas      : 1'
        $cluster | Should -Contain 'Silos         : 1 Active'
        $cluster | Should -Contain 'RepairBacklog : 0'
    }

    It 'shows a verification as a list and a session as a table' {
        $lines = Test-Blob -LiteralPath $viewFile.FullName -Hash (Get-B3 $viewFile.FullName) -Detailed | Show -As List
        @($lines | ForEach-Object { ($_ -split ':')[0].Trim() }) | Should -Be @('Path', 'IsValid', 'ExpectedHash', 'ActualHash')

        $session = Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile -PassThru
        $lines = $session | Show
        $lines[0] | Should -Match '^Silo\s+Connected\s+IsOpen$'
        $lines[2] | Should -Match '^granary:.*\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+True$'
    }
}
