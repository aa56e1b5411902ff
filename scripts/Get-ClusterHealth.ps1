<#
.SYNOPSIS
    Reports the health of a Granary cluster.

.DESCRIPTION
    Lists every silo with its status, blobs, bytes and repair backlog, and ends with a verdict:
    Healthy when at least R silos are active, every serving silo answered, and no blob is below
    R copies. Sets $LASTEXITCODE-style output: the verdict object has IsHealthy.

.EXAMPLE
    ./Get-ClusterHealth.ps1 | Format-List

.EXAMPLE
    if (-not (./Get-ClusterHealth.ps1).IsHealthy) { Send-MailMessage ... }
#>
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'
$status = Get-GranaryClusterStatus
$serving = @($status.Silos | Where-Object Status -in 'Active', 'ShuttingDown')
$active = @($serving | Where-Object Status -eq 'Active')
$silent = @($serving | Where-Object Problem)
$backlog = ($serving | Measure-Object -Property RepairBacklog -Sum).Sum
$problems = @()
if ($active.Count -lt $status.Replicas) { $problems += "only $($active.Count) active silos for $($status.Replicas) copies" }
if ($silent) { $problems += "$($silent.Count) silos did not answer" }
if ($backlog -gt 0) { $problems += "$backlog blobs below $($status.Replicas) copies" }
$serving | Format-Table Node, Address, Status, Blobs, Bytes, RepairBacklog | Out-String | Write-Verbose
[pscustomobject]@{
    IsHealthy = $problems.Count -eq 0
    Active    = $active.Count
    Replicas  = $status.Replicas
    Blobs     = ($serving | Measure-Object -Property Blobs -Sum).Sum
    Problems  = $problems
}
