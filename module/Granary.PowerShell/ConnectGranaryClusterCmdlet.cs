using System.Management.Automation;
using System.Net;
using Granary.Blobs.Commands;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;

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
    private const string AddressSet = "Address";
    private readonly List<SiloTicket> _tickets = [];

    /// <summary>Silo tickets (granary:NODE@IP:PORT); the first that answers is used.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = TicketSet)]
    [ValidateNotNullOrEmpty]
    public string[] Ticket { get; set; } = [];

    /// <summary>A file holding a silo ticket (a silo's DATA/silo.ticket).</summary>
    [Parameter(Mandatory = true, ParameterSetName = TicketFileSet)]
    [ValidateNotNullOrEmpty]
    public string TicketFile { get; set; } = string.Empty;

    /// <summary>A silo's address, HOST:PORT or IP:PORT, when you have it and the node id rather than a ticket.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AddressSet)]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = string.Empty;

    /// <summary>The silo's node id (52 characters, the NODE column of 'granary cluster status'); the silo must prove it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AddressSet)]
    [ValidateNotNullOrEmpty]
    public string NodeId { get; set; } = string.Empty;

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
        try
        {
            switch (ParameterSetName)
            {
                case TicketFileSet:
                    _tickets.Add(SiloTicketReader.Parse(ReadSmallFile(TicketFile, "ticket")));
                    break;
                case AddressSet:
                    // Looked up in EndProcessing, where the command may await (a host name may need DNS).
                    break;
                default:
                    _tickets.AddRange(Ticket.Select(SiloTicketReader.Parse));
                    break;
            }
        }
        catch (GranaryCommandException error)
        {
            // A session cannot be made from a wrong ticket: nothing after it could run.
            ThrowTerminatingError(ToRecord(error.Error));
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        string token;
        try
        {
            token = Credential is not null
                ? new NetworkCredential(string.Empty, Credential.Password).Password
                : TokenFile is not null
                    ? ReadSmallFile(TokenFile, "token")
                    : Environment.GetEnvironmentVariable("GRANARY_TOKEN") ?? string.Empty;
        }
        catch (GranaryCommandException error)
        {
            ThrowTerminatingError(ToRecord(error.Error));
            return;
        }

        Run(async host =>
        {
            if (ParameterSetName == AddressSet)
            {
                _tickets.Add(await SiloTicketReader.FromAddressAsync(Address, NodeId, host.CancellationToken).ConfigureAwait(false));
            }

            GranarySession session = await GranarySession.ConnectAsync(_tickets, token, host).ConfigureAwait(false);
            host.Output(new SessionConnected(session));
        });
    }

    /// <summary>The trimmed text of a ticket or token file (a regular file, 4 KiB at most).</summary>
    private string ReadSmallFile(string path, string what)
    {
        string full = GetUnresolvedProviderPathFromPSPath(path);
        try
        {
            return SmallFiles.ReadText(full, what, 4096);
        }
        catch (FileNotFoundException)
        {
            throw new GranaryCommandException(new(CommandErrorKind.NotFound, $"There is no {what} file '{full}'. A silo writes its {what} to DATA/{(what == "ticket" ? "silo.ticket" : "admin.token")}.", path));
        }
        catch (IOException error)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, error.Message, path, error));
        }
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
            SessionState.PSVariable.Set(GlobalSessionVariable, connected.Session);
            if (PassThru)
            {
                WriteObject(connected.Session);
            }

            return;
        }

        base.WriteOutput(item);
    }
}
