using System.Diagnostics;

namespace Granary.Testing;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ToolResult(int ExitCode, byte[] Stdout, string Stderr)
{
    /// <summary>Standard output as UTF-8 text.</summary>
    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);
}
