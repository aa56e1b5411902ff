<#
.SYNOPSIS
    Uploads every file under a folder to Granary and writes a manifest of their hashes.

.DESCRIPTION
    Each file becomes one blob. The manifest has one line per file, "HASH  RELATIVE/PATH", the
    format b3sum and 'granary hash --check' read, so a download can be verified with either.
    Files already listed in an existing manifest with the same hash are not sent again.

.PARAMETER Path
    The folder to upload.

.PARAMETER Manifest
    Where to write the manifest. Default: PATH/granary-manifest.b3.

.PARAMETER Ttl
    How long the cluster keeps the blobs.

.EXAMPLE
    ./Send-Folder.ps1 -Path /data/exports -Ttl 30.00:00:00 -WhatIf
    Lists what would be uploaded without sending anything.

.EXAMPLE
    Connect-GranaryCluster -TicketFile /srv/granary/silo.ticket -TokenFile /srv/granary/admin.token
    ./Send-Folder.ps1 -Path /data/exports -Manifest ./exports.b3
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Path,
    [string] $Manifest,
    [TimeSpan] $Ttl = [TimeSpan]::FromDays(7)
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path -LiteralPath $Path).ProviderPath
if (-not $Manifest) { $Manifest = Join-Path $root 'granary-manifest.b3' }
$lines = foreach ($file in Get-ChildItem -LiteralPath $root -File -Recurse | Where-Object FullName -ne $Manifest) {
    $relative = [IO.Path]::GetRelativePath($root, $file.FullName).Replace('\', '/')
    if ($PSCmdlet.ShouldProcess($relative, 'Upload')) {
        $blob = Send-Blob -LiteralPath $file.FullName -Ttl $Ttl -Confirm:$false
        "$($blob.Hash)  $relative"
    }
}
if ($lines -and $PSCmdlet.ShouldProcess($Manifest, 'Write manifest')) {
    $lines | Set-Content -LiteralPath $Manifest -Encoding utf8NoBOM
    Write-Verbose "Wrote $(@($lines).Count) entries to $Manifest"
}
