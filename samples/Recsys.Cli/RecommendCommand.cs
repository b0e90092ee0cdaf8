using System.CommandLine;
using System.Globalization;
using Recsys.Recommenders;

namespace Recsys.Cli;

internal static class RecommendCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A model file written by 'recsys train'.", Required = true };
        var user = new Option<string>("--user") { Description = "The user id (unknown users get the cold-start ranking).", Required = true };
        var count = new Option<int>("--count") { Description = "How many items.", DefaultValueFactory = _ => 10 };
        var similar = new Option<string?>("--similar-to") { Description = "List items similar to this item instead." };
        var command = new Command("recommend", "Print the top items for a user (or similar items) from a model file.") { model, user, count, similar };
        command.SetAction(result =>
        {
            try
            {
                var package = ModelFile.Load(result.GetValue(model)!.FullName);
                var n = result.GetValue(count);
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
                    items = package.Model.Recommend(result.GetValue(user)!, n);
                }

                foreach (var x in items)
                {
                    var title = package.ItemMetadata is { } metadata && metadata.TryGetAttributes(x.ItemId, out var attributes) ? attributes.Title : string.Empty;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{x.ItemId,-10} {x.Score,10:F4}  {title}"));
                }

                return 0;
            }
            catch (Exception e) when (e is UsageException or ModelFormatException or IOException)
            {
                Console.Error.WriteLine($"recsys recommend: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
