namespace Granary.Blobs.Protocol;

/// <summary>
/// Tags are short key=value labels an uploader attaches (project, owner, …). They are kept as
/// canonical text — sorted <c>key=value</c> lines — so that blob records compare by value.
/// </summary>
public static class BlobTags
{
    /// <summary>Most tags on one blob.</summary>
    public const int MaxCount = 32;

    /// <summary>Longest key or value, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>The canonical text of <paramref name="tags"/>, checking the limits.</summary>
    /// <exception cref="ArgumentException">Too many, too long, or a key with '=' or a line break.</exception>
    public static string Format(IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > MaxLength || value.Length > MaxLength || key.Contains('=', StringComparison.Ordinal)
                || key.Contains('\n', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Tag '{key}' is not acceptable: keys are 1-{MaxLength} characters without '=' or line breaks, values at most {MaxLength} without line breaks.", nameof(tags));
            }

            sorted[key] = value;
        }

        return sorted.Count <= MaxCount
            ? string.Join('\n', sorted.Select(t => $"{t.Key}={t.Value}"))
            : throw new ArgumentException($"A blob takes at most {MaxCount} tags, not {sorted.Count}.", nameof(tags));
    }

    /// <summary>The tags in canonical text, as key/value pairs.</summary>
    /// <exception cref="FormatException">A key appears twice: the text is not what <see cref="Format"/> writes.</exception>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return tags;
        }

        foreach (string line in text.Split('\n'))
        {
            string[] pair = line.Split('=', 2);
            if (!tags.TryAdd(pair[0], pair.Length > 1 ? pair[1] : string.Empty))
            {
                throw new FormatException($"Tag '{pair[0]}' appears twice: this is not canonical tag text (key=value lines, each key once).");
            }
        }

        return tags;
    }
}
