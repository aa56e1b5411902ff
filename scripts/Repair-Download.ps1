<#
.SYNOPSIS
    Verifies a downloaded folder against a manifest and fetches again what is missing or damaged.

.DESCRIPTION
    For every "HASH  PATH" line of the manifest (as Send-Folder.ps1 writes it), checks the file
    under the folder with Test-Blob; a missing or damaged file is downloaded again with Get-Blob,
    verified block by block. Outputs one object per file: Path, Status (Ok, Repaired, Failed); with
    -WhatIf, only the intact ones (the others are the "What if:" lines). A path that would lead
    out of the folder ("../x") is refused (Failed). Uses the session Connect-GranaryCluster made.

.PARAMETER Manifest
    The manifest file.

.PARAMETER Destination
    The download folder.

.EXAMPLE
    ./Repair-Download.ps1 -Manifest ./exports.b3 -Destination /restore/exports -WhatIf

    Shows which files would be fetched again.

.EXAMPLE
    ./Repair-Download.ps1 -Manifest ./exports.b3 -Destination /restore/exports | Where-Object Status -ne Ok

    Repairs the download and lists only the files fetched again (Repaired) or not (Failed).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $Destination
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Import-GranaryModule.ps1')
$root = [IO.Path]::TrimEndingDirectorySeparator($PSCmdlet.GetUnresolvedProviderPathFromPSPath($Destination))
foreach ($line in Get-Content -LiteralPath $Manifest) {
    if ($line -notmatch '^([0-9a-f]{64})  (.+)$') { Write-Warning "Skipping malformed line: $line"; continue }
    $hash, $relative = $Matches[1], $Matches[2]
    $target = [IO.Path]::GetFullPath([IO.Path]::Join($root, $relative))
    # A manifest names files under the folder; "../x" or "/etc/x" must not write elsewhere.
    if (-not $target.StartsWith($root + [IO.Path]::DirectorySeparatorChar, [StringComparison]::Ordinal)) {
        Write-Error -Message "Skipping a path outside $root`: $relative" -Category SecurityError -TargetObject $relative -ErrorAction Continue
        [pscustomobject]@{ Path = $relative; Status = 'Failed' }
        continue
    }
    if ((Test-Path -LiteralPath $target -PathType Leaf) -and (Test-Blob -LiteralPath $target -Hash $hash)) {
        [pscustomobject]@{ Path = $relative; Status = 'Ok' }
        continue
    }
    if ($PSCmdlet.ShouldProcess($relative, 'Download again')) {
        try {
            $null = [IO.Directory]::CreateDirectory([IO.Path]::GetDirectoryName($target))
            Get-Blob -Hash $hash -Destination $target -Force -ErrorAction Stop | Out-Null
            [pscustomobject]@{ Path = $relative; Status = 'Repaired' }
        } catch {
            Write-Error -ErrorRecord $_ -ErrorAction Continue
            [pscustomobject]@{ Path = $relative; Status = 'Failed' }
        }
    }
}
