using System.CommandLine;
using System.Globalization;
using Recsys.Data;
using Recsys.Recommenders;

namespace Recsys.Cli;

internal static class RecommendCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A model file written by 'recsys train'.", Required = true };
        var user = new Option<string?>("--user") { Description = "The user id (unknown users get the cold-start ranking: the most popular items); not needed with --similar-to." };
        var count = new Option<int>("--count") { Description = "How many items.", DefaultValueFactory = _ => 10 };
        var similar = new Option<string?>("--similar-to") { Description = "List items similar to this item instead." };
        var includeSeen = new Option<bool>("--include-seen") { Description = "Do not leave out the items the user has seen (training data and --history)." };
        var history = new Option<string?>("--history") { Description = "A registry (directory or PostgreSQL connection string) whose interaction store holds interactions since training: left out as seen." };
        var includeGenres = new Option<string?>("--include-genres") { Description = "Comma-separated genres of which an item must have one (needs titles and genres in the model file)." };
        var excludeGenres = new Option<string?>("--exclude-genres") { Description = "Comma-separated genres an item must not have." };
        var excludeItems = new Option<string?>("--exclude-items") { Description = "Comma-separated item ids that must not be returned." };
        var minScore = new Option<float?>("--min-score") { Description = "The lowest score an item may have." };
        var command = new Command("recommend", "Print the top items for a user (or similar items) from a model file; the same list HTTP serves for the same model, user and filters.")
        {
            model, user, count, similar, includeSeen, history, includeGenres, excludeGenres, excludeItems, minScore,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var n = result.GetValue(count);
            if (n is < 1 or > 10_000)
            {
                throw new UsageException($"--count must be between 1 and 10000; it was {n}.");
            }

            if (result.GetValue(similar) is null && string.IsNullOrWhiteSpace(result.GetValue(user)))
            {
                throw new UsageException("--user is required (or --similar-to for similar items).");
            }

            var modelFile = result.GetValue(model)!;
            if (Directory.Exists(modelFile.FullName))
            {
                throw new UsageException($"--model '{modelFile.FullName}' is a directory; give the model file 'recsys train --out' wrote.");
            }

            if (!modelFile.Exists)
            {
                throw new UsageException($"--model '{modelFile.FullName}' does not exist.");
            }

            ModelPackage package;
            try
            {
                package = ModelFile.Load(modelFile.FullName);
            }
            catch (ModelFormatException e)
            {
                throw new InvalidDataException($"--model '{modelFile.FullName}': {e.Message}", e);
            }

            IEnumerable<RecommendedItem> items;
            if (result.GetValue(similar) is { } itemId)
            {
                if (package.Model is not IItemSimilarity similarity || !package.Model.Items.TryGetIndex(itemId, out var item))
                {
                    throw new UsageException($"The model cannot find items similar to '{itemId}' (unknown item or no item factors).");
                }

                var buffer = new ScoredItem[n];
                var written = similarity.SimilarItems(item, buffer);
                items = buffer.Take(written).Select(x => new RecommendedItem(package.Model.Items[x.Item], x.Score));
            }
            else
            {
                var userId = result.GetValue(user)!;
                var include = List(result.GetValue(includeGenres));
                var exclude = List(result.GetValue(excludeGenres));
                if ((include.Count > 0 || exclude.Count > 0) && package.ItemMetadata is null)
                {
                    throw new UsageException("Genre filters need titles and genres in the model file (train with --movies).");
                }

                IReadOnlyList<string>? seen = null;
                if (result.GetValue(history) is { } location && !result.GetValue(includeSeen))
                {
                    await using var backend = RetrainCommand.Open(location);
                    seen = [.. (await backend.Interactions.GetUserInteractionsAsync(userId, cancellationToken)).Select(i => i.ItemId)];
                }

                var answer = package.Model.Recommend(new RecommendationRequest
                {
                    UserId = userId,
                    Count = n,
                    ExcludeSeen = !result.GetValue(includeSeen),
                    History = seen,
                    ExcludeItems = List(result.GetValue(excludeItems)),
                    ItemPredicate = package.ItemMetadata is { } metadata ? ItemMetadata.GenrePredicate(metadata.ByIndex(package.Model.Items), include, exclude) : null,
                    MinScore = result.GetValue(minScore),
                });
                if (answer.ColdStart)
                {
                    Console.Error.WriteLine($"recsys recommend: the model does not know user '{userId}'; these are its most popular items (cold start).");
                }

                items = answer.Items.Select(x => new RecommendedItem(package.Model.Items[x.Item], x.Score));
            }

            foreach (var x in items)
            {
                var title = package.ItemMetadata is { } metadata && metadata.TryGetAttributes(x.ItemId, out var attributes) ? attributes.Title : string.Empty;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{x.ItemId,-10} {x.Score,10:F4}  {title}"));
            }

            return 0;
        });
        return command;
    }

    private static List<string> List(string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
