using System.Diagnostics;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// The shell twins of the operator scripts in scripts/ (the README shows them), run with bash
/// against a real silo process; the .ps1 scripts are checked for help and -WhatIf support.
/// </summary>
public sealed class ScriptTests : IAsyncLifetime
{
    private static readonly string Scripts = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "scripts"));
    private readonly TempDirectory _directory = new();
    private Process _silo = null!;

    public async Task InitializeAsync()
    {
        ProcessStartInfo start = GranaryProcess.StartInfo(["silo", "run", "--data", ".granary", "--listen", "127.0.0.1:0"], _directory.Path);

        _silo = Process.Start(start)!;
        _ = _silo.StandardError.ReadToEndAsync();
        Assert.StartsWith("ready ", await _silo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);

        // The scripts call $GRANARY; here that is the granary under test.
        File.WriteAllText(_directory.File("granary"), $"#!/bin/sh\nexec {GranaryProcess.ShellCommand} \"$@\"\n");
        File.SetUnixFileMode(_directory.File("granary"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public async Task DisposeAsync()
    {
        _silo.Kill(entireProcessTree: true);
        await _silo.WaitForExitAsync();
        _silo.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Bulk_upload_writes_a_manifest_that_repair_uses_to_restore_a_damaged_download()
    {
        string folder = _directory.File("exports");
        Directory.CreateDirectory(Path.Combine(folder, "finance", "2026"));
        Random random = TestRandom.For(nameof(Bulk_upload_writes_a_manifest_that_repair_uses_to_restore_a_damaged_download));
        var files = new Dictionary<string, byte[]>
        {
            ["a.bin"] = TestRandom.Bytes(random, 70_000),
            ["finance/2026/q1 report.csv"] = TestRandom.Bytes(random, 1234),
            ["finance/2026/q2.csv"] = TestRandom.Bytes(random, 0),
        };
        foreach (var (name, data) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), data);
        }

        ToolResult sent = await BashAsync("send-folder.sh", folder, _directory.File("exports.b3"), "2d");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string[] manifest = File.ReadAllLines(_directory.File("exports.b3"));
        Assert.Equal(3, manifest.Length);
        Assert.Contains(manifest, l => l.EndsWith("  finance/2026/q1 report.csv", StringComparison.Ordinal));

        // b3sum reads the manifest too: it is the same format.
        ToolResult b3sum = await ExternalTool.RunAsync(ExternalTool.Require("b3sum", "apt-get install b3sum"), ["--check", _directory.File("exports.b3")], null, folder);
        Assert.True(b3sum.ExitCode == 0, b3sum.StdoutText + b3sum.Stderr);

        // A restore with one file missing and one damaged: repair fetches exactly those two again.
        string restore = _directory.File("restore");
        Directory.CreateDirectory(Path.Combine(restore, "finance", "2026"));
        File.WriteAllBytes(Path.Combine(restore, "a.bin"), files["a.bin"]);
        File.WriteAllBytes(Path.Combine(restore, "finance/2026/q2.csv"), [9, 9, 9]);
        ToolResult repaired = await BashAsync("repair-download.sh", _directory.File("exports.b3"), restore);
        Assert.True(repaired.ExitCode == 0, repaired.StdoutText + repaired.Stderr);
        Assert.Contains("ok        a.bin", repaired.StdoutText, StringComparison.Ordinal);
        Assert.Contains("repaired  finance/2026/q1 report.csv", repaired.StdoutText, StringComparison.Ordinal);
        Assert.Contains("repaired  finance/2026/q2.csv", repaired.StdoutText, StringComparison.Ordinal);
        foreach (var (name, data) in files)
        {
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(restore, name)));
        }

        // Extend only the finance files.
        ToolResult extended = await BashAsync("extend-matching.sh", _directory.File("exports.b3"), "finance/*", "30d");
        Assert.True(extended.ExitCode == 0, extended.Stderr);
        Assert.Contains("2 blobs extended", extended.StdoutText, StringComparison.Ordinal);
        string financeHash = manifest.Single(l => l.EndsWith("q1 report.csv", StringComparison.Ordinal))[..64];
        string otherHash = manifest.Single(l => l.EndsWith("a.bin", StringComparison.Ordinal))[..64];
        ToolResult financeInfo = await GranaryAsync("info", financeHash);
        ToolResult otherInfo = await GranaryAsync("info", otherHash);
        Assert.True(Expires(financeInfo.StdoutText) > DateTime.UtcNow.AddDays(29), financeInfo.StdoutText);
        Assert.True(Expires(otherInfo.StdoutText) < DateTime.UtcNow.AddDays(3), otherInfo.StdoutText);
    }

    [Fact]
    public async Task The_health_report_calls_a_lone_silo_healthy()
    {
        ToolResult health = await BashAsync("cluster-health.sh");
        Assert.True(health.ExitCode == 0, health.StdoutText + health.Stderr);
        Assert.Contains("HEALTHY: 1 active silos, 1 copies per blob", health.StdoutText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Send-Folder.ps1", true)]
    [InlineData("Repair-Download.ps1", true)]
    [InlineData("Update-ExpiryByPattern.ps1", true)]
    [InlineData("Get-ClusterHealth.ps1", false)]
    public void Each_powershell_script_has_help_and_whatif_where_it_changes_state(string script, bool changesState)
    {
        string text = File.ReadAllText(Path.Combine(Scripts, script));
        foreach (string section in new[] { ".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE" })
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }

        Assert.Equal(changesState, text.Contains("[CmdletBinding(SupportsShouldProcess)]", StringComparison.Ordinal));
        Assert.Equal(changesState, text.Contains("$PSCmdlet.ShouldProcess(", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Scripts, Twin(script))), $"{script} has no shell twin");
    }

    private static string Twin(string script) => script switch
    {
        "Send-Folder.ps1" => "send-folder.sh",
        "Repair-Download.ps1" => "repair-download.sh",
        "Update-ExpiryByPattern.ps1" => "extend-matching.sh",
        _ => "cluster-health.sh",
    };

    private static DateTime Expires(string info) =>
        DateTime.Parse(info.Split(' ').Single(p => p.StartsWith("expires=", StringComparison.Ordinal))["expires=".Length..], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

    private Task<ToolResult> BashAsync(string script, params string[] arguments) =>
        RunWithEnvironmentAsync("bash", [Path.Combine(Scripts, script), .. arguments]);

    private Task<ToolResult> GranaryAsync(params string[] arguments) =>
        GranaryProcess.RunAsync(arguments, null, _directory.Path);

    private async Task<ToolResult> RunWithEnvironmentAsync(string program, string[] arguments)
    {
        // The scripts find the silo and token the way users' shells do: .granary/ in the working directory.
        Environment.SetEnvironmentVariable("GRANARY", _directory.File("granary"));
        try
        {
            return await ExternalTool.RunAsync(program, arguments, null, _directory.Path);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GRANARY", null);
        }
    }
}
