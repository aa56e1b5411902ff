using Granary.Testing;
using Granary.Transport;

namespace Granary.Transport.Tests;

public sealed class IdentityTests
{
    [Fact]
    public void A_stored_identity_keeps_its_node_id_and_only_its_owner_can_read_it()
    {
        using var directory = new TempDirectory();
        string path = directory.File("node.key");
        NodeId first;
        using (var identity = NodeIdentity.LoadOrCreate(path))
        {
            first = identity.Id;
        }

        using (var again = NodeIdentity.LoadOrCreate(path))
        {
            Assert.Equal(first, again.Id);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_damaged_key_file_is_reported_with_its_path()
    {
        using var directory = new TempDirectory();
        string path = directory.File("node.key");
        File.WriteAllText(path, "not a key");
        var error = Assert.Throws<InvalidDataException>(() => NodeIdentity.LoadOrCreate(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_ids_print_and_parse_back()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        string text = identity.Id.ToString();
        Assert.Equal(52, text.Length);
        Assert.Equal(identity.Id, NodeId.Parse(text));
        Assert.False(NodeId.TryParse(text[..51], out _));
        Assert.False(NodeId.TryParse(text[..51] + "1", out _));
        Assert.Throws<FormatException>(() => NodeId.Parse("nope"));
    }
}
