# The operator scripts of scripts/ (the .ps1 ones) run for real in pwsh against a real silo
# process, and Get-ClusterHealth.ps1 also against a real 3-silo cluster with one silo killed.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    $scripts = $paths.Scripts
    $silo = Start-GranaryTestSilo
    Import-Module $paths.Module -Force
    Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile

    # A folder with nested folders, a name with a space, an empty file and a hidden file. Each
    # folder gets its own seeds: blobs sent by one test must not be the blobs of another.
    function New-ExportFolder([int] $Seed) {
        $folder = Join-Path (New-TestDirectory) 'exports'
        $null = New-Item -ItemType Directory -Path (Join-Path $folder 'finance/2026')
        $null = New-RandomFile (Join-Path $folder 'a.bin') 70000 -Seed $Seed
        $null = New-RandomFile (Join-Path $folder 'finance/2026/q1 report.csv') 1234 -Seed ($Seed + 1)
        $null = New-RandomFile (Join-Path $folder 'finance/2026/q2.csv') 0
        # (New-RandomFile's Get-Item does not see hidden files.)
        [IO.File]::WriteAllBytes((Join-Path $folder '.settings'), [Text.Encoding]::UTF8.GetBytes("seed=$Seed`n"))
        $folder
    }

    # HASH  PATH lines as a table PATH -> HASH.
    function Read-Manifest([string] $Path) {
        $table = [ordered]@{}
        foreach ($line in Get-Content -LiteralPath $Path) {
            $line | Should -Match '^[0-9a-f]{64}  .+$'
            $table[$line.Substring(66)] = $line.Substring(0, 64)
        }
        $table
    }

    function Get-LocalHash([string] $Path) { (& b3sum --no-names -- $Path).Trim() }

    # How the blob looks to the cluster: the BlobItem, or the ErrorRecord when there is none.
    function Get-BlobState([string] $Hash) {
        try { Get-BlobInfo -Hash $Hash -ErrorAction Stop } catch { $_ }
    }

    # A fresh pwsh connected to the silo, for what the host prints ("What if:" lines).
    function Invoke-Connected([string] $Command, [string] $Location = (Get-Location).ProviderPath) {
        Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$($paths.Module)'
Connect-GranaryCluster -TicketFile '$($silo.TicketFile)' -TokenFile '$($silo.TokenFile)'
Set-Location -LiteralPath '$Location'
$Command
"@
    }

    # `pwsh -File SCRIPT ARGS...` in a new process with the packaged module on PSModulePath.
    function Invoke-PwshFile([string] $Script, [string[]] $Arguments) {
        $saved = $env:PSModulePath
        $env:PSModulePath = (Split-Path -Parent (Split-Path -Parent $paths.Module)) + [IO.Path]::PathSeparator + $saved
        $env:NO_COLOR = '1'
        try {
            $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -OutputFormat Text -File $Script @Arguments 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
        }
        finally { $env:PSModulePath = $saved; Remove-Item Env:NO_COLOR }
    }
}

AfterAll {
    Stop-GranaryTestSilo $silo
    Remove-TestDirectory
}

