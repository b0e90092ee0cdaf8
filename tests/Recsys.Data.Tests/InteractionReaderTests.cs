using Recsys.Data;

namespace Recsys.Data.Tests;

public sealed class InteractionReaderTests
{
    private static InteractionReadResult ReadRatings(string text, BadRowPolicy policy = BadRowPolicy.Fail) =>
        InteractionReader.Read(new StringReader(text), "ratings.csv", DelimitedFormat.MovieLensRatings, policy);

    private static InteractionReadResult ReadUData(string text, BadRowPolicy policy = BadRowPolicy.Fail) =>
        InteractionReader.Read(new StringReader(text), "u.data", DelimitedFormat.MovieLensUData, policy);

    [Fact]
    public void Read_PlainUserItemRatingWithTheDefaultFormat_ReadsWithoutTimestamps()
    {
        var result = InteractionReader.Read(new StringReader("user,item,rating\nu1,i1,4.5\nu2,i1,3\n"), "plain.csv", new DelimitedFormat(), BadRowPolicy.Fail);

        Assert.Equal(2, result.Dataset.Count);
        Assert.Equal(0, result.RowsSkipped);
        Assert.All(result.Dataset.EnumerateInteractions(), i => Assert.Equal(0, i.Timestamp));
        Assert.Equal(4.5f, result.Dataset.EnumerateInteractions().Single(i => i.UserId == "u1").Value);
    }

    [Fact]
    public void Read_DefaultFormatWithATimestampColumn_StillReadsIt_AndRowsMissingItAreBad()
    {
        var result = InteractionReader.Read(new StringReader("user,item,rating,ts\nu1,i1,4.5,100\nu2,i1,3\n"), "four.csv", new DelimitedFormat(), BadRowPolicy.Skip);

        Assert.Equal(100, Assert.Single(result.Dataset.EnumerateInteractions()).Timestamp);
        Assert.Equal(3, Assert.Single(result.FirstSkippedRows).LineNumber);
    }

    [Fact]
    public void Read_MovieLensRatings_ParsesEveryColumn()
    {
        var result = ReadRatings("userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,31,4,1260759200\n");

        Assert.Equal(3, result.RowsRead);
        Assert.Equal(0, result.RowsSkipped);
        Assert.Equal(
            [new Interaction("1", "31", 2.5f, 1260759144), new Interaction("1", "1029", 3f, 1260759179), new Interaction("2", "31", 4f, 1260759200)],
            result.Dataset.EnumerateInteractions());
    }

    [Fact]
    public void Read_HeaderInAnotherOrderWithCrlfAndQuotes_FindsColumnsByName()
    {
        var result = ReadRatings("timestamp,rating,\"movieId\",userId\r\n7,4.5,\"a,b\",u1\r\n\r\n");

        Assert.Equal([new Interaction("u1", "a,b", 4.5f, 7)], result.Dataset.EnumerateInteractions());
    }

    [Fact]
    public void Read_UData_ParsesTabSeparatedRowsWithoutHeader()
    {
        var result = ReadUData("196\t242\t3\t881250949\n186\t302\t3\t891717742\n");

        Assert.Equal(2, result.Dataset.Count);
        Assert.Equal(new Interaction("186", "302", 3f, 891717742), result.Dataset.EnumerateInteractions().Last());
    }

    [Fact]
    public void Read_DuplicatedPairs_KeepsLatestAndReportsCount()
    {
        var result = ReadRatings("userId,movieId,rating,timestamp\n1,1,1.0,5\n1,1,4.0,9\n1,1,2.0,7\n");

        Assert.Equal(2, result.DuplicatesDropped);
        Assert.Equal(4f, result.Dataset.RowValues[0]);
    }

    [Fact]
    public void Read_TruncatedLine_FailsNamingFileAndLine()
    {
        var error = Assert.Throws<InteractionDataException>(() => ReadRatings("userId,movieId,rating,timestamp\n1,1,4.0,5\n1,2\n"));

        Assert.Equal("ratings.csv, line 3: expected at least 4 fields separated by ',' but found 2", error.Message);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("ratings.csv", error.Source);
    }

