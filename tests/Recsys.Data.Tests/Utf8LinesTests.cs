using System.Text;
using Recsys.Data.Internal;

namespace Recsys.Data.Tests;

public sealed class Utf8LinesTests
{
    public static TheoryData<int> BlockSizes => [1, 2, 3, 5, 8, 13, 64, 1 << 20];

    [Theory]
    [MemberData(nameof(BlockSizes))]
    public void Lines_AreThoseOfReadLine_WhereverTheBlocksEnd(int blockSize)
    {
        var random = new Random(blockSize);
        string[] pieces = ["a", "bc", "12,34,4.5,99", "é", "日本", "😀", "\n", "\r\n", "\r", "\r\r\n", "\n\n", ",", "\"q,\"\"x\"\"\"", " "];
        for (var trial = 0; trial < 200; trial++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 40);
            for (var p = 0; p < length; p++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            if (random.Next(3) == 0)
            {
                text.Append(new string('x', random.Next(1, 100))); // a line longer than small blocks
            }

            Assert.Equal(ReadLines(text.ToString()), Utf8(text.ToString(), blockSize, bom: trial % 2 == 0));
        }
    }

    [Fact]
    public void AByteOrderMarkIsSkipped_AndInvalidUtf8BecomesTheReplacementCharacter()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, (byte)'a', (byte)',', 0xC3, (byte)'\n', (byte)'b'];
        var lines = Collect(new Utf8Lines(new MemoryStream(bytes), 4));

        Assert.Equal(["a,\uFFFD", "b"], lines);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x61, 0x00 }, true)]
    [InlineData(new byte[] { 0xFE, 0xFF, 0x00, 0x61 }, true)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x61 }, false)]
    [InlineData(new byte[] { 0x61 }, false)]
    public void HasOtherByteOrderMark_FindsUtf16AndLeavesThePositionAtTheStart(byte[] head, bool expected)
    {
        using var stream = new MemoryStream(head);

        Assert.Equal(expected, Utf8Lines.HasOtherByteOrderMark(stream));
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public void AUtf16File_ReadsThroughAStreamReader_LikeTheSameTextInUtf8()
    {
        var text = "userId,movieId,rating,timestamp\nü1,i1,4.5,10\nu2,ï2,3,20\n";
        var utf8 = Path.GetTempFileName();
        var utf16 = Path.GetTempFileName();
        try
        {
            File.WriteAllText(utf8, text, new UTF8Encoding(true));
            File.WriteAllText(utf16, text, Encoding.Unicode);

            var a = InteractionReader.Read(utf8, DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail).Dataset;
            var b = InteractionReader.Read(utf16, DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail).Dataset;

            Assert.Equal(2, a.Count);
            Assert.Equal("ü1", a.Users[0]);
            Assert.Equal(a.ComputeFingerprint(), b.ComputeFingerprint());
        }
        finally
        {
            File.Delete(utf8);
            File.Delete(utf16);
        }
    }

    private static List<string> ReadLines(string text)
    {
        var lines = new List<string>();
        using var reader = new StringReader(text);
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lines.Add(line);
        }

        return lines;
    }

    private static List<string> Utf8(string text, int blockSize, bool bom)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Collect(new Utf8Lines(new MemoryStream(bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes), blockSize));
    }

    private static List<string> Collect(Utf8Lines lines)
    {
        var result = new List<string>();
        while (lines.TryRead(out var line))
        {
            result.Add(line.ToString());
        }

        return result;
    }
}
