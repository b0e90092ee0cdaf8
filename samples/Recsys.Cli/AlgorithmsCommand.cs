using System.CommandLine;
using Recsys.Recommenders;

namespace Recsys.Cli;

internal static class AlgorithmsCommand
{
    public static Command Create()
    {
        var command = new Command("algorithms", "List the algorithms --algorithm accepts, with what each is for (rating-prediction or ranking).");
        command.SetAction(_ =>
        {
            foreach (var name in RecommenderAlgorithms.Names)
            {
                var purpose = RecommenderAlgorithms.PurposeOf(name) is { } p ? Recsys.Evaluation.MetricCatalog.Format(p) : "";
                Console.WriteLine($"{name,-25} {purpose,-18} {RecommenderAlgorithms.Describe(name)}");
            }
        });
        return command;
    }
}
