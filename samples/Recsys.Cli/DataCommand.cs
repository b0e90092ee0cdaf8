using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Recsys.Data;

namespace Recsys.Cli;

/// <summary><c>recsys data describe PATH</c>: what a CSV, Parquet or Delta source holds, before training on it.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new DataOptions();
        var path = new Argument<string>("path") { Description = "A ratings file, a Parquet file or folder, or a Delta table directory." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (kind, path, columns, rows, version; with --read also interactions, users, items, skipped, duplicates)." };
        var read = new Option<bool>("--read") { Description = "Also read the interactions as train would (--columns, --bad-rows) and report them." };
        var describe = new Command("describe", "Print a source's kind, columns with types, row count and (Delta) table version.")
        {
            path, data.Format, data.Version, data.AsOf, data.Columns, data.Scale, data.BadRows, read, json,
        };
        describe.SetAction(async (result, cancellationToken) =>
        {
            var source = result.GetValue(path)!;
            var options = data.SourceOptions(result, source);
            var description = await InteractionSource.DescribeAsync(source, options, cancellationToken);
            var interactions = result.GetValue(read) ? await InteractionSource.ReadAsync(source, options, cancellationToken) : null;
            if (result.GetValue(json))
            {
                using var stream = Console.OpenStandardOutput();
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                writer.WriteStartObject();
                writer.WriteString("kind", description.Kind.ToString().ToLowerInvariant());
                writer.WriteString("path", description.Path);
                writer.WriteStartArray("columns");
                foreach (var column in description.Columns)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", column.Name);
                    writer.WriteString("type", column.Type);
                    if (column.IsPartition)
                    {
                        writer.WriteBoolean("partition", true);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("rows", description.Rows);
                if (description.Version is { } v)
                {
                    writer.WriteNumber("version", v);
                }
                else
                {
                    writer.WriteNull("version");
                }

                if (interactions is not null)
                {
                    writer.WriteNumber("interactions", interactions.Dataset.Count);
                    writer.WriteNumber("users", interactions.Dataset.Users.Count);
                    writer.WriteNumber("items", interactions.Dataset.Items.Count);
                    writer.WriteNumber("skipped", interactions.RowsSkipped);
                    writer.WriteNumber("duplicates", interactions.DuplicatesDropped);
                }

                writer.WriteEndObject();
                writer.Flush();
                stream.Write("\n"u8);
                return 0;
            }

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"kind     {DataOptions.Describe(description.Kind)}"));
            Console.WriteLine(string.Create(inv, $"path     {description.Path}"));
            if (description.Version is { } version)
            {
                Console.WriteLine(string.Create(inv, $"version  {version}"));
            }

            Console.WriteLine(string.Create(inv, $"rows     {description.Rows:N0}"));
            Console.WriteLine("columns");
            var width = description.Columns.Count == 0 ? 0 : description.Columns.Max(c => c.Name.Length);
            foreach (var column in description.Columns)
            {
                Console.WriteLine($"  {column.Name.PadRight(width)}  {column.Type}{(column.IsPartition ? "  (partition)" : string.Empty)}");
            }

            if (interactions is not null)
            {
                Console.WriteLine(string.Create(
                    inv,
                    $"read     {interactions.Dataset.Count:N0} interactions, {interactions.Dataset.Users.Count:N0} users, {interactions.Dataset.Items.Count:N0} items; {interactions.RowsSkipped:N0} bad rows skipped, {interactions.DuplicatesDropped:N0} duplicates dropped"));
                foreach (var skipped in interactions.FirstSkippedRows)
                {
                    Console.WriteLine($"  skipped {skipped.Reason}");
                }
            }

            return 0;
        });
        return new Command("data", "Inspect interaction sources.") { describe };
    }
}
