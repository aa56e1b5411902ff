@{
    RootModule           = 'Granary.PowerShell.dll'
    ModuleVersion        = '0.6.0'
    GUID                 = '5b0d7c2e-8f4a-4c61-9d0e-3a7f2b9c1e44'
    Author               = 'Granary'
    CompanyName          = 'Granary'
    Copyright            = '(c) Granary. All rights reserved.'
    Description          = 'Move blobs in and out of a Granary cluster: BLAKE3-verified, resumable, multi-provider transfers over QUIC.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Granary.format.ps1xml')
    TypesToProcess       = @()
    CmdletsToExport      = @(
        'Connect-GranaryCluster'
        'Disconnect-GranaryCluster'
        'Send-Blob'
        'Get-Blob'
        'Get-BlobInfo'
        'Update-BlobExpiry'
        'Remove-Blob'
        'Test-Blob'
        'Get-GranarySilo'
        'Get-GranaryClusterStatus'
        'Start-BlobTransfer'
        'Get-BlobTransfer'
        'Wait-BlobTransfer'
        'Suspend-BlobTransfer'
        'Resume-BlobTransfer'
        'Restart-BlobTransfer'
        'Stop-BlobTransfer'
        'Send-BlobTransferVoucher'
        'New-BlobTransferGrant'
        'Receive-GossipMessage'
        'Send-GossipMessage'
        'Get-GossipTopic'
        'Watch-GranaryCluster'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Granary', 'Blob', 'BLAKE3', 'QUIC', 'Storage', 'Linux')
            ProjectUri = 'https://example.invalid/granary'
        }
    }
}
