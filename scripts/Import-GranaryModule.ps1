<#
.SYNOPSIS
    Loads the Granary module for the operator scripts, which dot-source this file.

.DESCRIPTION
    A script run as `pwsh -File` starts without the module. This loads it from where it is: already
    loaded, installed on $env:PSModulePath, or built in this repository (artifacts/module/Granary,
    by ./build.sh --target=Module or --target=Run); otherwise it stops with a sentence saying how
    to get it. Not a script to run on its own.
#>
if (-not (Get-Module -Name Granary)) {
    $built = Join-Path $PSScriptRoot '../artifacts/module/Granary/Granary.psd1'
    if (Get-Module -ListAvailable -Name Granary) {
        Import-Module -Name Granary -ErrorAction Stop
    }
    elseif (Test-Path -LiteralPath $built) {
        Import-Module -Name (Resolve-Path -LiteralPath $built).ProviderPath -ErrorAction Stop
    }
    else {
        throw "The Granary module is not loaded, not on `$env:PSModulePath and not built next to this script: run ./build.sh --target=Module, or Import-Module its Granary.psd1 first."
    }
}
