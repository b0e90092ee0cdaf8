using BenchmarkDotNet.Running;

// `ann MODEL OUT_DIR [QUERIES]`: the item index measurement of scripts/ann-compare.sh; anything else: BenchmarkDotNet.
if (args.Length > 0 && args[0] == "ann")
{
    return Recsys.Benchmarks.AnnComparison.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Recsys.Benchmarks.BenchmarkData).Assembly).Run(args);
return 0;
