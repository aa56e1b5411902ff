using Granary.Blobs.Protocol;
using Granary.Grains.Blobs;
using Granary.Grains.Cluster;
using Granary.Grains.Placement;
using Granary.Grains.Serialization;
using Granary.Hashing;
using Granary.Transport;

namespace Granary.Grains.Tests.Serialization;

/// <summary>
/// Everything silos send each other goes through Orleans' generated codecs: a type without one, or a
/// member the codec drops, fails here rather than in the first cross-silo call of a user's cluster.
/// </summary>
public sealed class SerializerTests(OrleansSerializers orleans) : IClassFixture<OrleansSerializers>
{
    public static TheoryData<Type> SerializableTypes => [.. SampleValues.GeneratedSerializerTypes];

    public static TheoryData<Type, string> GrainMethods
    {
        get
        {
            var methods = new TheoryData<Type, string>();
            foreach (Type grain in SampleValues.GrainInterfaces)
            {
                foreach (var method in grain.GetMethods())
                {
                    methods.Add(grain, method.Name);
                }
            }

            return methods;
        }
    }

    [Fact]
    public void Reflection_finds_the_contract_records_the_grain_states_and_the_surrogates()
    {
        // Guards the discovery itself: an empty or partial list would make the theory below pass vacuously.
        Assert.Superset(
            new HashSet<Type>
            {
                typeof(BlobFacts), typeof(BlobLocation), typeof(BlobRegistered), typeof(BlobRegistration), typeof(RepairOutcome),
                typeof(ReplicaFetch), typeof(SiloStats), typeof(BlobGrainException), typeof(Blake3HashSurrogate), typeof(NodeIdSurrogate),
                typeof(SiloTicketSurrogate), typeof(BlobRecord), typeof(ClusterGrainState), typeof(SiloKeyedPlacement),
                typeof(ChannelStateSurrogate), typeof(ChannelInputSurrogate), typeof(ChannelStepSurrogate), typeof(VoucherSurrogate),
                typeof(VoucherResultSurrogate), typeof(Granary.Grains.Transfers.TransferChannelGrainState), typeof(ChannelTermsSurrogate),
                typeof(ChannelHistoryEntry), typeof(Granary.Grains.Transfers.TransferIndexGrainState),
                typeof(GossipTopicInfo), typeof(Granary.Grains.Gossip.GossipTopicGrainState), typeof(Granary.Grains.Gossip.GossipTopicIndexGrainState),
            },
            SampleValues.GeneratedSerializerTypes.ToHashSet());
        Assert.Equal([typeof(IBlobGrain), typeof(IClusterGrain), typeof(IGossipTopicGrain), typeof(IGossipTopicIndexGrain), typeof(IReplicaGrain), typeof(ITransferChannelGrain), typeof(ITransferIndexGrain)], SampleValues.GrainInterfaces);
    }

    [Theory]
    [MemberData(nameof(SerializableTypes))]
    public void Every_generated_serializer_type_round_trips_with_its_content(Type type)
    {
        foreach (ListShape shape in Enum.GetValues<ListShape>())
        {
            object value = SampleValues.Create(type, shape);
            foreach ((string name, Type memberType, object? member) in SampleValues.IdMembers(value))
            {
                Assert.False(SampleValues.IsDefault(member, memberType), $"the sample {type.Name} leaves {name} default");
            }

            // As its own type (a field of that type) and as object (polymorphic: the type is written on the wire).
            Equivalence.AssertEquivalent(value, orleans.RoundTrip(type, value), $"{type.Name} ({shape})");
            Equivalence.AssertEquivalent(value, orleans.RoundTrip(typeof(object), value), $"{type.Name} as object ({shape})");
            Equivalence.AssertEquivalent(value, orleans.Copy(type, value), $"{type.Name} copied ({shape})");
        }
    }

