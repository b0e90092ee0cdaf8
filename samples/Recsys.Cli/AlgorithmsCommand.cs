using System.CommandLine;
using Recsys.Recommenders;

namespace Recsys.Cli;

internal static class AlgorithmsCommand
{
    public static Command Create()
    {
        var command = new Command("algorithms", "List the algorithms --algorithm accepts.");
        command.SetAction(_ =>
        {
            foreach (var name in RecommenderAlgorithms.Names)
            {
                Console.WriteLine($"{name,-22}{RecommenderAlgorithms.Describe(name)}");
            }
        });
        return command;
    }
}