    [Fact]
    public void Read_TruncatedLineUnderSkip_CountsAndListsIt()
    {
        var result = ReadRatings("userId,movieId,rating,timestamp\n1,1,4.0,5\n1,2\n2,2,3.5,6\n", BadRowPolicy.Skip);

        Assert.Equal(3, result.RowsRead);
        Assert.Equal(1, result.RowsSkipped);
        Assert.Equal([new SkippedRow(3, "ratings.csv, line 3: expected at least 4 fields separated by ',' but found 2")], result.FirstSkippedRows);
        Assert.Equal(2, result.Dataset.Count);
    }

    [Fact]
    public void Read_WrongDelimiterInHeader_FailsNamingMissingColumn()
    {
        var error = Assert.Throws<InteractionDataException>(() => ReadRatings("userId;movieId;rating;timestamp\n1;1;4.0;5\n", BadRowPolicy.Skip));

        Assert.Equal("ratings.csv, line 1: the header has no column named 'userId' (columns separated by ',': 'userId;movieId;rating;timestamp')", error.Message);
    }

    [Fact]
    public void Read_WrongDelimiterWithoutHeader_FailsOnFirstRow()
    {
        var error = Assert.Throws<InteractionDataException>(() => ReadUData("196,242,3,881250949\n"));

        Assert.Equal("u.data, line 1: expected at least 4 fields separated by a tab but found 1", error.Message);
    }

    [Fact]
    public void Read_WrongDelimiterUnderSkip_SkipsEveryRow()
    {
        var result = ReadUData("1,2,3,4\n5,6,7,8\n", BadRowPolicy.Skip);

        Assert.Equal(2, result.RowsSkipped);
        Assert.Equal([1L, 2L], result.FirstSkippedRows.Select(r => r.LineNumber));
        Assert.Equal(0, result.Dataset.Count);
    }

    [Theory]
    [InlineData("NaN", "the value 'NaN' is not a finite number")]
    [InlineData("Infinity", "the value 'Infinity' is not a finite number")]
    [InlineData("four", "the value 'four' is not a number")]
    [InlineData("", "the value '' is not a number")]
    public void Read_BadValue_FailsWithReason(string value, string reason)
    {
        var error = Assert.Throws<InteractionDataException>(() => ReadRatings($"userId,movieId,rating,timestamp\n1,1,{value},5\n"));

        Assert.Equal($"ratings.csv, line 2: {reason}", error.Message);
    }

    [Theory]
    [InlineData("userId,movieId,rating,timestamp\n,1,4.0,5\n", "the user id is empty")]
    [InlineData("userId,movieId,rating,timestamp\n1, ,4.0,5\n", "the item id is empty")]
    [InlineData("userId,movieId,rating,timestamp\n1,1,4.0,yesterday\n", "the timestamp 'yesterday' is not a whole number of seconds")]
    [InlineData("userId,movieId,rating,timestamp\n1,\"1,4.0,5\n", "a quoted field is not closed")]
    public void Read_BadRow_FailsWithReason(string text, string reason)
    {
        var error = Assert.Throws<InteractionDataException>(() => ReadRatings(text));

        Assert.Equal($"ratings.csv, line 2: {reason}", error.Message);
    }

    [Fact]
    public void Read_ManyBadRowsUnderSkip_ListsFirstTenAndCountsAll()
    {
        var text = "userId,movieId,rating,timestamp\n" + string.Concat(Enumerable.Range(0, 25).Select(i => $"{i},x,bad,1\n")) + "1,1,5,1\n";

        var result = ReadRatings(text, BadRowPolicy.Skip);

        Assert.Equal(25, result.RowsSkipped);
        Assert.Equal(InteractionReadResult.MaxListedSkippedRows, result.FirstSkippedRows.Count);
        Assert.Equal(Enumerable.Range(2, 10).Select(i => (long)i), result.FirstSkippedRows.Select(r => r.LineNumber));
        Assert.Equal(1, result.Dataset.Count);
    }

    [Fact]
    public void Read_EmptyFile_FailsEvenUnderSkip()
    {
        var error = Assert.Throws<InteractionDataException>(() => ReadRatings("", BadRowPolicy.Skip));
        Assert.Equal("ratings.csv: the file is empty; expected a header line naming the columns", error.Message);

        var headerless = Assert.Throws<InteractionDataException>(() => ReadUData(""));
        Assert.Equal("u.data: the file is empty; expected at least one interaction", headerless.Message);
    }

