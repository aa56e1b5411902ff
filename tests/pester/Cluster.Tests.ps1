# The module's cmdlets against a real 3-silo cluster (R=2, PostgreSQL membership): membership,
# replication of an upload, download, a download after a holder is killed, and removal.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    $postgres = Start-GranaryTestPostgres
    $cluster = Start-GranaryTestCluster -Server $postgres -Count 3 -Replicas 2
    Import-Module $paths.Module -Force
    $first = $cluster.Silos[0]
    $session = Connect-GranaryCluster -TicketFile $first.TicketFile -TokenFile $first.TokenFile -PassThru
    $directory = New-TestDirectory
    $file = New-RandomFile (Join-Path $directory 'payload.bin') 3MB -Seed 7
    $expected = (Get-FileHash -LiteralPath $file.FullName).Hash

    # node id -> the test's silo object (its ticket is granary:NODE@IP:PORT).
    $byNode = @{}
    foreach ($one in $cluster.Silos) { $byNode[($one.Ticket -replace '^granary:([^@]+)@.*$', '$1')] = $one }
}

AfterAll {
    if ($cluster) { $cluster.Silos | Stop-GranaryTestSilo }
    Stop-GranaryTestPostgres $postgres
    Remove-TestDirectory
}

Describe 'A 3-silo cluster through the module' {
    It 'Get-GranarySilo lists the 3 silos, Active, with Node, Address, Status, Blobs, Bytes, RepairBacklog' {
        $silos = @(Get-GranarySilo)
        $silos.Count | Should -Be 3
        $silos.Status | Sort-Object -Unique | Should -Be 'Active'
        @($silos.Node | Sort-Object) | Should -Be @($byNode.Keys | Sort-Object)
        foreach ($silo in $silos) {
            foreach ($column in 'Node', 'Address', 'Status', 'Blobs', 'Bytes', 'RepairBacklog') { $silo.PSObject.Properties.Name | Should -Contain $column }
            $byNode[$silo.Node].Ticket | Should -BeLike "*@$($silo.Address)"
            $silo.Blobs | Should -Be 0
            $silo.Bytes | Should -Be 0
            $silo.RepairBacklog | Should -Be 0
        }
    }

    It 'Get-GranarySilo''s default table shows Node, Address, Status, Blobs, Bytes, Backlog' {
        $table = (Get-GranarySilo | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1
        $table -split '\s+' | Where-Object { $_ } | Should -Be @('Node', 'Address', 'Status', 'Blobs', 'Bytes', 'Backlog')
    }

    It 'Get-GranaryClusterStatus shows 2 copies per blob and the 3 silos' {
        $status = Get-GranaryClusterStatus
        $status.Replicas | Should -Be 2
        @($status.Silos | Where-Object Status -EQ 'Active').Count | Should -Be 3
    }

    It 'Send-Blob of 3 MiB stores it on exactly 2 silos; Get-BlobInfo describes it' {
        $script:blob = Send-Blob -LiteralPath $file.FullName -Ttl 1.00:00:00
        $blob.Hash | Should -Be (& b3sum --no-names -- $file.FullName).Trim()
        $blob.Size | Should -Be 3MB

        $info = Get-BlobInfo -Hash $blob.Hash
        $info.Size | Should -Be 3MB
        $info.Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddHours(23))
        $info.Ticket | Should -BeLike "granary:*/$($blob.Hash)"
        # The silos' own counts agree with the holders Get-BlobInfo names.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        do {
            $silos = @(Get-GranarySilo)
            $holders = @($silos | Where-Object Blobs -EQ 1)
            if ($holders.Count -eq 2 -or $clock.Elapsed.TotalSeconds -gt 15) { break }
            Start-Sleep -Milliseconds 250
        } while ($true)
        $holders.Count | Should -Be 2
        ($silos | Measure-Object -Property Blobs -Sum).Sum | Should -Be 2
        $holders.Bytes | Should -Be @(3MB, 3MB)
        $script:holders = $holders.Node
        @($info.Providers).Count | Should -Be 2
        foreach ($node in $holders.Node) { ($info.Providers -join ' ') | Should -BeLike "*granary:$node@*" }
    }

    It 'Get-Blob downloads identical bytes and names its providers' {
        $target = Join-Path $directory 'download.bin'
        $download = Get-Blob -Hash $blob.Hash -Destination $target
        $download.Size | Should -Be 3MB
        @($download.Providers).Count | Should -BeGreaterOrEqual 1
        (Get-FileHash -LiteralPath $target).Hash | Should -Be $expected
    }

    It 'after a holder silo is killed, Get-Blob through a surviving silo returns identical bytes' {
        $victim = $byNode[$holders[0]]
        $survivor = $cluster.Silos | Where-Object { $_ -ne $victim } | Select-Object -First 1
        Stop-GranaryTestSilo $victim
        $script:session = Connect-GranaryCluster -TicketFile $survivor.TicketFile -TokenFile $survivor.TokenFile -PassThru

        $target = Join-Path $directory 'after-kill.bin'
        $download = Get-Blob -Hash $blob.Hash -Destination $target -Session $script:session
        (Get-FileHash -LiteralPath $target).Hash | Should -Be $expected
        @($download.Providers) | Should -Not -BeLike "*$($holders[0])*"
    }

    It 'Remove-Blob -Confirm:$false removes it from the cluster: Get-BlobInfo then reports ObjectNotFound' {
        # Through the surviving silo: the first one may be the killed one.
        Remove-Blob -Hash $blob.Hash -Confirm:$false -Session $script:session

        $info = Get-BlobInfo -Hash $blob.Hash -Session $script:session -ErrorVariable problems -ErrorAction SilentlyContinue
        $info | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].FullyQualifiedErrorId | Should -BeLike '*,Granary.PowerShell.GetBlobInfoCmdlet'
        $problems[0].TargetObject | Should -Be $blob.Hash
        { Get-Blob -Hash $blob.Hash -Destination (Join-Path $directory 'removed.bin') -Session $script:session -ErrorAction Stop } | Should -Throw
        Test-Path -LiteralPath (Join-Path $directory 'removed.bin') | Should -BeFalse
    }
}
