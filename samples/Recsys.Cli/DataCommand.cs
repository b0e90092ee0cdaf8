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
        var json = new Option<bool>("--json") { Description = "Print one JSON object (kind, path, columns, rows, version)." };
        var describe = new Command("describe", "Print a source's kind, columns with types, row count and (Delta) table version.")
        {
            path, data.Format, data.Version, data.AsOf, json,
        };
        describe.SetAction(async (result, cancellationToken) =>
        {
            var source = result.GetValue(path)!;
            var options = data.SourceOptions(result, source);
            var description = await InteractionSource.DescribeAsync(source, options, cancellationToken);
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

            return 0;
        });
        return new Command("data", "Inspect interaction sources.") { describe };
    }
}
