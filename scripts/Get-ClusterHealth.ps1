<#
.SYNOPSIS
    Reports the health of a Granary cluster.

.DESCRIPTION
    Lists every silo with its status, blobs, bytes and repair backlog (with -Verbose), and ends
    with a verdict object. The cluster is healthy when at least R silos are active, every serving
    silo (Active, Draining or ShuttingDown) answered, no blob is below R copies, and no silo is
    down: a node whose newest incarnation Orleans has declared Dead and that has not come back
    (a crashed or killed silo; one taken out for good reads as down until its Dead row is cleaned
    up). Uses the session Connect-GranaryCluster made, or connects with -TicketFile.

    The script's exit code says the verdict too: 0 healthy, 1 unhealthy, 2 the cluster could not
    be asked (no module, no session, nobody answered), so `pwsh -File Get-ClusterHealth.ps1` works
    in cron jobs and monitoring checks like scripts/cluster-health.sh and a broken check is not
    mistaken for a sick cluster.

.PARAMETER TicketFile
    Connect first, with this silo ticket file (a silo's DATA/silo.ticket); without it the script
    uses the current session, else ./.granary/silo.ticket and ./.granary/admin.token as the
    granary CLI does.

.PARAMETER TokenFile
    The cluster's token file (a silo's DATA/admin.token), with -TicketFile; without it the token
    comes from $env:GRANARY_TOKEN.

.OUTPUTS
    One object: IsHealthy, Active, Replicas, Blobs, Problems (why not healthy).

.EXAMPLE
    ./Get-ClusterHealth.ps1 -Verbose | Format-List

    The silos as a table (verbose stream), then the verdict.

.EXAMPLE
    if (-not (./Get-ClusterHealth.ps1).IsHealthy) { Write-Warning 'the Granary cluster needs attention' }

.EXAMPLE
    pwsh -NoProfile -File ./Get-ClusterHealth.ps1 -TicketFile /srv/granary/silo.ticket -TokenFile /srv/granary/admin.token; if ($LASTEXITCODE -ne 0) { 'cluster needs attention' }

    From a shell, cron or a monitoring check: the exit code is the verdict. The script loads the
    module itself (from PSModulePath, or this repository's artifacts/module).
#>
[CmdletBinding()]
param(
    [string] $TicketFile,
    [string] $TokenFile
)
$ErrorActionPreference = 'Stop'
try {
    . (Join-Path $PSScriptRoot 'Import-GranaryModule.ps1')
    $session = @{}
    $default = Get-Variable -Name GranaryDefaultSession -Scope Global -ValueOnly -ErrorAction Ignore
    if (-not $TicketFile -and -not ($default -and $default.IsOpen) -and (Test-Path -LiteralPath ./.granary/silo.ticket)) {
        # As the granary CLI: the silo of ./build.sh --target=Run, in the current directory.
        $TicketFile = './.granary/silo.ticket'
        if (-not $TokenFile -and (Test-Path -LiteralPath ./.granary/admin.token)) { $TokenFile = './.granary/admin.token' }
    }
    if ($TicketFile) {
        $connect = @{ TicketFile = $TicketFile }
        if ($TokenFile) { $connect.TokenFile = $TokenFile }
        $session.Session = Connect-GranaryCluster @connect -PassThru
    }
    $status = Get-GranaryClusterStatus @session
}
catch {
    # No module, not connected, or nobody answered: the check itself failed (exit 2), which is
    # not the same as a cluster found unhealthy (exit 1).
    Write-Error -ErrorRecord $_ -ErrorAction Continue
    exit 2
}
$serving = @($status.Silos | Where-Object Status -in 'Active', 'Draining', 'ShuttingDown')
$active = @($serving | Where-Object Status -eq 'Active')
$silent = @($serving | Where-Object Problem)
# -1 means "could not be asked": it must not lower the sums.
$backlog = [long]($serving | Where-Object RepairBacklog -GT 0 | Measure-Object -Property RepairBacklog -Sum).Sum
# A node whose newest incarnation is Dead is down (a restarted silo keeps its node id and comes back as a newer incarnation).
$down = @($status.Silos | Group-Object Node | Where-Object { ($_.Group | Sort-Object Generation | Select-Object -Last 1).Status -eq 'Dead' })
$problems = @()
if ($active.Count -lt $status.Replicas) { $problems += "only $($active.Count) active silos for $($status.Replicas) copies" }
if ($silent) { $problems += "$($silent.Count) silos did not answer" }
if ($down) { $problems += "$($down.Count) silos down: $($down.Name -join ', ')" }
if ($backlog -gt 0) { $problems += "$backlog blobs below $($status.Replicas) copies" }
$status.Silos | Format-Table Node, Address, Status, Blobs, Bytes, RepairBacklog, Problem -AutoSize | Out-String -Width 250 | Write-Verbose
[pscustomobject]@{
    IsHealthy = $problems.Count -eq 0
    Active    = $active.Count
    Replicas  = $status.Replicas
    Blobs     = [long]($serving | Where-Object Blobs -GE 0 | Measure-Object -Property Blobs -Sum).Sum
    Problems  = $problems
}
exit ([int]($problems.Count -gt 0))
