<#
.SYNOPSIS
    Verifies a downloaded folder against a manifest and fetches again what is missing or damaged.

.DESCRIPTION
    For every "HASH  PATH" line of the manifest (as Send-Folder.ps1 writes it), checks the file
    under the folder with Test-Blob; a missing or damaged file is downloaded again with Get-Blob,
    verified block by block. Outputs one object per file: Path, Status (Ok, Repaired, Failed).

.PARAMETER Manifest
    The manifest file.

.PARAMETER Destination
    The download folder.

.EXAMPLE
    ./Repair-Download.ps1 -Manifest ./exports.b3 -Destination /restore/exports -WhatIf
    Shows which files would be fetched again.

.EXAMPLE
    ./Repair-Download.ps1 -Manifest ./exports.b3 -Destination /restore/exports | Where-Object Status -ne Ok
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $Destination
)
$ErrorActionPreference = 'Stop'
foreach ($line in Get-Content -LiteralPath $Manifest) {
    if ($line -notmatch '^([0-9a-f]{64})  (.+)$') { Write-Warning "Skipping malformed line: $line"; continue }
    $hash, $relative = $Matches[1], $Matches[2]
    $target = Join-Path $Destination $relative
    if ((Test-Path -LiteralPath $target) -and (Test-Blob -LiteralPath $target -Hash $hash)) {
        [pscustomobject]@{ Path = $relative; Status = 'Ok' }
        continue
    }
    if ($PSCmdlet.ShouldProcess($relative, 'Download again')) {
        New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
        try {
            Get-Blob -Hash $hash -Destination $target -Force -ErrorAction Stop | Out-Null
            [pscustomobject]@{ Path = $relative; Status = 'Repaired' }
        } catch {
            Write-Error -ErrorRecord $_ -ErrorAction Continue
            [pscustomobject]@{ Path = $relative; Status = 'Failed' }
        }
    }
}
