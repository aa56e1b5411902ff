using System.Net.Sockets;

namespace Granary.Testing;

/// <summary>
/// A directory with everything real users keep in trees that broke similar tools: a backslash in
/// a name, a name that is not UTF-8 (file and directory), a 254-byte name, empty directories, a
/// FIFO, a socket, and symbolic links inside the tree, out of it, dangling, looping, and back to
/// an ancestor. The constants say what a directory upload must carry, and what it must leave out.
/// </summary>
public static class AwkwardTree
{
    /// <summary>A name of 254 bytes of UTF-8 (127 two-byte characters): legal, one byte under NAME_MAX.</summary>
    public static readonly string LongName = new('é', 127);

    /// <summary>The files the collection carries, by path ('/'-separated), ordinal order.</summary>
    public static readonly string[] CarriedFiles = ["back\\slash.txt", "link-inside", "plain.txt", LongName];

    /// <summary>The empty directories the collection carries.</summary>
    public static readonly string[] CarriedDirectories = ["cycle", "deep/er", "empty", "only-fifo"];

    /// <summary>What is left out (escaped as in the warnings), without --follow-links.</summary>
    public static readonly string[] LeftOut = ["bad\\xFEdir", "bad\\xFFname", "cycle/up", "dangling", "link-outside", "loop-a", "loop-b", "only-fifo/pipe", "sock"];

    /// <summary>The content of plain.txt (and so of link-inside).</summary>
    public const string PlainText = "plain";

    /// <summary>The content of the file outside the tree that link-outside points to.</summary>
    public const string OutsideText = "secret outside the tree";

    /// <summary>Builds the tree at <paramref name="root"/> (which must not exist); outside.txt goes beside it.</summary>
    public static async Task CreateAsync(string root)
    {
        Directory.CreateDirectory(root);
        string outside = Path.Combine(Path.GetDirectoryName(root)!, "outside.txt");
        await File.WriteAllTextAsync(outside, OutsideText);
        await File.WriteAllTextAsync(Path.Combine(root, "plain.txt"), PlainText);
        await File.WriteAllTextAsync(Path.Combine(root, "back\\slash.txt"), "backslash");
        await File.WriteAllTextAsync(Path.Combine(root, LongName), "long name");
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "deep", "er"));
        Directory.CreateDirectory(Path.Combine(root, "only-fifo"));
        Directory.CreateDirectory(Path.Combine(root, "cycle"));
        File.CreateSymbolicLink(Path.Combine(root, "link-inside"), "plain.txt");
        File.CreateSymbolicLink(Path.Combine(root, "link-outside"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "nowhere");
        File.CreateSymbolicLink(Path.Combine(root, "loop-a"), "loop-b");
        File.CreateSymbolicLink(Path.Combine(root, "loop-b"), "loop-a");
        Directory.CreateSymbolicLink(Path.Combine(root, "cycle", "up"), "..");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Disposing the socket unlinks the path it was bound to: the renamed socket file stays.
            socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(root, "sock.bound")));
            File.Move(Path.Combine(root, "sock.bound"), Path.Combine(root, "sock"));
        }

        // .NET cannot make a FIFO or a name that is not UTF-8: the shell can.
        ToolResult made = await ExternalTool.RunAsync(
            "/bin/sh", ["-c", @"mkfifo only-fifo/pipe && printf x > ""$(printf 'bad\377name')"" && mkdir ""$(printf 'bad\376dir')"" && printf y > ""$(printf 'bad\376dir')/inside"""], null, root);
        if (made.ExitCode != 0)
        {
            throw new InvalidOperationException($"could not build the awkward tree: {made.Stderr}");
        }
    }
}
