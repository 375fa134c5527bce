@{
    RootModule           = 'Bento.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b1e7c84-2f0a-4d8e-9a43-0c6f2b8d7e11'
    Author               = 'The Bento authors'
    CompanyName          = 'Bento'
    Copyright            = '(c) The Bento authors. MIT License.'
    Description          = 'Linux containers from PowerShell: OCI images, rootless namespaces, overlayfs. No daemon.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Bento.format.ps1xml')
    TypesToProcess       = @('Bento.types.ps1xml')
    CmdletsToExport      = @(
        'Import-BentoImage'
        'Get-BentoImage'
        'Remove-BentoImage'
        'New-BentoImage'
        'New-BentoContainer'
        'Start-BentoContainer'
        'Get-BentoContainer'
        'Stop-BentoContainer'
        'Remove-BentoContainer'
        'Wait-BentoContainer'
        'Get-BentoContainerLog'
        'Invoke-BentoExec'
        'Enter-BentoContainer'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('containers', 'oci', 'linux', 'rootless')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
