<#
    What the Pester suites share: where the build put things, temporary folders, real silo
    processes (the published `granary silo run`) and a real PostgreSQL server for clusters.
    The PowerShell twin of tests/Granary.Testing (SiloProcess, PostgresServer, TempDirectory):
    the suites run in a pwsh of their own and cannot load that assembly's xunit-side helpers.
#>
Set-StrictMode -Version Latest

$script:Root = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).ProviderPath
# GRANARY_ARTIFACTS points the suites at another build's artifacts/ (e.g. a worktree's tests
# against the main tree's published granary); default: this repository's.
$script:Artifacts = if ($env:GRANARY_ARTIFACTS) { $env:GRANARY_ARTIFACTS } else { Join-Path $script:Root 'artifacts' }
$script:Granary = Join-Path $script:Artifacts 'bin/granary'
$script:ModuleManifest = Join-Path $script:Artifacts 'module/Granary/Granary.psd1'
$script:Directories = [System.Collections.Generic.List[string]]::new()

function Get-GranaryTestPath {
    <#
    .SYNOPSIS
        The paths the suites use: Root (the repository), Granary (the published CLI), Module (the
        packaged module's manifest), Scripts (scripts/).
    #>
    [CmdletBinding()]
    param()
    [pscustomobject]@{
        Root    = $script:Root
        Granary = $script:Granary
        Module  = $script:ModuleManifest
        Scripts = Join-Path $script:Root 'scripts'
    }
}

function New-TestDirectory {
    <#
    .SYNOPSIS
        A fresh directory under the system's temp folder; Remove-TestDirectory deletes every one made.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("granary-pester-" + [guid]::NewGuid().ToString('n').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $path
    $script:Directories.Add($path)
    $path
}

function Remove-TestDirectory {
    <#
    .SYNOPSIS
        Deletes every directory New-TestDirectory made in this session.
    #>
    [CmdletBinding()]
    param()
    foreach ($path in $script:Directories) {
        if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Recurse -Force -ErrorAction SilentlyContinue }
    }
    $script:Directories.Clear()
}

function New-RandomFile {
    <#
    .SYNOPSIS
        Writes SIZE bytes from a seeded generator to PATH and returns the FileInfo (same seed, same bytes).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [long] $Size,
        [int] $Seed = 1
    )
    $random = [System.Random]::new($Seed)
    $buffer = [byte[]]::new([Math]::Min($Size, 1MB))
    $stream = [System.IO.File]::Create($Path)
    try {
        $left = $Size
        while ($left -gt 0) {
            $random.NextBytes($buffer)
            $count = [int][Math]::Min($left, $buffer.Length)
            $stream.Write($buffer, 0, $count)
            $left -= $count
        }
    }
    finally { $stream.Dispose() }
    Get-Item -LiteralPath $Path
}

function Start-GranaryTestSilo {
    <#
    .SYNOPSIS
        Starts `granary silo run` on a free port of 127.0.0.1 and waits for its "ready TICKET" line.
    .OUTPUTS
        An object with Process, DataDirectory, Ticket, TicketFile, TokenFile, Token, Log (stderr file).
    #>
    [CmdletBinding()]
    param(
        [string] $DataDirectory = (New-TestDirectory),
        # The cluster's PostgreSQL connection string; none: a silo alone.
        [string] $Cluster,
        [int] $Replicas = 0,
        [TimeSpan] $Timeout = [TimeSpan]::FromSeconds(60)
    )
    $arguments = @('silo', 'run', '--data', $DataDirectory, '--listen', '127.0.0.1:0')
    if ($Cluster) { $arguments += @('--cluster', $Cluster) }
    if ($Replicas -gt 0) { $arguments += @('--replicas', "$Replicas") }
    $out = Join-Path $DataDirectory 'stdout.txt'
    $err = Join-Path $DataDirectory 'stderr.txt'
    # Start-Process joins -ArgumentList with spaces and quotes nothing: a cluster's connection
    # string ("Maximum Pool Size=20") would split into several arguments. Quote such ones.
    $arguments = @($arguments | ForEach-Object { if ($_ -match '[\s"]') { '"' + ($_ -replace '"', '\"') + '"' } else { $_ } })
    $process = Start-Process -FilePath $script:Granary -ArgumentList $arguments -RedirectStandardOutput $out -RedirectStandardError $err -PassThru
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $ready = if (Test-Path -LiteralPath $out) { Get-Content -LiteralPath $out -TotalCount 1 } else { $null }
        if ($ready -like 'ready *') { break }
        if ($process.HasExited -or $clock.Elapsed -gt $Timeout) {
            if (-not $process.HasExited) { $process.Kill($true) }
            throw "The silo in $DataDirectory did not become ready: $(Get-Content -LiteralPath $err -Raw -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 50
    }
    [pscustomobject]@{
        Process       = $process
        DataDirectory = $DataDirectory
        Ticket        = $ready.Substring('ready '.Length).Trim()
        TicketFile    = Join-Path $DataDirectory 'silo.ticket'
        TokenFile     = Join-Path $DataDirectory 'admin.token'
        Token         = (Get-Content -LiteralPath (Join-Path $DataDirectory 'admin.token') -Raw).Trim()
        Log           = $err
    }
}

function Stop-GranaryTestSilo {
    <#
    .SYNOPSIS
        Kills silo processes started by Start-GranaryTestSilo (SIGKILL) and waits for them to exit.
    #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] [object[]] $Silo)
    process {
        foreach ($one in $Silo) {
            if ($one -and -not $one.Process.HasExited) {
                $one.Process.Kill($true)
                $null = $one.Process.WaitForExit(10000)
            }
        }
    }
}