    [Fact]
    public void Read_HeaderOnly_GivesEmptyDataset()
    {
        var result = ReadRatings("userId,movieId,rating,timestamp\n");

        Assert.Equal(0, result.RowsRead);
        Assert.Equal(0, result.RowsSkipped);
        Assert.Equal(0, result.Dataset.Count);
    }

    [Fact]
    public void Read_GenericFormatByIndexWithoutValueColumn_UsesDefaultValue()
    {
        var format = new DelimitedFormat { Delimiter = '|', HasHeader = false, UserIndex = 2, ItemIndex = 0, ValueIndex = -1, TimestampIndex = -1, DefaultValue = 1f };

        var result = InteractionReader.Read(new StringReader("sku-1|ignored|alice\nsku-2|x|bob\n"), "clicks", format, BadRowPolicy.Fail);

        Assert.Equal([new Interaction("alice", "sku-1", 1f, 0), new Interaction("bob", "sku-2", 1f, 0)], result.Dataset.EnumerateInteractions());
    }

    [Fact]
    public void Read_GenericFormatByName_MapsColumns()
    {
        var format = new DelimitedFormat { Delimiter = ';', UserColumn = "customer", ItemColumn = "product", ValueColumn = "qty", TimestampColumn = "ts" };

        var result = InteractionReader.Read(new StringReader("ts;product;customer;qty\n100;p1;c1;2\n"), "orders.csv", format, BadRowPolicy.Fail);

        Assert.Equal([new Interaction("c1", "p1", 2f, 100)], result.Dataset.EnumerateInteractions());
    }

    [Fact]
    public void Read_NamedColumnsWithoutHeader_IsRejected()
    {
        var format = new DelimitedFormat { HasHeader = false, UserColumn = "user" };

        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() =>
            InteractionReader.Read(new StringReader("1,2,3,4\n"), "x", format, BadRowPolicy.Fail));
    }

    [Fact]
    public void Read_File_StreamsFromDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"recsys-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "userId,movieId,rating,timestamp\n1,2,3.5,4\n1,x\n");

            var error = Assert.Throws<InteractionDataException>(() => MovieLens.ReadRatings(path));
            Assert.Equal($"{path}, line 3: expected at least 4 fields separated by ',' but found 2", error.Message);
            Assert.Equal(1, MovieLens.ReadRatings(path, BadRowPolicy.Skip).Dataset.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadRatings_MovieLensLatestSmall_ReadsAllRatings()
    {
        var result = MovieLens.ReadRatings(MovieLensData.File("ratings.csv"));

        Assert.Equal(100_836, result.Dataset.Count);
        Assert.Equal(610, result.Dataset.Users.Count);
        Assert.Equal(9_724, result.Dataset.Items.Count);
        Assert.Equal(0, result.RowsSkipped);
        Assert.Equal(0, result.DuplicatesDropped);
        Assert.Equal(0.5f, result.Dataset.MinValue);
        Assert.Equal(5f, result.Dataset.MaxValue);
    }

    [Fact]
    public void RatingsOutsideTheDeclaredScale_AreBadRows_AndAnyTurnsTheCheckOff()
    {
        const string text = "userId,movieId,rating,timestamp\n1,2,4.5,10\n1,3,-3,11\n2,2,99,12\n2,3,0.5,13\n";
        var failed = Assert.Throws<InteractionDataException>(() => InteractionReader.Read(new StringReader(text), "r.csv", DelimitedFormat.MovieLensRatings, BadRowPolicy.Fail));
        Assert.Equal("r.csv, line 3: the rating -3 is outside the scale 0.5 to 5", failed.Message);

        var skipped = InteractionReader.Read(new StringReader(text), "r.csv", DelimitedFormat.MovieLensRatings, BadRowPolicy.Skip);
        Assert.Equal((2, 2L), (skipped.Dataset.Count, skipped.RowsSkipped));
        Assert.Equal(["r.csv, line 3: the rating -3 is outside the scale 0.5 to 5", "r.csv, line 4: the rating 99 is outside the scale 0.5 to 5"], skipped.FirstSkippedRows.Select(r => r.Reason));

        var noScale = InteractionReader.Read(new StringReader(text), "r.csv", new DelimitedFormat(), BadRowPolicy.Fail);
        Assert.Equal(4, noScale.Dataset.Count);
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => new DelimitedFormat { Scale = new RatingScale(5, 1) }.Validate());
    }
}
