using System.Text;

namespace Granary.Fuzz.Tests;

/// <summary>The values mutations insert: tokens of bencode and of the text formats, numbers at every bound the protocols name, awkward Unicode.</summary>
internal static class Interesting
{
    /// <summary>Numbers around every bound in docs/protocol.md and around the integer types' edges.</summary>
    public static readonly string[] Numbers =
    [
        "0", "1", "00", "01", "-1", "-0", "+1", "9", "10", "16", "17", "31", "32", "33", "64", "65", "255", "256", "257",
        "1023", "1024", "1025", "4095", "4096", "4097", "6144", "6145", "8192", "8193", "16383", "16384", "16385", "65535", "65536",
        "99999", "100000", "2147483647", "2147483648", "-2147483649", "4294967295", "4294967296", "3153600000", "3153600001",
        "253402300799999", "253402300800000", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1000000000000000000000000000000",
    ];

    /// <summary>Byte tokens: bencode's grammar, its limits, broken UTF-8, the text formats' separators, JSON's grammar.</summary>
    public static readonly byte[][] ByteTokens =
    [
        .. new[]
        {
            "e", "i", "l", "d", ":", "-", "0", "00", "i0e", "i-0e", "i01e", "ie", "i-e", "0:", "1:", "4:", "le", "de", "lle", "dde", "d1:a", "d0:", "2:op", "d2:op",
            "i9223372036854775807e", "i9223372036854775808e", "i-9223372036854775808e", "i-9223372036854775809e",
            "16384:", "16385:", "99999:", "100000:", "2147483648:", "4294967296:", "9999999999:",
            "granary:", "@", "/", "\n", "\r\n", " ", "  ", "\\", "=", "..", "/..", "[::1]:", "127.0.0.1:1",
            "{", "}", "[", "]", "\"", ",", "null", "true", "1e999", "-1e-999", "\\u0000", "\\ud800", "[[[[[[[[[[[[[[[[", "{\"a\":", "\"time\":\"", "0001-01-01T00:00:00+14:00",
        }.Select(Encoding.ASCII.GetBytes),
        [0x00], [0xff], [0xff, 0xfe], [0xef, 0xbf, 0xbd], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x80, 0xae],
    ];

    /// <summary>Text tokens: the ticket, hash, voucher and check-line grammars' separators, and Unicode that breaks naive code.</summary>
    public static readonly string[] TextTokens =
    [
        "granary:", "@", "/", ":", "::", "[", "]", "[::1]", "%", "%25eth0", " ", "  ", "\t", "\n", "\r", "\r\n", "\\", "\\n", "\\\\", "=", "-", "+", ".", "..",
        "0", "00", "65535", "65536", "0x", "e", "E", "1e9", "∞", "NaN", "\0", "\uFFFD", "\uD800", "\uDC00", "\uD83D\uDE00", "\u202E", "\u200B",
        "ǅ", "İ", "ß", "\u0130", "a", "z", "2", "7", "8", "1", "A", "f", "F", "g", "=", "==", "base64", "+/", "-_",
    ];

    /// <summary>Single bytes worth trying in place of another.</summary>
    public static readonly byte[] Bytes = [0x00, 0x01, 0x7f, 0x80, 0xff, (byte)'0', (byte)'9', (byte)':', (byte)'e', (byte)'i', (byte)'l', (byte)'d', (byte)'-', (byte)'/', (byte)'@', (byte)'\n', (byte)' '];

    /// <summary>Single characters worth trying in place of another.</summary>
    public static readonly char[] Chars = ['\0', '\u007f', '\u0080', '\uFFFF', '\uD800', '\uDC00', '0', '9', ':', '/', '@', '\n', ' ', '\\', '=', 'a', 'A', '-', '.', '\uFFFD', '\u0130'];
}
