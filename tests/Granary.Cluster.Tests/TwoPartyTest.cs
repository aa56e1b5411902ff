using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// A test class of two independent parties, A (which opens channels) and B, each a silo alone with
/// its own data, token and grant key; their logs go to the test output at the end.
/// </summary>
public abstract class TwoPartyTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The initiating party.</summary>
    protected TransferParty A { get; private set; } = null!;

    /// <summary>The other party.</summary>
    protected TransferParty B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = await TransferParty.StartAsync("A");
        B = await TransferParty.StartAsync("B");
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(A.Silo.Log);
        output.WriteLine(B.Silo.Log);
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
