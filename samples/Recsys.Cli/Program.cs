using System.CommandLine;
using Recsys.Cli;

var root = new RootCommand("recsys: train and evaluate recommenders on interaction data.");
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(TuneCommand.Create());
root.Subcommands.Add(RecommendCommand.Create());
root.Subcommands.Add(RegistryCommand.Create());
root.Subcommands.Add(RetrainCommand.Create());
root.Subcommands.Add(RetrainCommand.CreateRuns());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(AlgorithmsCommand.Create());
root.Subcommands.Add(DataCommand.Create());
return Cli.Run(root, args);
