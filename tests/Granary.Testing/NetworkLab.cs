using System.Globalization;

namespace Granary.Testing;

/// <summary>
/// Hosts on a private network, made of Linux network namespaces: one namespace per named node,
/// each with an address on one /24, all joined by a bridge in a namespace of its own (the
/// "switch"), and a link from the test process's own namespace to the switch so the test can reach
/// every node as a client. Faults are real packet handling: <see cref="PartitionAsync"/> drops a
/// node's traffic with nftables, <see cref="LimitRateAsync"/> shapes its sending with tc's token
/// bucket filter (netem is not in this kernel). Everything is removed on dispose.
/// </summary>
/// <remarks>Needs root, iproute2 and nftables (./build.sh --target=Setup installs them); see <see cref="Unavailable"/>.</remarks>
public sealed class NetworkLab : IAsyncDisposable
{
    private readonly string _id;
    private readonly string _prefix;
    private readonly Dictionary<string, int> _nodes = new(StringComparer.Ordinal);

    private NetworkLab(string id, string prefix)
    {
        _id = id;
        _prefix = prefix;
    }

    /// <summary>Why a lab cannot be made here (not root, a tool missing), or null if it can.</summary>
    public static string? Unavailable =>
        Environment.UserName != "root" ? "network namespaces need root"
        : !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") ? "ip (iproute2) is not installed: run ./build.sh --target=Setup"
        : !File.Exists("/usr/sbin/nft") ? "nft (nftables) is not installed: run ./build.sh --target=Setup"
        : null;

    /// <summary>The address the test process has on the lab's network.</summary>
    public string ClientAddress => $"{_prefix}.254";

    /// <summary>Creates the switch, the test's link and one namespace per node (addresses .1, .2, … in order).</summary>
    public static async Task<NetworkLab> CreateAsync(params string[] nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (Unavailable is { } why)
        {
            throw new InvalidOperationException(why);
        }

        // A random id and subnet, so that labs of concurrent tests never meet.
        string id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..5];
        var lab = new NetworkLab(id, $"10.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(1, 255)}");
        try
        {
            await IpAsync("netns", "add", lab.Switch);
            await InAsync(lab.Switch, "ip", "link", "set", "lo", "up");
            await InAsync(lab.Switch, "ip", "link", "add", "br0", "type", "bridge");
            await InAsync(lab.Switch, "ip", "link", "set", "br0", "up");

            // The test's own link: its end stays here, with the .254 address.
            await IpAsync("link", "add", $"g{id}r", "type", "veth", "peer", "name", $"g{id}R");
            await lab.PlugAsync($"g{id}R");
            await IpAsync("addr", "add", $"{lab.ClientAddress}/24", "dev", $"g{id}r");
            await IpAsync("link", "set", $"g{id}r", "up");

            foreach (string node in nodes)
            {
                await lab.AddNodeAsync(node);
            }

            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node's namespace name (for <c>ip netns exec</c>).</summary>
    public string Namespace(string node) => _nodes.ContainsKey(node) ? $"granary-{_id}-{node}" : throw new ArgumentException($"no node '{node}' in this lab", nameof(node));

    /// <summary>The node's address.</summary>
    public string AddressOf(string node) => _nodes.TryGetValue(node, out int n) ? $"{_prefix}.{n.ToString(CultureInfo.InvariantCulture)}" : throw new ArgumentException($"no node '{node}' in this lab", nameof(node));

    /// <summary>Drops every packet between <paramref name="node"/> and <paramref name="others"/>, both ways, until <see cref="HealAsync"/>.</summary>
    public async Task PartitionAsync(string node, params string[] others)
    {
        ArgumentNullException.ThrowIfNull(others);
        string addresses = string.Join(", ", others.Select(AddressOf));
        string ns = Namespace(node);
        await InAsync(ns, "nft", "add", "table", "inet", "partition");
        await InAsync(ns, "nft", "add", "chain", "inet", "partition", "in", "{ type filter hook input priority 0 ; }");
        await InAsync(ns, "nft", "add", "chain", "inet", "partition", "out", "{ type filter hook output priority 0 ; }");
        await InAsync(ns, "nft", "add", "rule", "inet", "partition", "in", "ip", "saddr", $"{{ {addresses} }}", "drop");
        await InAsync(ns, "nft", "add", "rule", "inet", "partition", "out", "ip", "daddr", $"{{ {addresses} }}", "drop");
    }

    /// <summary>Removes <paramref name="node"/>'s partition rules.</summary>
    public Task HealAsync(string node) => InAsync(Namespace(node), "nft", "delete", "table", "inet", "partition");

    /// <summary>Limits what <paramref name="node"/> sends to <paramref name="rate"/> (tc's notation, e.g. <c>40mbit</c>).</summary>
    public Task LimitRateAsync(string node, string rate) =>
        InAsync(Namespace(node), "tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", rate, "burst", "64kb", "latency", "200ms");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (string node in _nodes.Keys)
        {
            await TryAsync("ip", "netns", "del", Namespace(node));
        }

        await TryAsync("ip", "netns", "del", Switch);
        await TryAsync("ip", "link", "del", $"g{_id}r");
    }

    private string Switch => $"granary-{_id}-switch";

    private async Task AddNodeAsync(string node)
    {
        int n = _nodes.Count + 1;
        _nodes[node] = n;
        string ns = Namespace(node);
        string inside = $"g{_id}n{n}", outside = $"g{_id}s{n}";
        await IpAsync("netns", "add", ns);
        await InAsync(ns, "ip", "link", "set", "lo", "up");
        await IpAsync("link", "add", inside, "type", "veth", "peer", "name", outside);
        await IpAsync("link", "set", inside, "netns", ns);
        await InAsync(ns, "ip", "link", "set", inside, "name", "eth0");
        await InAsync(ns, "ip", "addr", "add", $"{AddressOf(node)}/24", "dev", "eth0");
        await InAsync(ns, "ip", "link", "set", "eth0", "up");
        await PlugAsync(outside);
    }

    /// <summary>Moves a veth end into the switch and attaches it to the bridge.</summary>
    private async Task PlugAsync(string port)
    {
        await IpAsync("link", "set", port, "netns", Switch);
        await InAsync(Switch, "ip", "link", "set", port, "master", "br0");
        await InAsync(Switch, "ip", "link", "set", port, "up");
    }

    private static Task IpAsync(params string[] arguments) => MustAsync("ip", arguments);

    private static Task InAsync(string ns, params string[] command) => MustAsync("ip", ["netns", "exec", ns, .. command]);

    private static async Task MustAsync(string program, string[] arguments)
    {
        ToolResult result = await ExternalTool.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}{result.StdoutText}");
        }
    }

    private static async Task TryAsync(string program, params string[] arguments) =>
        await ExternalTool.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(30));
}
