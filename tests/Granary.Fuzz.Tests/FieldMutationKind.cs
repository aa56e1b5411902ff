namespace Granary.Fuzz.Tests;

/// <summary>The edits a field-level mutation makes to a well-formed block: the bencode stays valid, the message's meaning does not.</summary>
public enum FieldMutationKind
{
    /// <summary>Drop a field (a required one: the parser must say it is missing).</summary>
    Remove,

    /// <summary>Give a field a random value of any type (a string where a number goes, a list where a hash goes).</summary>
    Replace,

    /// <summary>Give a field an extreme integer (negative, zero, the bounds docs/protocol.md names and one past them, the type's edges).</summary>
    ExtremeInteger,

    /// <summary>Give a field random bytes of an awkward length (31, 32, 33 for a hash; broken UTF-8 for text).</summary>
    RandomBytes,

    /// <summary>Give a field long text (just under and over 64, 256, 1024, 4096, 8192).</summary>
    LongText,

    /// <summary>Give a field a long list (just under and over 16, 256).</summary>
    BigList,

    /// <summary>Add a field from another protocol, or an unknown one.</summary>
    Add,

    /// <summary>Take a field, value and all, from another valid message (cross-kind splicing).</summary>
    Splice,

    /// <summary>Change the op (or gossip type) to another word: every kind parsed with another kind's fields.</summary>
    ChangeWord,

    /// <summary>Edit inside a nested list or dictionary (a cluster status's silos, a report's results).</summary>
    Descend,
}
