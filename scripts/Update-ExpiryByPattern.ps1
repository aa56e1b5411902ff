<#
.SYNOPSIS
    Extends the expiry of the blobs in a manifest whose path matches a wildcard pattern.

.DESCRIPTION
    Reads "HASH  PATH" lines (as Send-Folder.ps1 writes them) and runs Update-BlobExpiry for
    every path that matches -Pattern (PowerShell wildcards, e.g. 'reports/2026-*'). The expiry
    moves forward only, on every replica.

.PARAMETER Manifest
    The manifest file.

.PARAMETER Pattern
    Wildcard pattern over the manifest's paths.

.PARAMETER Ttl
    Keep each matching blob at least this long from now.

.EXAMPLE
    ./Update-ExpiryByPattern.ps1 -Manifest ./exports.b3 -Pattern 'finance/*' -Ttl 365.00:00:00 -WhatIf

    Shows which blobs would be kept for a year, changing nothing.

.EXAMPLE
    ./Update-ExpiryByPattern.ps1 -Manifest ./exports.b3 -Pattern '*.parquet' -Ttl 90.00:00:00 | Format-Table ManifestPath, Expires

    Keeps every .parquet file of the manifest (in any folder) at least 90 days and shows each
    one's path and new expiry (the blob objects carry a ManifestPath property).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $Pattern,
    [Parameter(Mandatory)] [TimeSpan] $Ttl
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Import-GranaryModule.ps1')
foreach ($line in Get-Content -LiteralPath $Manifest) {
    if ($line -notmatch '^([0-9a-f]{64})  (.+)$') { continue }
    if ($Matches[2] -like $Pattern -and $PSCmdlet.ShouldProcess($Matches[2], "Keep for $Ttl")) {
        Update-BlobExpiry -Hash $Matches[1] -Ttl $Ttl -PassThru -Confirm:$false |
            Add-Member -NotePropertyName ManifestPath -NotePropertyValue $Matches[2] -PassThru
    }
}
