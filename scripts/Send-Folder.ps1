<#
.SYNOPSIS
    Uploads every file under a folder to Granary and writes a manifest of their hashes.

.DESCRIPTION
    Each file becomes one blob. The manifest has one line per file, "HASH  RELATIVE/PATH", the
    format b3sum and 'granary hash --check' read, so a download can be verified with either.
    Files already listed in an existing manifest with the same hash, and still held by the
    cluster, are not sent again (their lines are kept). Hidden files are sent too. Uses the
    session Connect-GranaryCluster made.

.PARAMETER Path
    The folder to upload.

.PARAMETER Manifest
    Where to write the manifest. Default: PATH/granary-manifest.b3. A manifest inside PATH is not
    uploaded itself.

.PARAMETER Ttl
    How long the cluster keeps the blobs.

.EXAMPLE
    ./Send-Folder.ps1 -Path /data/exports -Ttl 30.00:00:00 -WhatIf

    Lists what would be uploaded without sending anything.

.EXAMPLE
    Connect-GranaryCluster -TicketFile /srv/granary/silo.ticket -TokenFile /srv/granary/admin.token
    ./Send-Folder.ps1 -Path /data/exports -Manifest ./exports.b3

    Connects, uploads every file under /data/exports and writes the manifest ./exports.b3;
    `b3sum --check` run in /data/exports accepts it.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Path,
    [string] $Manifest,
    [TimeSpan] $Ttl = [TimeSpan]::FromDays(7)
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Import-GranaryModule.ps1')
$root = (Resolve-Path -LiteralPath $Path).ProviderPath
# A full path: a relative -Manifest inside PATH must not be uploaded as one of the files.
$Manifest = if ($Manifest) { $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Manifest) } else { Join-Path $root 'granary-manifest.b3' }
$known = @{}
if (Test-Path -LiteralPath $Manifest -PathType Leaf) {
    foreach ($line in Get-Content -LiteralPath $Manifest) {
        if ($line -match '^([0-9a-f]{64})  (.+)$') { $known[$Matches[2]] = $Matches[1] }
    }
}
# -Force: hidden files (dot files) too, as send-folder.sh does; sorted by path as it does.
$files = Get-ChildItem -LiteralPath $root -File -Recurse -Force | Where-Object FullName -ne $Manifest |
    ForEach-Object { [pscustomobject]@{ File = $_; Relative = [IO.Path]::GetRelativePath($root, $_.FullName).Replace([IO.Path]::DirectorySeparatorChar, '/') } } |
    Sort-Object Relative -CaseSensitive
$lines = foreach ($entry in $files) {
    $file, $relative = $entry.File, $entry.Relative
    # Unchanged since the existing manifest, and the cluster still has it: not sent again.
    $hash = $known[$relative]
    if ($hash -and (Test-Blob -LiteralPath $file.FullName -Hash $hash) -and $(try { [bool](Get-BlobInfo -Hash $hash) } catch { $false })) {
        Write-Verbose "Unchanged, not sent again: $relative"
        "$hash  $relative"
        continue
    }
    if ($PSCmdlet.ShouldProcess($relative, 'Upload')) {
        $blob = Send-Blob -LiteralPath $file.FullName -Ttl $Ttl -Confirm:$false
        "$($blob.Hash)  $relative"
    }
}
if ($lines -and $PSCmdlet.ShouldProcess($Manifest, 'Write manifest')) {
    $lines | Set-Content -LiteralPath $Manifest -Encoding utf8NoBOM
    Write-Verbose "Wrote $(@($lines).Count) entries to $Manifest"
}