function Invoke-GranaryCli {
    <#
    .SYNOPSIS
        Runs the published granary with ARGUMENTS; returns ExitCode, Output (stdout lines) and Errors (stderr text).
    #>
    [CmdletBinding()]
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $errors = New-TemporaryFile
    try {
        $output = & $script:Granary @Arguments 2> $errors.FullName
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output); Errors = (Get-Content -LiteralPath $errors.FullName -Raw) }
    }
    finally { Remove-Item -LiteralPath $errors.FullName -Force }
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
        Runs COMMAND in a new `pwsh -NoProfile -NonInteractive` process (the same pwsh as this one);
        returns ExitCode, Output (stdout lines) and Errors (stderr text).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Command)
    $errors = New-TemporaryFile
    try {
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2> $errors.FullName
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output); Errors = (Get-Content -LiteralPath $errors.FullName -Raw) }
    }
    finally { Remove-Item -LiteralPath $errors.FullName -Force }
}

function Start-GranaryTestPostgres {
    <#
    .SYNOPSIS
        A real PostgreSQL server from Debian's binaries: initdb into a temporary directory (as the
        postgres user when running as root, which PostgreSQL refuses), listening on a free port of
        127.0.0.1 only, fsync off (the tests kill silos, never the database).
    #>
    [CmdletBinding()]
    param()
    $bin = Get-ChildItem -Directory /usr/lib/postgresql -ErrorAction Stop | Sort-Object { [int]$_.Name } | Select-Object -Last 1 | ForEach-Object { Join-Path $_.FullName 'bin' }
    if (-not $bin) { throw 'PostgreSQL is not installed (/usr/lib/postgresql); ./build.sh --target=Setup installs it.' }
    $directory = New-TestDirectory
    $data = Join-Path $directory 'data'
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $server = [pscustomobject]@{ Bin = $bin; Directory = $directory; Data = $data; Port = $port; Databases = 0 }
    if ([Environment]::UserName -eq 'root') { & chown -R postgres:postgres $directory }
    Invoke-PostgresTool $server initdb -D $data -U granary --auth=trust -E UTF8 --no-instructions
    $options = "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$directory -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB"
    Invoke-PostgresTool $server pg_ctl -D $data -l (Join-Path $directory 'server.log') -o $options -w -t 60 start
    $server
}

function New-GranaryTestDatabase {
    <#
    .SYNOPSIS
        Creates an empty database on SERVER and returns its connection string.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [object] $Server)
    $Server.Databases++
    $name = "granary_$($Server.Databases)"
    Invoke-PostgresTool $Server createdb -h 127.0.0.1 -p $Server.Port -U granary $name
    "Host=127.0.0.1;Port=$($Server.Port);Username=granary;Database=$name;Maximum Pool Size=20;Timeout=5"
}

function Stop-GranaryTestPostgres {
    <#
    .SYNOPSIS
        Stops the server (immediate mode); its directory goes with Remove-TestDirectory.
    #>
    [CmdletBinding()]
    param([object] $Server)
    if ($Server -and (Test-Path -LiteralPath $Server.Data)) {
        try { Invoke-PostgresTool $Server pg_ctl -D $Server.Data -m immediate -w stop } catch { Write-Warning $_ }
    }
}

function Invoke-PostgresTool {
    # SERVER TOOL ARGUMENTS...: a plain function reading $args, so the tools' short options
    # (-E, -o, -p, -t) reach them as they are: a [Parameter] attribute would make this an advanced
    # function, whose common parameters (-ErrorAction, -OutVariable, -PipelineVariable) claim them
    # as ambiguous prefixes, and -t would bind a -Tool parameter.
    $Server = $args[0]
    $Tool = [string]$args[1]
    $Arguments = [string[]]@($args | Select-Object -Skip 2)
    $program = Join-Path $Server.Bin $Tool
    Push-Location -LiteralPath $Server.Directory
    try {
        $output = if ([Environment]::UserName -eq 'root') { & runuser -u postgres -- $program @Arguments 2>&1 } else { & $program @Arguments 2>&1 }
        if ($LASTEXITCODE -ne 0) { throw "$Tool failed ($LASTEXITCODE): $($output -join "`n")" }
    }
    finally { Pop-Location }
}

function Start-GranaryTestCluster {
    <#
    .SYNOPSIS
        COUNT silo processes on one fresh database of SERVER with R = REPLICAS, once all are Active.
    .OUTPUTS
        An object with Connection, Silos (Start-GranaryTestSilo objects) and Token.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [object] $Server,
        [int] $Count = 3,
        [int] $Replicas = 2
    )
    $connection = New-GranaryTestDatabase $Server
    $silos = @(1..$Count | ForEach-Object { Start-GranaryTestSilo -Cluster $connection -Replicas $Replicas })
    $cluster = [pscustomobject]@{ Connection = $connection; Silos = $silos; Token = $silos[0].Token }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $status = Invoke-GranaryCli cluster status --silo $silos[0].Ticket --token-file $silos[0].TokenFile
        $active = @($status.Output | Where-Object { $_ -match '\bActive\b' }).Count
        if ($active -ge $Count) { return $cluster }
        if ($clock.Elapsed.TotalSeconds -gt 60) {
            $cluster.Silos | Stop-GranaryTestSilo
            throw "The cluster did not reach $Count active silos in 60 s: $($status.Output -join "`n") $($status.Errors)"
        }
        Start-Sleep -Milliseconds 250
    }
}

Export-ModuleMember -Function Get-GranaryTestPath, New-TestDirectory, Remove-TestDirectory, New-RandomFile,
    Start-GranaryTestSilo, Stop-GranaryTestSilo, Invoke-GranaryCli, Invoke-FreshPwsh, Start-GranaryTestPostgres, New-GranaryTestDatabase,
    Stop-GranaryTestPostgres, Start-GranaryTestCluster
