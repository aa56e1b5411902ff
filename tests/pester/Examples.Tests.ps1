# Every example in the module's help runs, as written, against a real silo. Each runs in a folder
# of its own laid out as the examples assume (./.granary as './build.sh --target=Run' leaves it,
# ./isos, ./photos, ./report.pdf, ./copy.iso, ./out/, hashes.txt) with a default session and these
# variables: $hash (a blob in the silo: ./copy.iso's), $address and $node (the silo's). The
# transfer examples also have another cluster (a second silo with its own token): $peer (its
# ticket), $theirs (a blob only it holds), and grants it issued for this silo: ./pull.grant
# (pull $theirs) and ./push.grant (push $hash).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    # README's PowerShell section: the block a user types first.
    $readme = Get-Content -LiteralPath (Join-Path (Get-GranaryTestPath).Root 'README.md') -Raw
    $readmeBlock = [regex]::Match($readme, '(?s)## PowerShell\n.*?```powershell\n(?<code>.*?)```').Groups['code'].Value
    Import-Module (Get-GranaryTestPath).Module -Force
    $examples = foreach ($name in (Get-Command -Module Granary).Name | Sort-Object) {
        $number = 0
        foreach ($example in (Get-Help $name -Full).examples.example) {
            $number++
            @{ Name = $name; Number = $number; Code = (@($example.code) + @($example.introduction.Text) | Where-Object { $_ }) -join "`n" }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'GranaryTestKit.psm1') -Force
    Import-Module (Get-GranaryTestPath).Module -Force
    $silo = Start-GranaryTestSilo
    # The other cluster of the transfer examples; its session is never the default (New-ExampleFolder connects last).
    $other = Start-GranaryTestSilo
    $otherSession = Connect-GranaryCluster -TicketFile $other.TicketFile -TokenFile $other.TokenFile -PassThru

    # A folder laid out as the examples assume; returns its path. The default session is open.
    function New-ExampleFolder {
        $folder = New-TestDirectory
        $granary = New-Item -ItemType Directory (Join-Path $folder '.granary')
        Copy-Item -LiteralPath $silo.TicketFile, $silo.TokenFile -Destination $granary.FullName
        $null = New-Item -ItemType Directory (Join-Path $folder 'isos'), (Join-Path $folder 'photos/2026'), (Join-Path $folder 'out')
        $null = New-RandomFile -Path (Join-Path $folder 'isos/a.iso') -Size 30000 -Seed 1
        $null = New-RandomFile -Path (Join-Path $folder 'isos/b.iso') -Size 40000 -Seed 2
        $null = New-RandomFile -Path (Join-Path $folder 'photos/2026/beach.jpg') -Size 5000 -Seed 3
        $null = New-RandomFile -Path (Join-Path $folder 'report.pdf') -Size 9000 -Seed 4
        $null = New-RandomFile -Path (Join-Path $folder 'copy.iso') -Size 70000 -Seed ([System.Random]::Shared.Next())
        Connect-GranaryCluster -TicketFile $silo.TicketFile -TokenFile $silo.TokenFile
        $folder
    }

    # Runs CODE in FOLDER as a user would at the prompt: any error fails the test.
    function Invoke-Example ([string] $Folder, [string] $Code) {
        Push-Location -LiteralPath $Folder
        try {
            $ErrorActionPreference = 'Stop'
            $Error.Clear()
            $null = . ([scriptblock]::Create($Code))
            $Error.Count | Should -Be 0 -Because ($Error -join "`n")
        }
        finally {
            $ErrorActionPreference = 'Continue'
            Pop-Location
        }
    }
}

AfterAll {
    Disconnect-GranaryCluster -ErrorAction SilentlyContinue
    Disconnect-GranaryCluster -Session $otherSession -ErrorAction SilentlyContinue
    $silo, $other | Stop-GranaryTestSilo
    Remove-TestDirectory
}

Describe 'Help examples' {
    It '<Name> example <Number> runs: <Code>' -ForEach $examples {
        $folder = New-ExampleFolder
        $hash = (Send-Blob -LiteralPath (Join-Path $folder 'copy.iso')).Hash
        Set-Content -LiteralPath (Join-Path $folder 'hashes.txt') -Value $hash
        $null = $silo.Ticket -match '^granary:(?<node>[a-z2-7]+)@(?<address>.+)$'
        $node = $Matches.node
        $address = $Matches.address
        if ($Name -like '*-BlobTransfer' -or $Name -eq 'Send-BlobTransferVoucher') {
            $peer = $other.Ticket
            $bytes = [byte[]]::new(50000)
            [System.Random]::Shared.NextBytes($bytes)
            $theirs = (Send-Blob -InputObject $bytes -Session $otherSession -ErrorAction Stop).Hash
            $null = New-BlobTransferGrant -Session $otherSession -Peer $node -Pull -Hash $theirs -Quota 1GiB -Path (Join-Path $folder 'pull.grant') -ErrorAction Stop
            $null = New-BlobTransferGrant -Session $otherSession -Peer $node -Push -Hash $hash -Quota 1GiB -Path (Join-Path $folder 'push.grant') -ErrorAction Stop
        }
        Invoke-Example $folder $Code
    }
}

Describe 'README' {
    It 'runs the PowerShell section as written, in a fresh pwsh' -ForEach @(@{ Code = $readmeBlock }) {
        $Code | Should -Match 'Import-Module \./artifacts/module/Granary/Granary\.psd1'
        $folder = New-ExampleFolder
        # The block runs in the repository's folder: its artifacts/ is the build's.
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'artifacts') -Target (Split-Path -Parent (Split-Path -Parent (Split-Path -Parent (Get-GranaryTestPath).Module)))
        $run = Invoke-FreshPwsh -Command "Set-Location -LiteralPath '$folder'; `$ErrorActionPreference = 'Stop'`n$Code`n'README block done'"
        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        @($run.Output | Where-Object { $_ })[-1] | Should -Be 'README block done'
        $run.Output | Should -Contain 'True' -Because 'Test-Blob says the copy is intact'
        ($run.Output -join "`n") | Should -BeLike '*What if: Performing the operation "Delete from every silo of the cluster"*'
    }
}
