using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Recsys.Samples.WebApi;

/// <summary>Redis as HybridCache's second level, set up to fail fast: Recsys turns an outage into a cache miss.</summary>
public static class RedisCaches
{
    /// <summary>Creates the cache: short timeouts, no connect retry loop at start-up, no backlog while disconnected.</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>.</param>
    /// <returns>The cache, for <c>UseDistributedCache</c>.</returns>
    public static IDistributedCache Create(string configuration)
    {
        var redis = ConfigurationOptions.Parse(configuration);
        redis.AbortOnConnectFail = false;
        redis.ConnectTimeout = Math.Min(redis.ConnectTimeout, 2_000);
        redis.SyncTimeout = Math.Min(redis.SyncTimeout, 1_000);
        redis.AsyncTimeout = Math.Min(redis.AsyncTimeout, 1_000);
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        return new RedisCache(Options.Create(new RedisCacheOptions { ConfigurationOptions = redis, InstanceName = "recsys:" }));
    }
}
