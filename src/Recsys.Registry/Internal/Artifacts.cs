using System.Security.Cryptography;

namespace Recsys.Registry;

internal static class Artifacts
{
    public static string Hash(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