Describe 'Send-Folder.ps1' {
    It 'uploads every file and writes a manifest that b3sum --check accepts (nested folders, a space in a name, hidden and empty files)' {
        $folder = New-ExportFolder -Seed 10
        $manifest = Join-Path (Split-Path -Parent $folder) 'exports.b3'

        & "$scripts/Send-Folder.ps1" -Path $folder -Manifest $manifest -Ttl 2.00:00:00

        $entries = Read-Manifest $manifest
        @($entries.Keys) | Should -Be @('.settings', 'a.bin', 'finance/2026/q1 report.csv', 'finance/2026/q2.csv')
        foreach ($relative in $entries.Keys) {
            $entries[$relative] | Should -Be (Get-LocalHash (Join-Path $folder $relative))
            $blob = Get-BlobState $entries[$relative]
            $blob | Should -BeOfType Granary.Blobs.Commands.BlobItem
            $blob.Size | Should -Be (Get-Item -LiteralPath (Join-Path $folder $relative) -Force).Length
            $blob.Expires | Should -BeLessThan ([DateTimeOffset]::UtcNow.AddDays(2.1))
        }
        Push-Location -LiteralPath $folder
        try { $check = & b3sum --check $manifest 2>&1 } finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
        $check | Should -Contain 'finance/2026/q1 report.csv: OK'
    }

    It 'writes PATH/granary-manifest.b3 by default, or a relative -Manifest inside PATH, without listing the manifest itself' {
        $folder = New-ExportFolder -Seed 20
        & "$scripts/Send-Folder.ps1" -Path $folder
        $default = Join-Path $folder 'granary-manifest.b3'
        @((Read-Manifest $default).Keys) | Should -Not -Contain 'granary-manifest.b3'

        Push-Location -LiteralPath $folder
        try {
            & "$scripts/Send-Folder.ps1" -Path . -Manifest ./local.b3
            $check = & b3sum --check local.b3 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
        }
        finally { Pop-Location }
        @((Read-Manifest (Join-Path $folder 'local.b3')).Keys) | Should -Not -Contain 'local.b3'
        @((Read-Manifest (Join-Path $folder 'local.b3')).Keys) | Should -Contain 'granary-manifest.b3'
    }

    It '-WhatIf sends nothing, writes no manifest and prints a "What if:" line per file' {
        $folder = New-ExportFolder -Seed 30
        $manifest = Join-Path (Split-Path -Parent $folder) 'whatif.b3'

        $run = Invoke-Connected "& '$scripts/Send-Folder.ps1' -Path '$folder' -Manifest '$manifest' -WhatIf"

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Contain 'What if: Performing the operation "Upload" on target "finance/2026/q1 report.csv".'
        @($run.Output -like 'What if: Performing the operation "Upload"*').Count | Should -Be 4
        Test-Path -LiteralPath $manifest | Should -BeFalse
        foreach ($name in 'a.bin', 'finance/2026/q1 report.csv', '.settings') {
            $state = Get-BlobState (Get-LocalHash (Join-Path $folder $name))
            $state | Should -BeOfType System.Management.Automation.ErrorRecord
            $state.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }

    It 'does not send again what an existing manifest lists unchanged; sends a changed file and updates its line' {
        $folder = New-ExportFolder -Seed 40
        & "$scripts/Send-Folder.ps1" -Path $folder
        $manifest = Join-Path $folder 'granary-manifest.b3'
        $before = Read-Manifest $manifest
        $null = New-RandomFile (Join-Path $folder 'a.bin') 5000 -Seed 41

        $run = Invoke-Connected "& '$scripts/Send-Folder.ps1' -Path '$folder' -WhatIf"
        $run.ExitCode | Should -Be 0 -Because $run.Errors
        @($run.Output -like 'What if: Performing the operation "Upload"*') | Should -Be @('What if: Performing the operation "Upload" on target "a.bin".')

        & "$scripts/Send-Folder.ps1" -Path $folder
        $after = Read-Manifest $manifest
        $after['a.bin'] | Should -Be (Get-LocalHash (Join-Path $folder 'a.bin'))
        $after['a.bin'] | Should -Not -Be $before['a.bin']
        $after['finance/2026/q1 report.csv'] | Should -Be $before['finance/2026/q1 report.csv']
        (Get-BlobState $after['a.bin']).Size | Should -Be 5000
    }
}

Describe 'Repair-Download.ps1' {
    BeforeAll {
        $folder = New-ExportFolder -Seed 50
        $manifest = Join-Path (Split-Path -Parent $folder) 'repair.b3'
        & "$scripts/Send-Folder.ps1" -Path $folder -Manifest $manifest

        # A restore with one file missing (q1 report.csv) and one with wrong bytes (q2.csv).
        function New-DamagedRestore {
            $restore = Join-Path (New-TestDirectory) 'restore'
            $null = New-Item -ItemType Directory -Path (Join-Path $restore 'finance/2026')
            Copy-Item -LiteralPath (Join-Path $folder 'a.bin') -Destination (Join-Path $restore 'a.bin')
            Copy-Item -LiteralPath (Join-Path $folder '.settings') -Destination (Join-Path $restore '.settings')
            [IO.File]::WriteAllBytes((Join-Path $restore 'finance/2026/q2.csv'), [byte[]](9, 9, 9))
            # An old time stamp on the good files shows whether they were written again.
            foreach ($name in 'a.bin', '.settings') { (Get-Item -LiteralPath (Join-Path $restore $name) -Force).LastWriteTimeUtc = [datetime]'2001-01-01' }
            $restore
        }
    }

    It 'fetches exactly the missing and the damaged file again and leaves the good ones' {
        $restore = New-DamagedRestore

        $result = & "$scripts/Repair-Download.ps1" -Manifest $manifest -Destination $restore

        $status = @{}; foreach ($one in $result) { $status[$one.Path] = $one.Status }
        $status['a.bin'] | Should -Be 'Ok'
        $status['.settings'] | Should -Be 'Ok'
        $status['finance/2026/q1 report.csv'] | Should -Be 'Repaired'
        $status['finance/2026/q2.csv'] | Should -Be 'Repaired'
        @($result).Count | Should -Be 4
        foreach ($name in 'a.bin', '.settings', 'finance/2026/q1 report.csv', 'finance/2026/q2.csv') {
            (Get-FileHash -LiteralPath (Join-Path $restore $name)).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $folder $name)).Hash
        }
        foreach ($name in 'a.bin', '.settings') {
            (Get-Item -LiteralPath (Join-Path $restore $name) -Force).LastWriteTimeUtc | Should -Be ([datetime]'2001-01-01')
        }
        Push-Location -LiteralPath $restore
        try { $check = & b3sum --check $manifest 2>&1 } finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
    }

    It '-WhatIf fetches nothing and names the files it would fetch' {
        $restore = New-DamagedRestore

        $run = Invoke-Connected "& '$scripts/Repair-Download.ps1' -Manifest '$manifest' -Destination '$restore' -WhatIf | ForEach-Object { `"`$(`$_.Path)=`$(`$_.Status)`" }"

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        @($run.Output -like 'What if:*') | Should -Be @(
            'What if: Performing the operation "Download again" on target "finance/2026/q1 report.csv".'
            'What if: Performing the operation "Download again" on target "finance/2026/q2.csv".')
        $run.Output | Should -Contain 'a.bin=Ok'
        Test-Path -LiteralPath (Join-Path $restore 'finance/2026/q1 report.csv') | Should -BeFalse
        [IO.File]::ReadAllBytes((Join-Path $restore 'finance/2026/q2.csv')) | Should -Be @(9, 9, 9)
    }

    It 'refuses a manifest path that leads out of the folder' {
        $restore = Join-Path (New-TestDirectory) 'restore'
        $evil = Join-Path (Split-Path -Parent $restore) 'evil.b3'
        $hash = (Read-Manifest $manifest)['a.bin']
        Set-Content -LiteralPath $evil -Value "$hash  ../escaped.bin"

        $result = & "$scripts/Repair-Download.ps1" -Manifest $evil -Destination $restore -ErrorVariable problems 2>$null

        $result.Status | Should -Be 'Failed'
        $problems[0].CategoryInfo.Category | Should -Be 'SecurityError'
        Test-Path -LiteralPath (Join-Path (Split-Path -Parent $restore) 'escaped.bin') | Should -BeFalse
    }
}

Describe 'Update-ExpiryByPattern.ps1' {
    BeforeAll {
        $folder = New-ExportFolder -Seed 60
        $manifest = Join-Path (Split-Path -Parent $folder) 'expiry.b3'
        & "$scripts/Send-Folder.ps1" -Path $folder -Manifest $manifest -Ttl 2.00:00:00
        $entries = Read-Manifest $manifest
        function Get-Expiry { $table = @{}; foreach ($name in $entries.Keys) { $table[$name] = (Get-BlobInfo -Hash $entries[$name]).Expires }; $table }
    }

    It '-WhatIf changes no expiry and names the matching files' {
        $before = Get-Expiry

        $run = Invoke-Connected "& '$scripts/Update-ExpiryByPattern.ps1' -Manifest '$manifest' -Pattern 'finance/*' -Ttl 30.00:00:00 -WhatIf"

        $run.ExitCode | Should -Be 0 -Because $run.Errors
        @($run.Output -like 'What if:*') | Should -Be @(
            'What if: Performing the operation "Keep for 30.00:00:00" on target "finance/2026/q1 report.csv".'
            'What if: Performing the operation "Keep for 30.00:00:00" on target "finance/2026/q2.csv".')
        $after = Get-Expiry
        foreach ($name in $entries.Keys) { $after[$name] | Should -Be $before[$name] }
    }

    It 'extends only the blobs whose manifest path matches' {
        $result = & "$scripts/Update-ExpiryByPattern.ps1" -Manifest $manifest -Pattern 'finance/*' -Ttl 30.00:00:00

        @($result.ManifestPath) | Should -Be @('finance/2026/q1 report.csv', 'finance/2026/q2.csv')
        $expiry = Get-Expiry
        $expiry['finance/2026/q1 report.csv'] | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(29))
        $expiry['finance/2026/q2.csv'] | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(29))
        $expiry['a.bin'] | Should -BeLessThan ([DateTimeOffset]::UtcNow.AddDays(3))
        $expiry['.settings'] | Should -BeLessThan ([DateTimeOffset]::UtcNow.AddDays(3))
    }
}

Describe 'Every .EXAMPLE of the scripts'' help, run as written' {
    BeforeAll {
        # The examples' paths stand for these; the scripts are copied into the working folder so
        # that ./Send-Folder.ps1 and ./exports.b3 mean what they say.
        $work = New-TestDirectory
        Copy-Item -Path "$scripts/*.ps1" -Destination $work
        $data = New-ExportFolder -Seed 80
        $null = New-RandomFile (Join-Path $data 'finance/2026/table.parquet') 3000 -Seed 83
        $restore = Join-Path (New-TestDirectory) 'restore'
        $substitutions = [ordered]@{
            '/srv/granary/silo.ticket' = $silo.TicketFile
            '/srv/granary/admin.token' = $silo.TokenFile
            '/data/exports'            = $data
            '/restore/exports'         = $restore
        }
        $moduleRoot = Split-Path -Parent (Split-Path -Parent $paths.Module)
    }

    # In order: the Send-Folder examples make ./exports.b3, which the others read.
    It '<Script> example <Index> works' -ForEach @(
        @{ Script = 'Send-Folder.ps1'; Index = 0; Expect = 'What if: Performing the operation "Upload" on target "finance/2026/q1 report.csv".' }
        @{ Script = 'Send-Folder.ps1'; Index = 1; Expect = $null }
        @{ Script = 'Repair-Download.ps1'; Index = 0; Expect = 'What if: Performing the operation "Download again" on target "finance/2026/q1 report.csv".' }
        @{ Script = 'Repair-Download.ps1'; Index = 1; Expect = 'Repaired' }
        @{ Script = 'Update-ExpiryByPattern.ps1'; Index = 0; Expect = 'What if: Performing the operation "Keep for 365.00:00:00" on target "finance/2026/q1 report.csv".' }
        @{ Script = 'Update-ExpiryByPattern.ps1'; Index = 1; Expect = 'finance/2026/table.parquet' }
        @{ Script = 'Get-ClusterHealth.ps1'; Index = 0; Expect = 'IsHealthy : True' }
        @{ Script = 'Get-ClusterHealth.ps1'; Index = 1; Expect = $null }
        @{ Script = 'Get-ClusterHealth.ps1'; Index = 2; Expect = 'IsHealthy : True' }
    ) {
        $code = (@((Get-Help (Join-Path $work $Script) -Full).examples.example)[$Index].code | Out-String).Trim()
        $code | Should -Not -BeNullOrEmpty
        foreach ($key in $substitutions.Keys) { $code = $code.Replace($key, $substitutions[$key]) }
        $run = Invoke-Connected -Location $work -Command @"
`$env:PSModulePath = '$moduleRoot' + [IO.Path]::PathSeparator + `$env:PSModulePath
function pwsh { & ([Environment]::ProcessPath) (Join-Path `$PSHOME 'pwsh.dll') @args }
`$env:NO_COLOR = '1'
`$ProgressPreference = 'SilentlyContinue'
$code
"@
        $run.ExitCode | Should -Be 0 -Because "$code`n$($run.Errors)"
        $run.Errors -replace '\x1b\[[0-9;]*m' | Should -BeNullOrEmpty
        $text = ($run.Output -join "`n") -replace '\x1b\[[0-9;]*m'
        $text | Should -Not -Match 'WARNING|needs attention'
        if ($Expect) { $text | Should -Match ([regex]::Escape($Expect)) -Because $code }
        switch ("$Script $Index") {
            'Send-Folder.ps1 0' { Test-Path -LiteralPath (Join-Path $data 'granary-manifest.b3') | Should -BeFalse }
            'Send-Folder.ps1 1' {
                Push-Location -LiteralPath $data
                try { $check = & b3sum --check (Join-Path $work 'exports.b3') 2>&1 } finally { Pop-Location }
                $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
                # The restore the Repair-Download examples work on: a.bin only.
                $null = New-Item -ItemType Directory -Path $restore
                Copy-Item -LiteralPath (Join-Path $data 'a.bin') -Destination $restore
            }
            'Repair-Download.ps1 0' { @(Get-ChildItem -LiteralPath $restore -Recurse -File).Count | Should -Be 1 }
            'Repair-Download.ps1 1' {
                $text | Should -Not -Match '\bOk\b'
                Push-Location -LiteralPath $restore
                try { $check = & b3sum --check (Join-Path $work 'exports.b3') 2>&1 } finally { Pop-Location }
                $LASTEXITCODE | Should -Be 0 -Because ($check -join "`n")
            }
            'Update-ExpiryByPattern.ps1 1' {
                $parquet = (Get-Content -LiteralPath (Join-Path $work 'exports.b3') | Where-Object { $_ -like '*table.parquet' }).Substring(0, 64)
                (Get-BlobInfo -Hash $parquet).Expires | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddDays(89))
            }
        }
    }
}

