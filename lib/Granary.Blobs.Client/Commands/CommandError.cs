namespace Granary.Blobs.Commands;

/// <summary>A failure with one input: what kind, what about, and what to do.</summary>
/// <param name="Kind">What kind of failure: decides the PowerShell ErrorCategory and the CLI's exit code.</param>
/// <param name="Message">A sentence for PowerShell, with advice in cmdlet terms (-TokenFile, -Destination).</param>
/// <param name="Target">The input it is about (a hash, ticket, path), or null.</param>
/// <param name="Exception">What was thrown, if anything.</param>
public sealed record CommandError(CommandErrorKind Kind, string Message, object? Target, Exception? Exception = null)
{
    private readonly string? _reason;

    /// <summary>A stable identifier for the error (PowerShell's FullyQualifiedErrorId prefix).</summary>
    public string ErrorId => $"Granary.{Kind}";

    /// <summary>
    /// The failure as one lower-case clause without cmdlet advice: what the <c>granary</c> CLI prints
    /// after "granary: ". Defaults to <see cref="Message"/>.
    /// </summary>
    public string Reason
    {
        get => _reason ?? Message;
        init => _reason = value;
    }
}
