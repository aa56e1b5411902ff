# The packaged module as PowerShell sees it: import, exports, parameter sets, where its assemblies
# come from, help. No silo needed.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $cmdlets = foreach ($name in (Import-PowerShellDataFile -LiteralPath (Get-GranaryTestPath).Module).CmdletsToExport) { @{ Name = $name } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    $paths = Get-GranaryTestPath
    $moduleFolder = Split-Path -Parent $paths.Module
    $manifest = Import-PowerShellDataFile -LiteralPath $paths.Module
}

Describe 'Importing the packaged module' {
    It 'imports in a fresh pwsh with no errors or warnings, twice in one session' {
        $run = Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$($paths.Module)' -WarningVariable w1
Import-Module '$($paths.Module)' -Force -WarningVariable w2
"warnings=`$(@(`$w1).Count + @(`$w2).Count) errors=`$(`$Error.Count)"
"@
        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Contain 'warnings=0 errors=0'
    }

    It 'loads every Granary assembly and native library from its own folder, nothing from the build tree' {
        $run = Invoke-FreshPwsh -Command @"
Import-Module '$($paths.Module)'
# A command that runs managed code of every layer (client, protocol, transport, hashing).
`$null = Test-Blob -LiteralPath '$($paths.Module)' -Hash ('0' * 64) -ErrorAction SilentlyContinue
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'Granary*' } | ForEach-Object Location
"@
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Not -BeNullOrEmpty
        foreach ($location in $run.Output) {
            Split-Path -Parent $location | Should -Be $moduleFolder
        }
        @($run.Output | ForEach-Object { Split-Path -Leaf $_ }) | Should -Contain 'Granary.Hashing.dll'
        # The module is a client: the silo's store (SQLite, io_uring) is not shipped.
        Get-ChildItem -LiteralPath $moduleFolder -Filter '*.dll' | ForEach-Object Name | Should -Not -Contain 'Granary.Storage.dll'
        Get-ChildItem -LiteralPath $moduleFolder -Filter '*Sqlite*' | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $moduleFolder 'libgranary_quic.so') | Should -BeTrue
    }
}

Describe 'Living with other modules' {
    It 'works in a session where another module loaded an older Microsoft.Extensions.Logging.Abstractions first' {
        # The best-known failure of binary modules: one default load context for all of them.
        $older = Join-Path $paths.Root 'artifacts/pester/microsoft.extensions.logging.abstractions/8.0.0/lib/net8.0/Microsoft.Extensions.Logging.Abstractions.dll'
        Test-Path -LiteralPath $older | Should -BeTrue -Because 'the Test task restores it beside Pester'
        $silo = Start-GranaryTestSilo
        try {
            $run = Invoke-FreshPwsh -Command @"
Add-Type -LiteralPath '$older'
Import-Module '$($paths.Module)'
Connect-GranaryCluster -TicketFile '$($silo.TicketFile)' -TokenFile '$($silo.TokenFile)'
(Send-Blob -InputObject ([byte[]](1, 2, 3)) -ErrorAction Stop).Hash
[AppDomain]::CurrentDomain.GetAssemblies().Where({ `$_.GetName().Name -eq 'Microsoft.Extensions.Logging.Abstractions' }).ForEach({ `$_.GetName().Version.ToString() })
"@
            $run.Errors | Should -BeNullOrEmpty
            $run.Output[0] | Should -Be 'b177ec1bf26dfb3b7010d473e6d44713b29b765b99c6e60ecbfae742de496543' -Because 'BLAKE3 of 01 02 03'
            $run.Output | Should -Contain '8.0.0.0'
        }
        finally { $silo | Stop-GranaryTestSilo }
    }
}

Describe 'What the module exports' {
    BeforeAll {
        Import-Module $paths.Module -Force
        $commands = Get-Command -Module Granary
    }

    It 'exports exactly the cmdlets the manifest lists' {
        @($commands.Name | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $commands.CommandType | Sort-Object -Unique | Should -Be 'Cmdlet'
    }

    It '<Name> uses an approved verb' -ForEach $cmdlets {
        (Get-Verb).Verb | Should -Contain ($Name -split '-')[0]
    }

    It 'declares the parameter sets the README documents' {
        (Get-Command Send-Blob).ParameterSets.Name | Sort-Object | Should -Be @('InputObject', 'LiteralPath', 'Path')
        (Get-Command Get-Blob).ParameterSets.Name | Sort-Object | Should -Be @('Hash', 'Ticket')
        (Get-Command Connect-GranaryCluster).ParameterSets.Name | Sort-Object | Should -Be @('Address', 'Ticket', 'TicketFile')
        (Get-Command Test-Blob).ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'Path')
    }

    It 'asks before it changes state, and Remove-Blob asks by default' {
        foreach ($name in 'Send-Blob', 'Update-BlobExpiry', 'Remove-Blob') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
        }
        foreach ($name in 'Get-Blob', 'Get-BlobInfo', 'Test-Blob', 'Get-GranarySilo', 'Get-GranaryClusterStatus') {
            (Get-Command $name).Parameters.Keys | Should -Not -Contain 'WhatIf'
        }
        $attribute = [Granary.PowerShell.RemoveBlobCmdlet].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
    }

    It 'binds Get-ChildItem output to -LiteralPath through PSPath' {
        (Get-Command Send-Blob).Parameters['LiteralPath'].Aliases | Should -Contain 'PSPath'
    }
}

Describe 'Help' {
    BeforeAll {
        Import-Module $paths.Module -Force
    }

    It '<Name> has a synopsis, a description, every parameter and examples' -ForEach $cmdlets {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$Name*[<]*"
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        $documented = @($help.parameters.parameter.name)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented | Should -Contain $parameter -Because "Get-Help $Name -Full lists every parameter"
            ($help.parameters.parameter | Where-Object name -EQ $parameter).description | Out-String | Should -Not -BeNullOrEmpty
        }
    }

    It '<Name> shows one syntax line per parameter set, with the parameters the cmdlet has' -ForEach $cmdlets {
        # module/Update-GranaryHelp.ps1 writes these from the cmdlets; this fails when it was not run after a change.
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $sets = (Get-Command $Name).ParameterSets
        $items = @((Get-Help $Name).syntax.syntaxItem)
        $items.Count | Should -Be $sets.Count
        $shown = @($items | ForEach-Object { (@($_.parameter.name) | Sort-Object) -join ',' }) | Sort-Object
        $expected = @($sets | ForEach-Object { (@($_.Parameters.Name | Where-Object { $_ -notin $common }) | Sort-Object) -join ',' }) | Sort-Object
        $shown | Should -Be $expected
    }

    It 'has about_Granary' {
        $about = Get-Help about_Granary
        ($about | Out-String) | Should -Match 'Connect-GranaryCluster'
    }
}
