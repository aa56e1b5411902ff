using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Granary.Blobs.Protocol;

namespace Granary.PowerShellModule.Tests;

/// <summary>The module's shape, read from its compiled metadata, manifest and help, as module/README.md documents it.</summary>
public sealed partial class ModuleShapeTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
    private static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
    private static readonly string BuildOutput = Path.Combine(Root, "module", "Granary.PowerShell", "bin", Configuration, "net10.0", "linux-x64");
    private static readonly IReadOnlyList<CmdletShape> Cmdlets = ModuleMetadata.Read(Path.Combine(BuildOutput, "Granary.PowerShell.dll"));

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_the_assembly_defines()
    {
        string manifest = File.ReadAllText(Path.Combine(BuildOutput, "Granary.psd1"));
        Match exported = CmdletsToExport().Match(manifest);
        Assert.True(exported.Success, "Granary.psd1 has no CmdletsToExport = @( ... )");
        var names = Quoted().Matches(exported.Groups[1].Value).Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(Cmdlets.Select(c => c.Name).Order(), names);
        Assert.Equal(23, names.Count);

        Assert.Matches(@"RootModule\s*=\s*'Granary\.PowerShell\.dll'", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.6'", manifest);
        Assert.True(Guid.TryParse(Regex.Match(manifest, @"GUID\s*=\s*'([^']+)'").Groups[1].Value, out _), "GUID is not a GUID");
        foreach (Match format in Regex.Matches(manifest, @"'([^']+\.ps1xml)'"))
        {
            Assert.True(File.Exists(Path.Combine(BuildOutput, format.Groups[1].Value)), $"{format.Groups[1].Value} is listed but missing");
            XDocument.Load(Path.Combine(BuildOutput, format.Groups[1].Value)); // well-formed
        }
    }

    [Fact]
    public void Every_verb_is_one_of_powershells_approved_verbs()
    {
        var approved = new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle), typeof(VerbsSecurity), typeof(VerbsOther) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        Assert.True(approved.Count > 90, "the approved verb list did not load");
        Assert.All(Cmdlets, c => Assert.True(approved.Contains(c.Verb), $"{c.Name}: '{c.Verb}' is not an approved verb"));
        Assert.All(Cmdlets, c => Assert.StartsWith(c.Verb, c.Name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Send-Blob", true, 2)]
    [InlineData("Update-BlobExpiry", true, 2)]
    [InlineData("Remove-Blob", true, 3)]
    [InlineData("Get-Blob", false, 2)]
    [InlineData("Get-BlobInfo", false, 2)]
    [InlineData("Test-Blob", false, 2)]
    [InlineData("Connect-GranaryCluster", false, 2)]
    [InlineData("Disconnect-GranaryCluster", false, 2)]
    [InlineData("Get-GranarySilo", false, 2)]
    [InlineData("Get-GranaryClusterStatus", false, 2)]
    [InlineData("Start-BlobTransfer", true, 2)]
    [InlineData("Suspend-BlobTransfer", true, 2)]
    [InlineData("Resume-BlobTransfer", true, 2)]
    [InlineData("Restart-BlobTransfer", true, 2)]
    [InlineData("Stop-BlobTransfer", true, 3)]
    [InlineData("New-BlobTransferGrant", true, 2)]
    [InlineData("Send-BlobTransferVoucher", true, 2)]
    [InlineData("Get-BlobTransfer", false, 2)]
    [InlineData("Wait-BlobTransfer", false, 2)]
    [InlineData("Send-GossipMessage", true, 1)]
    [InlineData("Receive-GossipMessage", false, 2)]
    [InlineData("Get-GossipTopic", false, 2)]
    [InlineData("Watch-GranaryCluster", false, 2)]
    public void Cmdlets_that_change_state_support_WhatIf_and_Confirm(string name, bool supportsShouldProcess, int confirmImpact)
    {
        CmdletShape cmdlet = Find(name);
        Assert.Equal(supportsShouldProcess, cmdlet.SupportsShouldProcess);
        Assert.Equal(confirmImpact, cmdlet.ConfirmImpact); // 2 = Medium (the default), 3 = High
    }

    /// <summary>Mandatory parameters per parameter set, and how the pipeline binds: the table in module/README.md.</summary>
    [Theory]
    [InlineData("Send-Blob", "Path", "Path", 0, true, true)]
    [InlineData("Send-Blob", "LiteralPath", "LiteralPath", int.MinValue, false, true)]
    [InlineData("Send-Blob", "InputObject", "InputObject", int.MinValue, false, false)]
    [InlineData("Get-Blob", "Hash", "Hash", 0, true, true)]
    [InlineData("Get-Blob", "Ticket", "Ticket", int.MinValue, false, true)]
    [InlineData("Get-BlobInfo", "__AllParameterSets", "Hash", 0, true, true)]
    [InlineData("Update-BlobExpiry", "__AllParameterSets", "Hash", 0, true, true)]
    [InlineData("Update-BlobExpiry", "__AllParameterSets", "Ttl", 1, false, false)]
    [InlineData("Remove-Blob", "__AllParameterSets", "Hash", 0, true, true)]
    [InlineData("Test-Blob", "Path", "Path", 0, true, true)]
    [InlineData("Test-Blob", "LiteralPath", "LiteralPath", int.MinValue, false, true)]
    [InlineData("Test-Blob", "__AllParameterSets", "Hash", 1, false, false)]
    [InlineData("Connect-GranaryCluster", "Ticket", "Ticket", 0, true, false)]
    [InlineData("Connect-GranaryCluster", "TicketFile", "TicketFile", int.MinValue, false, false)]
    public void Mandatory_parameters_sets_and_pipeline_bindings_are_as_documented(string name, string set, string parameter, int position, bool byValue, bool byPropertyName)
    {
        CmdletShape cmdlet = Find(name);
        ParameterShape shape = Assert.Single(cmdlet.Parameters, p => p.Name == parameter && p.ParameterSet == set);
        Assert.True(shape.Mandatory, $"{name} -{parameter} should be mandatory in set {set}");
        Assert.Equal((position, byValue, byPropertyName), (shape.Position, shape.ByValue, shape.ByPropertyName));

    }

    [Fact]
    public void Paths_accept_get_childitem_output_and_blob_objects_bind_by_hash()
    {
        Assert.Contains("PSPath", Assert.Single(Find("Send-Blob").Parameters, p => p.Name == "LiteralPath").Aliases);
        Assert.Contains("PSPath", Assert.Single(Find("Test-Blob").Parameters, p => p.Name == "LiteralPath").Aliases);
        foreach (string name in new[] { "Get-Blob", "Get-BlobInfo", "Update-BlobExpiry", "Remove-Blob" })
        {
            Assert.Contains(Find(name).Parameters, p => p.Name == "Hash" && p.ByPropertyName);
        }

        // Every cmdlet that talks to the cluster takes -Session (default: Connect-GranaryCluster's).
        foreach (CmdletShape cmdlet in Cmdlets.Where(c => c.Name is not ("Test-Blob" or "Connect-GranaryCluster")))
        {
            Assert.Contains(cmdlet.Parameters, p => p.Name == "Session" && p.Type == "GranarySession");
        }

        Assert.Equal("SwitchParameter", Assert.Single(Find("Send-Blob").Parameters, p => p.Name == "Recurse").Type);
        Assert.Equal("SwitchParameter", Assert.Single(Find("Send-Blob").Parameters, p => p.Name == "FollowSymlink").Type);
        Assert.Equal("SwitchParameter", Assert.Single(Find("Get-Blob").Parameters, p => p.Name == "Force").Type);
        Assert.Equal("TimeSpan?", Assert.Single(Find("Send-Blob").Parameters, p => p.Name == "Ttl").Type);
    }

    [Fact]
    public void Every_cmdlet_has_help_with_an_example_and_every_parameter_documented()
    {
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
        XNamespace dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        var help = XDocument.Load(Path.Combine(BuildOutput, "en-US", "Granary.PowerShell.dll-Help.xml"));
        var topics = help.Descendants(command + "command").ToDictionary(c => c.Element(command + "details")!.Element(command + "name")!.Value);
        foreach (CmdletShape cmdlet in Cmdlets)
        {
            Assert.True(topics.TryGetValue(cmdlet.Name, out XElement? topic), $"{cmdlet.Name} has no help");
            Assert.NotEmpty(topic!.Element(command + "details")!.Element(maml + "description")!.Value);
            var examples = topic.Descendants(command + "example").ToList();
            Assert.True(examples.Count >= 1, $"{cmdlet.Name} has no example");
            Assert.All(examples, e => Assert.Contains(cmdlet.Name.Split('-')[1], e.Element(dev + "code")!.Value + cmdlet.Name, StringComparison.Ordinal));
            var documented = topic.Descendants(command + "parameter").Select(p => p.Element(maml + "name")!.Value).ToHashSet();
            foreach (string parameter in cmdlet.Parameters.Select(p => p.Name).Distinct())
            {
                Assert.True(documented.Contains(parameter), $"{cmdlet.Name} -{parameter} is not in its help");
            }
        }

        Assert.Contains("about_Granary", File.ReadAllText(Path.Combine(BuildOutput, "en-US", "about_Granary.help.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_packages_the_module_folder_ready_for_Import_Module()
    {
        string packaged = Path.Combine(Root, "artifacts", "module", "Granary");
        Assert.True(Directory.Exists(packaged), $"{packaged} does not exist: ./build.sh --target=Module (or --target=Test) packages it");
        foreach (string file in new[] { "Granary.psd1", "Granary.PowerShell.dll", "Granary.format.ps1xml", "en-US/Granary.PowerShell.dll-Help.xml", "en-US/about_Granary.help.txt", "Granary.Blobs.Client.dll", "Granary.Blobs.Protocol.dll", "libgranary_quic.so" })
        {
            Assert.True(File.Exists(Path.Combine(packaged, file)), $"the packaged module lacks {file}");
        }

        // The module is a client: the silo's store (SQLite, io_uring) and handler stay out of it.
        foreach (string server in new[] { "Granary.Storage.dll", "Granary.Blobs.Server.dll", "Microsoft.Data.Sqlite.dll", "libe_sqlite3.so", "SQLitePCLRaw.core.dll" })
        {
            Assert.False(File.Exists(Path.Combine(packaged, server)), $"the packaged module ships {server}, a part of the silo, not of a client");
        }

        Assert.DoesNotContain("Granary.Storage", File.ReadAllText(Path.Combine(packaged, "Granary.PowerShell.deps.json")), StringComparison.Ordinal);

        // PowerShell brings its own System.Management.Automation; a copy in the module would clash.
        Assert.False(File.Exists(Path.Combine(packaged, "System.Management.Automation.dll")));
        Assert.Equal(
            Cmdlets.Select(c => c.Name).Order(),
            ModuleMetadata.Read(Path.Combine(packaged, "Granary.PowerShell.dll")).Select(c => c.Name).Order());
    }

    private static CmdletShape Find(string name) => Assert.Single(Cmdlets, c => c.Name == name);

    [GeneratedRegex(@"CmdletsToExport\s*=\s*@\(([^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex CmdletsToExport();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex Quoted();
}
