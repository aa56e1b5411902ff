using System.Management.Automation;
using System.Net;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Connects to a Granary cluster and makes the session the default for the other cmdlets.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "GranaryCluster", DefaultParameterSetName = TicketSet)]
[OutputType(typeof(GranarySession))]
public sealed class ConnectGranaryClusterCmdlet : GranaryCmdlet
{
    private const string TicketSet = "Ticket";
    private const string TicketFileSet = "TicketFile";
    private readonly List<string> _tickets = [];

    /// <summary>Silo tickets (granary:NODE@IP:PORT); the first that answers is used.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TicketSet)]
    [ValidateNotNullOrEmpty]
    public string[] Ticket { get; set; } = [];

    /// <summary>A file holding a silo ticket (a silo's DATA/silo.ticket).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TicketFileSet)]
    [ValidateNotNullOrEmpty]
    public string TicketFile { get; set; } = string.Empty;

    /// <summary>The cluster's token as the password of a credential (the user name is ignored).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>A file holding the cluster's token (a silo's DATA/admin.token).</summary>
    [Parameter]
    public string? TokenFile { get; set; }

    /// <summary>Also output the session.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == TicketFileSet)
        {
            _tickets.Add(File.ReadAllText(GetUnresolvedProviderPathFromPSPath(TicketFile)).Trim());
        }
        else
        {
            _tickets.AddRange(Ticket);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        string token = Credential is not null
            ? new NetworkCredential(string.Empty, Credential.Password).Password
            : TokenFile is not null
                ? File.ReadAllText(GetUnresolvedProviderPathFromPSPath(TokenFile)).Trim()
                : Environment.GetEnvironmentVariable("GRANARY_TOKEN") ?? string.Empty;
        Run(async host =>
        {
            GranarySession session = await GranarySession.ConnectAsync(_tickets, token, host).ConfigureAwait(false);
            host.Output(new SessionConnected(session));
        });
    }

    /// <summary>Stores the session as the default (on the pipeline thread) and outputs it with -PassThru.</summary>
    private sealed class SessionConnected(GranarySession session)
    {
        public GranarySession Session { get; } = session;
    }

    /// <inheritdoc/>
    protected override void WriteOutput(object item)
    {
        if (item is SessionConnected connected)
        {
            SessionState.PSVariable.Set(new PSVariable(SessionVariable, connected.Session, ScopedItemOptions.None));
            if (PassThru)
            {
                WriteObject(connected.Session);
            }

            return;
        }

        base.WriteOutput(item);
    }
}