Describe 'Get-ClusterHealth.ps1 on a silo alone' {
    It 'calls it healthy: one active silo for one copy, $LASTEXITCODE 0' {
        $health = & "$scripts/Get-ClusterHealth.ps1"
        $LASTEXITCODE | Should -Be 0
        $health.IsHealthy | Should -BeTrue
        $health.Active | Should -Be 1
        $health.Replicas | Should -Be 1
        $health.Blobs | Should -BeGreaterThan 0
        $health.Problems | Should -BeNullOrEmpty
    }

    It 'exits 0 as pwsh -File with -TicketFile and -TokenFile' {
        $run = Invoke-PwshFile "$scripts/Get-ClusterHealth.ps1" @('-TicketFile', $silo.TicketFile, '-TokenFile', $silo.TokenFile)
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'IsHealthy\s*:\s*True'
    }

    It 'exits 2 as pwsh -File when it cannot ask the cluster (not connected): a failed check, not a sick cluster' {
        Push-Location -LiteralPath (New-TestDirectory)
        try { $run = Invoke-PwshFile "$scripts/Get-ClusterHealth.ps1" @() }
        finally { Pop-Location }
        $run.ExitCode | Should -Be 2
        $run.Output | Should -Match 'Connect-GranaryCluster'
    }

    It 'loads the module itself and finds ./.granary as the CLI does, so a bare pwsh -File works' {
        $folder = New-TestDirectory
        $granary = New-Item -ItemType Directory (Join-Path $folder '.granary')
        Copy-Item -LiteralPath $silo.TicketFile, $silo.TokenFile -Destination $granary.FullName
        Push-Location -LiteralPath $folder
        try {
            # No PSModulePath entry: the script finds the module built in the repository.
            $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -OutputFormat Text -File "$scripts/Get-ClusterHealth.ps1" 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        }
        finally { Pop-Location }
    }
}

