<#
.SYNOPSIS
    Runs the Pester suites of tests/pester against the packaged module and the published granary.

.DESCRIPTION
    build.cake's Test task calls this in a fresh `dotnet pwsh -NoProfile -NonInteractive` after the
    xunit projects. It writes NUnit XML to RESULTS/Pester.xml and the counts, "PASSED FAILED
    SKIPPED", to RESULTS/pester-totals.txt, which the Test task adds to the one totals line. A test
    in a block whose set-up failed counts as failed (Pester reports those tests as not run).

.PARAMETER Pester
    Pester's manifest (artifacts/pester/pester/6.2.0/tools/Pester.psd1 after the restore).

.PARAMETER Results
    The folder for Pester.xml and pester-totals.txt.

.PARAMETER Path
    Suites to run; default: every *.Tests.ps1 beside this script.

.EXAMPLE
    dotnet pwsh -NoProfile -File tests/pester/Invoke-GranaryPester.ps1 -Pester artifacts/pester/pester/6.2.0/tools/Pester.psd1 -Results artifacts/test-results -Path tests/pester/Module.Tests.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Pester,
    [Parameter(Mandatory)] [string] $Results,
    [string[]] $Path = @($PSScriptRoot)
)
$ErrorActionPreference = 'Stop'
# Colour escapes in failure messages are not valid XML: Pester's NUnit writer throws on them.
$PSStyle.OutputRendering = 'PlainText'
$env:NO_COLOR = '1'
$counts = Join-Path $Results 'pester-totals.txt'
$loaded = Import-Module -Name (Resolve-Path -LiteralPath $Pester).ProviderPath -PassThru
if ($loaded.Version -ne [version]'6.2.0') { throw "Pester 6.2.0 is pinned, but $Pester is $($loaded.Version)." }
$null = New-Item -ItemType Directory -Force -Path $Results
$configuration = New-PesterConfiguration
# pwsh -File passes a list as one string: A,B.
$configuration.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = Join-Path $Results 'Pester.xml'
try {
    $run = Invoke-Pester -Configuration $configuration
}
catch {
    # Pester itself failed: one failure, not a silent zero.
    Write-Host "Pester could not run the suites: $_"
    '0 1 0' | Set-Content -LiteralPath $counts -Encoding ascii
    exit 1
}

# Tests of a block whose set-up failed are "not run" in Pester's counts; here they failed, as
# does a failed block or file itself. No filter is used, so nothing else is "not run".
$failed = $run.FailedCount + $run.NotRunCount + $run.FailedBlocksCount + $run.FailedContainersCount
"$($run.PassedCount) $failed $($run.SkippedCount)" | Set-Content -LiteralPath $counts -Encoding ascii
Write-Host "Pester: $($run.PassedCount) passed, $failed failed, $($run.SkippedCount) skipped"
exit ([int]($failed -gt 0))