    [Theory]
    [MemberData(nameof(GrainMethods))]
    public void Every_grain_method_argument_and_result_round_trips(Type grainInterface, string method)
    {
        var signature = grainInterface.GetMethods().Single(m => m.Name == method);
        List<Type> types = [.. signature.GetParameters().Select(p => p.ParameterType)];
        if (signature.ReturnType.IsGenericType && signature.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            types.Add(signature.ReturnType.GetGenericArguments()[0]);
        }

        // Each way grain code builds a list (the compiler's collection-expression types are not List<T>); every failure is reported.
        var failures = new List<string>();
        foreach (Type type in types)
        {
            foreach (ListShape shape in Enum.GetValues<ListShape>())
            {
                object value = SampleValues.Create(type, shape);
                string what = $"{type.Name} built as {value.GetType().Name} ({shape})";
                Collect(failures, $"{what}, serialized", () => Equivalence.AssertEquivalent(value, orleans.RoundTrip(type, value), what));
                Collect(failures, $"{what}, copied", () => Equivalence.AssertEquivalent(value, orleans.Copy(type, value), what));
            }
        }

        Assert.True(failures.Count == 0, $"{grainInterface.Name}.{method}:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public void A_blob_grain_exception_keeps_its_status_and_message()
    {
        BlobGrainException thrown;
        try
        {
            throw new BlobGrainException(BlobStatus.Unavailable, "silo 10.0.0.7:11111@1 is not an active member of the cluster");
        }
        catch (BlobGrainException error)
        {
            thrown = error;
        }

        foreach (Type declared in new[] { typeof(BlobGrainException), typeof(Exception), typeof(object) })
        {
            foreach (object? back in new[] { orleans.RoundTrip(declared, thrown), orleans.Copy(declared, thrown) })
            {
                BlobGrainException copy = Assert.IsType<BlobGrainException>(back);
                Assert.Equal(BlobStatus.Unavailable, copy.Status);
                Assert.Equal(thrown.Message, copy.Message);
                BlobProtocolException reported = copy.ToProtocolException();
                Assert.Equal(BlobStatus.Unavailable, reported.Status);
                Assert.Equal(thrown.Message, reported.Message);
            }
        }

        var wrapped = new BlobGrainException("the cluster failed to copy", new IOException("disk full"));
        BlobGrainException wrappedBack = Assert.IsType<BlobGrainException>(orleans.RoundTrip(typeof(Exception), wrapped));
        Assert.Equal(BlobStatus.Internal, wrappedBack.Status);
        Assert.Equal("the cluster failed to copy", wrappedBack.Message);
        Assert.Equal("disk full", Assert.IsType<IOException>(wrappedBack.InnerException).Message);
    }

    [Fact]
    public void The_surrogate_converters_give_back_the_value_they_were_given()
    {
        var hashes = new Blake3HashConverter();
        Blake3Hash hash = Blake3.Hash("converter"u8);
        Blake3HashSurrogate hashSurrogate = hashes.ConvertToSurrogate(hash);
        Assert.Equal(hash.ToString(), hashSurrogate.Hex);
        Assert.Equal(hash, hashes.ConvertFromSurrogate(hashSurrogate));

        var nodes = new NodeIdConverter();
        NodeId node = NodeId.FromPublicKey("converter key"u8);
        NodeIdSurrogate nodeSurrogate = nodes.ConvertToSurrogate(node);
        Assert.Equal(node.ToString(), nodeSurrogate.Text);
        Assert.Equal(node, nodes.ConvertFromSurrogate(nodeSurrogate));

        var tickets = new SiloTicketConverter();
        foreach (string address in new[] { "192.168.1.20:4433", "[fd00::1:2]:65535" })
        {
            var ticket = new SiloTicket(node, System.Net.IPEndPoint.Parse(address));
            SiloTicketSurrogate ticketSurrogate = tickets.ConvertToSurrogate(ticket);
            Assert.Equal(ticket.ToString(), ticketSurrogate.Text);
            Assert.Equal(ticket, tickets.ConvertFromSurrogate(ticketSurrogate));
        }

        // And Orleans uses them: the library types, which carry no Orleans attributes, cross silos.
        foreach (object value in new object[] { hash, node, new SiloTicket(node, System.Net.IPEndPoint.Parse("[::1]:7000")) })
        {
            Assert.True(orleans.Serializer.CanSerialize(value.GetType()), $"no codec for {value.GetType()}");
            Assert.Equal(value, orleans.RoundTrip(value.GetType(), value));
            Assert.Equal(value, orleans.RoundTrip(typeof(object), value));
            Assert.Equal(value, orleans.Copy(value.GetType(), value));
        }
    }

    private static void Collect(List<string> failures, string what, Action check)
    {
        try
        {
            check();
        }
        catch (Exception error) when (error is Xunit.Sdk.XunitException or global::Orleans.Serialization.CodecNotFoundException)
        {
            failures.Add($"{what}: {error.GetType().Name}: {error.Message}");
        }
    }
}