Describe 'Get-ClusterHealth.ps1 on a 3-silo cluster (R=2) with one silo killed' {
    BeforeAll {
        $postgres = Start-GranaryTestPostgres
        $cluster = Start-GranaryTestCluster -Server $postgres -Count 3 -Replicas 2
        $first = $cluster.Silos[0]
        $connection = @{ TicketFile = $first.TicketFile; TokenFile = $first.TokenFile }
        $arguments = @('-TicketFile', $first.TicketFile, '-TokenFile', $first.TokenFile)
        $session = Connect-GranaryCluster -TicketFile $first.TicketFile -TokenFile $first.TokenFile -PassThru
        $data = Join-Path (New-TestDirectory) 'blob.bin'
        foreach ($seed in 1..4) { $null = Send-Blob -LiteralPath (New-RandomFile $data 50000 -Seed (70 + $seed)).FullName -Session $session }
        # The shell twin reads the silo and token from the environment.
        function Invoke-ShellTwin {
            $env:GRANARY = $paths.Granary; $env:GRANARY_SILO = $first.Ticket; $env:GRANARY_TOKEN = $first.Token
            try { $output = & bash "$scripts/cluster-health.sh" 2>&1; [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) } }
            finally { Remove-Item Env:GRANARY, Env:GRANARY_SILO, Env:GRANARY_TOKEN }
        }
    }

    AfterAll {
        if ($cluster) { $cluster.Silos | Stop-GranaryTestSilo }
        Stop-GranaryTestPostgres $postgres
    }

    It 'is healthy with all three silos (exit 0, 3 active, 2 copies), as cluster-health.sh says too' {
        $health = & "$scripts/Get-ClusterHealth.ps1" @connection
        $LASTEXITCODE | Should -Be 0
        $health.IsHealthy | Should -BeTrue
        $health.Active | Should -Be 3
        $health.Replicas | Should -Be 2
        $health.Blobs | Should -Be 8
        (Invoke-PwshFile "$scripts/Get-ClusterHealth.ps1" $arguments).ExitCode | Should -Be 0
        $twin = Invoke-ShellTwin
        $twin.ExitCode | Should -Be 0 -Because $twin.Output
        $twin.Output | Should -Match 'HEALTHY: 3 active silos, 2 copies per blob'
    }

    It 'is unhealthy once a killed silo is declared dead (exit 1 as pwsh -File), as cluster-health.sh says too' {
        $killed = $cluster.Silos[2]
        $killedNode = (Get-Content -LiteralPath $killed.TicketFile -Raw).Trim() -replace '^granary:([^@]+)@.*$', '$1'
        Stop-GranaryTestSilo $killed
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while (-not (Get-GranarySilo -IncludeDead -Session $session | Where-Object { $_.Node -eq $killedNode -and $_.Status -eq 'Dead' })) {
            if ($clock.Elapsed.TotalSeconds -gt 30) { throw "the killed silo $killedNode was not declared dead in 30 s" }
            Start-Sleep -Milliseconds 250
        }

        $health = & "$scripts/Get-ClusterHealth.ps1" @connection
        $LASTEXITCODE | Should -Be 1
        $health.IsHealthy | Should -BeFalse
        $health.Active | Should -Be 2
        $health.Problems | Should -Contain "1 silos down: $killedNode"
        $run = Invoke-PwshFile "$scripts/Get-ClusterHealth.ps1" $arguments
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match 'IsHealthy\s*:\s*False'
        $twin = Invoke-ShellTwin
        $twin.ExitCode | Should -Be 1 -Because $twin.Output
        $twin.Output | Should -Match 'UNHEALTHY: 1 silos down'
    }
}
