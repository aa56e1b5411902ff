using System.Net;
using Granary.Transport;

namespace Granary.Transport.Tests;

/// <summary>
/// The transport's options check themselves: the defaults pass, each bad value is refused with one
/// sentence naming the option, its value and what is allowed, and binding or pooling checks first.
/// </summary>
public sealed class TransportOptionsTests
{
    [Fact]
    public void Defaults_pass()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var endpoint = new QuicEndpointOptions { Identity = identity };
        endpoint.Validate();
        new ConnectionPoolOptions().Validate();

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 0), endpoint.Bind);
        Assert.Empty(endpoint.ApplicationProtocols);
        Assert.Equal(TimeSpan.FromSeconds(5), endpoint.ConnectTimeout);
        QuicTransportOptions transport = endpoint.Transport;
        Assert.Equal(4L << 20, transport.StreamReceiveWindow);
        Assert.Equal(32L << 20, transport.ConnectionReceiveWindow);
        Assert.Equal(4L << 20, transport.SendWindow);
        Assert.Equal(1024, transport.MaxBidirectionalStreams);
        Assert.Equal(256, transport.MaxUnidirectionalStreams);
        Assert.Equal(TimeSpan.FromSeconds(10), transport.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), transport.KeepAliveInterval);
        Assert.Equal(1200, transport.InitialMaxUdpPayloadSize);
        var pool = new ConnectionPoolOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), pool.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), pool.IdleTimeout);
        Assert.Equal(64, pool.MaxConnections);
    }

    [Theory]
    [InlineData("127.0.0.1", 1480)]
    [InlineData("127.5.6.7", 1480)]
    [InlineData("::1", 1480)]
    [InlineData("10.0.0.7", 1200)]
    [InlineData("0.0.0.0", 1200)]
    [InlineData("fe80::1", 1200)]
    public void Only_a_path_on_this_host_gets_packets_larger_than_QUIC_guarantees(string address, int payload)
    {
        QuicTransportOptions options = QuicTransportOptions.ForPath(IPAddress.Parse(address));
        Assert.Equal(payload, options.InitialMaxUdpPayloadSize);
        options.Validate();
    }

    [Fact]
    public void The_environment_sets_the_packet_size_on_every_path()
    {
        string? before = Environment.GetEnvironmentVariable(QuicTransportOptions.UdpPayloadVariable);
        try
        {
            Environment.SetEnvironmentVariable(QuicTransportOptions.UdpPayloadVariable, "1452");
            Assert.Equal(1452, QuicTransportOptions.ForPath(IPAddress.Parse("10.0.0.7")).InitialMaxUdpPayloadSize);
            Assert.Equal(1452, QuicTransportOptions.ForPath(IPAddress.Loopback).InitialMaxUdpPayloadSize);
            foreach (string bad in new[] { "1199", "1481", "9000", "jumbo", "+1300", " 1300", "1300.0" })
            {
                Environment.SetEnvironmentVariable(QuicTransportOptions.UdpPayloadVariable, bad);
                var refused = Assert.Throws<ArgumentException>(() => QuicTransportOptions.ForPath(IPAddress.Loopback));
                Assert.StartsWith($"GRANARY_UDP_PAYLOAD is '{bad}'; it must be a UDP payload size from 1200 to 1480 bytes", refused.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(QuicTransportOptions.UdpPayloadVariable, before);
        }
    }

    [Fact]
    public void Zero_keep_alive_means_none_and_passes()
    {
        new QuicTransportOptions { KeepAliveInterval = TimeSpan.Zero }.Validate();
    }

    public static TheoryData<string, Action<QuicTransportOptions>, string> BadTransportValues => new()
    {
        { "StreamReceiveWindow", o => o.StreamReceiveWindow = 0, "QuicTransportOptions.StreamReceiveWindow is 0; it must be 1 to 2^62 - 1 bytes." },
        { "ConnectionReceiveWindow", o => o.ConnectionReceiveWindow = 1L << 62, "QuicTransportOptions.ConnectionReceiveWindow is 4611686018427387904; it must be 1 to 2^62 - 1 bytes." },
        { "SendWindow", o => o.SendWindow = -1, "QuicTransportOptions.SendWindow is -1; it must be a positive number of bytes." },
        { "MaxBidirectionalStreams", o => o.MaxBidirectionalStreams = 0, "QuicTransportOptions.MaxBidirectionalStreams is 0; it must be at least 1." },
        { "MaxUnidirectionalStreams", o => o.MaxUnidirectionalStreams = -5, "QuicTransportOptions.MaxUnidirectionalStreams is -5; it must be at least 1." },
        { "IdleTimeout", o => (o.IdleTimeout, o.KeepAliveInterval) = (TimeSpan.FromTicks(10), TimeSpan.Zero), "QuicTransportOptions.IdleTimeout is 00:00:00.0000010; it must be at least 1 ms." },
        {
            "KeepAliveInterval", o => o.KeepAliveInterval = TimeSpan.FromSeconds(10),
            "QuicTransportOptions.KeepAliveInterval is 00:00:10; it must be at least 1 ms and shorter than IdleTimeout (00:00:10), or idle connections die, or zero for no keep-alives."
        },
        { "InitialMaxUdpPayloadSize", o => o.InitialMaxUdpPayloadSize = 1199, "QuicTransportOptions.InitialMaxUdpPayloadSize is 1199; it must be 1200 to 1480 bytes (the most the QUIC library's endpoints accept from a peer)." },
        { "InitialMaxUdpPayloadSize", o => o.InitialMaxUdpPayloadSize = 1481, "QuicTransportOptions.InitialMaxUdpPayloadSize is 1481; it must be 1200 to 1480 bytes (the most the QUIC library's endpoints accept from a peer)." },
    };

    [Theory]
    [MemberData(nameof(BadTransportValues))]
    public void A_bad_transport_value_is_refused_with_a_sentence_naming_it(string option, Action<QuicTransportOptions> spoil, string message)
    {
        var options = new QuicTransportOptions();
        spoil(options);
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<QuicEndpointOptions>, string> BadEndpointValues => new()
    {
        { "ApplicationProtocols", o => o.ApplicationProtocols = [""], "QuicEndpointOptions.ApplicationProtocols holds '' (0 bytes); each protocol must be 1 to 255 bytes of UTF-8." },
        { "ApplicationProtocols", o => o.ApplicationProtocols = ["ok", new string('a', 256)], $"QuicEndpointOptions.ApplicationProtocols holds '{new string('a', 256)}' (256 bytes); each protocol must be 1 to 255 bytes of UTF-8." },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.Zero, "QuicEndpointOptions.ConnectTimeout is 00:00:00; it must be positive and at most 24.20:31:23.6470000." },
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.FromDays(30), "QuicEndpointOptions.ConnectTimeout is 30.00:00:00; it must be positive and at most 24.20:31:23.6470000." },
        { "Transport", o => o.Transport = null!, "QuicEndpointOptions.Transport is null; it must be transport parameters (new QuicTransportOptions() for the defaults)." },
        { "MaxBidirectionalStreams", o => o.Transport.MaxBidirectionalStreams = 0, "QuicTransportOptions.MaxBidirectionalStreams is 0; it must be at least 1." },
    };

    [Theory]
    [MemberData(nameof(BadEndpointValues))]
    public void A_bad_endpoint_value_is_refused_before_binding(string option, Action<QuicEndpointOptions> spoil, string message)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var options = new QuicEndpointOptions { Identity = identity };
        spoil(options);
        var error = Assert.ThrowsAny<ArgumentException>(() => QuicEndpoint.Bind(options));
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<ConnectionPoolOptions>, string> BadPoolValues => new()
    {
        { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.FromSeconds(-1), "ConnectionPoolOptions.ConnectTimeout is -00:00:01; it must be positive and at most 24.20:31:23.6470000." },
        { "IdleTimeout", o => o.IdleTimeout = TimeSpan.Zero, "ConnectionPoolOptions.IdleTimeout is 00:00:00; it must be positive and at most 24.20:31:23.6470000." },
        { "MaxConnections", o => o.MaxConnections = 0, "ConnectionPoolOptions.MaxConnections is 0; it must be at least 1." },
    };

    [Theory]
    [MemberData(nameof(BadPoolValues))]
    public async Task A_bad_pool_value_is_refused_when_the_pool_is_made(string option, Action<ConnectionPoolOptions> spoil, string message)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        await using var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity });
        var options = new ConnectionPoolOptions();
        spoil(options);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionPool(endpoint, options));
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
