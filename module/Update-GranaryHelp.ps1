<#
.SYNOPSIS
    Writes the SYNTAX, INPUTS and OUTPUTS sections of the module's MAML help from the cmdlets themselves.

.DESCRIPTION
    The help's descriptions and examples are written by hand in
    module/Granary.PowerShell/en-US/Granary.PowerShell.dll-Help.xml; its syntax (one entry per
    parameter set), input types (what binds from the pipeline) and output types ([OutputType])
    follow from the compiled cmdlets, so this script regenerates those three sections and leaves
    the rest alone. Run it after changing a cmdlet's parameters; tests/pester/Module.Tests.ps1
    fails while the help and the cmdlets disagree.

.PARAMETER Module
    The packaged module's manifest. Default: artifacts/module/Granary/Granary.psd1.

.EXAMPLE
    ./build.sh --target=Module; dotnet pwsh -NoProfile -File module/Update-GranaryHelp.ps1
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $Module = (Join-Path $PSScriptRoot '../artifacts/module/Granary/Granary.psd1')
)
$ErrorActionPreference = 'Stop'
$helpFile = Join-Path $PSScriptRoot 'Granary.PowerShell/en-US/Granary.PowerShell.dll-Help.xml'
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

Import-Module (Resolve-Path -LiteralPath $Module).ProviderPath -Force
$document = [xml]::new()
$document.PreserveWhitespace = $true
$document.Load($helpFile)
# -WhatIf and -Confirm belong in a syntax line (as PowerShell shows them); the other common parameters do not.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters

function New-Element([string] $Namespace, [string] $Name, [string] $Text) {
    $prefix = switch ($Namespace) { $maml { 'maml' } $command { 'command' } $dev { 'dev' } }
    $element = $document.CreateElement($prefix, $Name, $Namespace)
    if ($PSBoundParameters.ContainsKey('Text')) { $element.InnerText = $Text }
    $element
}

function Get-TypeName([type] $Type) {
    $plain = if ([Nullable]::GetUnderlyingType($Type)) { [Nullable]::GetUnderlyingType($Type) } else { $Type }
    if ($plain -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $plain.Name
}

function Set-Section([System.Xml.XmlElement] $Entry, [string] $Name, [System.Xml.XmlElement] $Section, [string] $After) {
    foreach ($old in @($Entry.ChildNodes | Where-Object { $_.LocalName -eq $Name })) {
        # The line break written before the section goes with it, or each run adds a blank line.
        $before = $old.PreviousSibling
        if ($before -and $before.NodeType -in 'Whitespace', 'SignificantWhitespace') { $null = $Entry.RemoveChild($before) }
        $null = $Entry.RemoveChild($old)
    }
    $anchor = $Entry.ChildNodes | Where-Object { $_.LocalName -eq $After } | Select-Object -First 1
    $null = $Entry.InsertAfter($Section, $anchor)
    $null = $Entry.InsertAfter($document.CreateWhitespace("`n  "), $anchor)
}

foreach ($entry in $document.helpItems.ChildNodes | Where-Object { $_.LocalName -eq 'command' }) {
    $name = $entry.details.name
    $cmdlet = Get-Command $name
    $syntax = New-Element $command 'syntax'
    foreach ($set in $cmdlet.ParameterSets) {
        $item = New-Element $command 'syntaxItem'
        $null = $item.AppendChild((New-Element $maml 'name' $name))
        foreach ($parameter in $set.Parameters | Where-Object Name -NotIn $common) {
            $pipeline = @(if ($parameter.ValueFromPipeline) { 'ByValue' }; if ($parameter.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
            $element = New-Element $command 'parameter'
            $element.SetAttribute('required', "$($parameter.IsMandatory)".ToLowerInvariant())
            $element.SetAttribute('position', $(if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'named' }))
            $element.SetAttribute('pipelineInput', $(if ($pipeline) { "true ($($pipeline -join ', '))" } else { 'false' }))
            $null = $element.AppendChild((New-Element $maml 'name' $parameter.Name))
            if ($parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $value = New-Element $command 'parameterValue' (Get-TypeName $parameter.ParameterType)
                $value.SetAttribute('required', 'true')
                $null = $element.AppendChild($value)
            }
            $null = $item.AppendChild($element)
        }
        $null = $syntax.AppendChild($item)
    }

    $inputs = New-Element $command 'inputTypes'
    $bound = $cmdlet.Parameters.Values | Where-Object { $_.Attributes | Where-Object { $_ -is [Parameter] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } }
    foreach ($parameter in $bound) {
        $type = New-Element $command 'inputType'
        $typeName = New-Element $dev 'type'
        $null = $typeName.AppendChild((New-Element $maml 'name' (Get-TypeName $parameter.ParameterType)))
        $null = $type.AppendChild($typeName)
        $description = New-Element $maml 'description'
        $null = $description.AppendChild((New-Element $maml 'para' "-$($parameter.Name) binds from the pipeline."))
        $null = $type.AppendChild($description)
        $null = $inputs.AppendChild($type)
    }

    $outputs = New-Element $command 'returnValues'
    foreach ($output in $cmdlet.OutputType) {
        $value = New-Element $command 'returnValue'
        $typeName = New-Element $dev 'type'
        $null = $typeName.AppendChild((New-Element $maml 'name' $output.Name))
        $null = $value.AppendChild($typeName)
        $null = $outputs.AppendChild($value)
    }

    Set-Section $entry 'syntax' $syntax 'description'
    Set-Section $entry 'inputTypes' $inputs 'parameters'
    Set-Section $entry 'returnValues' $outputs 'inputTypes'
}

if ($PSCmdlet.ShouldProcess($helpFile, 'Write the SYNTAX, INPUTS and OUTPUTS sections')) {
    # UTF-8 without a byte-order mark, as the file was written.
    $writer = [System.IO.StreamWriter]::new($helpFile, $false, [System.Text.UTF8Encoding]::new($false))
    try { $document.Save($writer) } finally { $writer.Dispose() }
}
