using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Recsys.Benchmarks.BenchmarkData).Assembly).Run(args);
